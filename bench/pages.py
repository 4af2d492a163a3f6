"""`python -m bench pages`: the web app's pages, timed in a program of state size.

Three cohorts are launched on the benchmark's own dev server, with the real worker
process and a fresh database (SQLite in the data directory, or `--postgres`): one of
1,000 coaches and two of 200. Rosters are made as `synthetic_roster` in
`peercoach/simulation/behaviour.py` makes them (schools of eight coaches, two
collaborating teachers and two partnerships a coach), each cohort with its own
people and one coordinator for all three. The program is the sample calendar
moved so session 5 was yesterday: a cohort launched mid-year, whose sessions 1 to 4
are followed up at launch. Every action goes through `peercoach/client.py`: the
coordinator records sessions 1 to 5 for every coach (session 5 unlocks coaching),
then every partnership moves, a third of them to initiate, a third on to co-plan and
a third on to model, each move with a note. Once the read model shows every move,
`peercoach web` is started in a process of its own, and the pages of the
1,000-coach cohort are asked for one request at a time by a signed-in coordinator,
coach, collaborating teacher and principal (a real session row and cookie, as the
sign-in link makes them).
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time as stopwatch
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, func, select

from bench.cohort import SAMPLE_PROGRAM
from bench.processes import CpuMeter, Owned, dev_server, free_port, until_logged, until_up, web, worker
from bench.stats import Latencies, bounded
from domain.cycle import Stage
from domain.problems import Refused
from domain.program import Program, load_program
from domain.roster import Partnership, Role, Roster, parse_roster_csv
from domain.training import Attendance, TrainingStatus
from peercoach.client import CoachingClient
from store import members, read_model, tables
from store.database import Database
from store.sessions import start_session
from web.session import COOKIE, Session, Sessions
from workers.settings import Settings
from workers.worker import connect

COORDINATOR = "coordinator@esd.bench"
COACHES_PER_SCHOOL = 8
HEADER = "name,email,role,school,district,school_model,coach,partnership,focus,school_goal"
MOVES = [Stage.initiate, Stage.co_plan, Stage.modeling]  # partnership n makes the first 1 + n % 3 of them
SESSIONS_RECORDED = 5  # sessions 1 to 5; the fifth unlocks coaching (the sample's coaching_unlocks_after)
PAGE_ROWS = 50  # a page of a list in the web app (web/paging.py), for the links to the last page
P95_TARGET_MS = 250.0
MAX_BYTES = 150_000
PATIENCE_S = 900.0  # for the read model to show what was done, and for coaching to unlock
QUERY_RUNS = 20


def roster(coaches: int, tag: str, seed: int = 3) -> Roster:
    """A roster as `synthetic_roster(coaches, seed)` makes it, with this cohort's own addresses
    (`coach3@school3.<tag>.bench`): the one coordinator is in every cohort, nobody else in two."""
    rng = random.Random(seed)
    models = ["part-time", "grade-level-team", "library-ict"]
    schools = max(1, coaches // COACHES_PER_SCHOOL)
    rows = [HEADER, f"Bench Coordinator,{COORDINATOR},coordinator,,ESD,,,,,"]
    for s in range(schools):
        rows.append(f"Principal {s},principal{s}@school{s}.{tag}.bench,principal,School {s},District {s % 9},{rng.choice(models)},,,,")
    for c in range(coaches):
        s = c % schools
        coach = f"coach{c}@school{s}.{tag}.bench"
        rows.append(f"Coach {c},{coach},coach,School {s},District {s % 9},,,,,")
        for t in range(2):
            teacher = f"teacher{c}-{t}@school{s}.{tag}.bench"
            rows.append(f"Teacher {c}-{t},{teacher},teacher,School {s},District {s % 9},,{coach},,Lesson focus {c}-{t},")
    return parse_roster_csv("\n".join(rows) + "\n", f"{coaches} coaches ({tag})")


def program_mid_year() -> Program:
    """The sample calendar moved so session 5 (the unlock) was yesterday: sessions 1 to 4 are months past, 6 to 8 to come."""
    sample = load_program(SAMPLE_PROGRAM)
    yesterday = datetime.now(UTC).astimezone(ZoneInfo(sample.timezone)).date() - timedelta(days=1)
    shift = yesterday - sample.session(5).starts_on
    sessions = [s.model_copy(update={"starts_on": s.starts_on + shift}) for s in sample.sessions]
    year = sessions[0].starts_on.year
    return sample.model_copy(update={"sessions": sessions, "school_year": f"{year}-{year + 1}"})


def workflows_of(people: Roster) -> int:
    """The workflows a launch starts: a ledger a school, a training a coach, one a partnership (the cohort's own aside)."""
    return len(people.schools) + len(people.with_role(Role.coach)) + len(people.partnerships)


class CohortSetup(BaseModel):
    cohort: str
    coaches: int
    schools: int
    partnerships: int
    workflows: int
    launch_s: float  # from launch_cohort until every workflow had started


class Setup(BaseModel):
    cohorts: list[CohortSetup]
    attendance_updates: int
    attendance_s: float
    unlock_wait_s: float  # after the last attendance Update, until the read model showed every coach coaching
    moves: int
    moves_s: float
    move_ms: Latencies  # `concurrency` at a time, while the rest of the setup's work goes on
    caught_up_s: float  # after the last move, until the read model showed every partnership's stage
    by_stage: dict[str, int]  # the timed cohort's partnerships
    outbox_rows: int  # what the timed cohort's people were sent (the outbox page's list)


class PageFigures(BaseModel):
    page: str
    who: str
    path: str  # the cohort as {cohort}
    status: int  # the first answer that was not 200, else 200
    bytes: int  # the largest answer
    ms: Latencies
    cpu_ms_per_request: dict[str, float]  # web app, worker and Temporal server, over the timed requests

    @property
    def fast(self) -> bool:
        return self.status == 200 and self.ms.p95 < P95_TARGET_MS

    @property
    def small(self) -> bool:
        return self.status == 200 and self.bytes < MAX_BYTES


class QueryFigures(BaseModel):
    """A read the pages make, timed in the benchmark's process against the same database (no HTTP, no templates)."""

    query: str
    ms: Latencies


class PagesFigures(BaseModel):
    database: str
    setup: Setup
    requests: int  # timed, one at a time, per page
    warmup: int
    pages: list[PageFigures]
    queries: list[QueryFigures]
    peak_rss_mb: dict[str, float | None]


def _count(database: Database, table: Table, *where: ColumnElement[bool]) -> int:
    with database.begin() as db:
        return int(db.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


async def _until(what: str, done: Callable[[], bool], patience: float = PATIENCE_S) -> float:
    """Poll the database (in a thread) until `done`; seconds it took."""
    began = stopwatch.monotonic()
    while not await asyncio.to_thread(done):
        if stopwatch.monotonic() - began > patience:
            raise SystemExit(f"gave up after {patience:.0f} s waiting for {what}")
        await asyncio.sleep(0.5)
    return stopwatch.monotonic() - began


async def measure(
    work: Path,
    cohorts: list[int],
    requests: int,
    warmup: int,
    concurrency: int,
    in_memory: bool,
    postgres: str | None,
    say: Callable[[str], None],
) -> PagesFigures:
    port = free_port()
    address = f"localhost:{port}"
    server = dev_server(work, port, in_memory)
    secret = secrets.token_urlsafe(32)
    settings = Settings(
        data_dir=work / "peercoach",
        temporal_address=address,
        task_queue="bench-pages",
        database_url=postgres,
        web_secret=secret,
        _env_file=None,  # type: ignore[call-arg]
    )
    extra_env = {"PEERCOACH_WEB_SECRET": secret} | ({"PEERCOACH_DATABASE_URL": postgres} if postgres else {})
    processes: list[Owned] = [server]
    try:
        await until_up(address, server)
        client = await connect(settings)  # makes the data directory's key, which the worker and the web app then read
        database = Database(settings.database)
        database.upgrade()  # the worker and the web app open the same database
        coaching = CoachingClient(client, settings.task_queue, database)
        real_worker = worker("workers", address, settings.task_queue, settings.data_dir, extra_env)
        processes.append(real_worker)
        await until_logged(real_worker, "worker started")

        program = program_mid_year()
        stamp = f"{datetime.now(UTC):%H%M%S}"
        people = [(f"pages-{n}-{coaches}-{stamp}", roster(coaches, f"k{n}")) for n, coaches in enumerate(cohorts)]
        setup = await _set_up(coaching, database, program, people, concurrency, say)

        web_port = free_port()
        web_app = web(address, settings.task_queue, settings.data_dir, web_port, extra_env)
        processes.append(web_app)
        url = f"http://127.0.0.1:{web_port}"
        await _until_serving(url, web_app)
        cpu = CpuMeter(web=web_app, worker=real_worker, server=server)
        sessions = Sessions(secret, database)
        try:
            pages = await _time_pages(url, database, sessions, people, requests, warmup, cpu, say)
        except httpx.TransportError:
            web_app.stop()  # the log is in a temporary directory: its end goes with the error
            tail = web_app.log_path.read_text(errors="replace").splitlines()[-40:]
            raise SystemExit("the web app stopped answering; the end of its log:\n" + "\n".join(tail)) from None
        say("timing the database reads the pages make, in this process")
        queries = await _time_queries(database, coaching, program, people[0])
        peak = {"web": web_app.read_peak_rss(), "worker": real_worker.read_peak_rss(), "server": server.read_peak_rss()}
        del client, coaching  # the SDK can crash at exit while a client is referenced (sdk-python issue 300)
    finally:
        for process in reversed(processes):
            process.stop()
    return PagesFigures(
        database="PostgreSQL" if postgres else "SQLite (the data directory's file)",
        setup=setup,
        requests=requests,
        warmup=warmup,
        pages=pages,
        queries=queries,
        peak_rss_mb=peak,
    )


async def _set_up(
    coaching: CoachingClient,
    database: Database,
    program: Program,
    people: list[tuple[str, Roster]],
    concurrency: int,
    say: Callable[[str], None],
) -> Setup:
    launched = []
    for cohort, r in people:
        coaches = len(r.with_role(Role.coach))
        say(f"launching {cohort}: {coaches} coaches, {len(r.partnerships)} partnerships ({workflows_of(r)} workflows)")
        began = stopwatch.monotonic()
        await coaching.launch_cohort(cohort, program, r, COORDINATOR)
        await coaching.wait_until_launched(cohort)
        launched.append(
            CohortSetup(
                cohort=cohort,
                coaches=coaches,
                schools=len(r.schools),
                partnerships=len(r.partnerships),
                workflows=workflows_of(r),
                launch_s=stopwatch.monotonic() - began,
            )
        )

    coaches_of = [(cohort, p.email) for cohort, r in people for p in r.with_role(Role.coach)]
    say(f"recording sessions 1 to {SESSIONS_RECORDED} for {len(coaches_of)} coaches, {concurrency} coaches at a time")

    async def attend(cohort: str, coach: str) -> None:
        for session in range(1, SESSIONS_RECORDED + 1):
            await coaching.record_one(cohort, COORDINATOR, coach, session, Attendance.attended)

    began = stopwatch.monotonic()
    await bounded(concurrency, [attend(cohort, coach) for cohort, coach in coaches_of])
    attendance_s = stopwatch.monotonic() - began
    t = tables.trainings.c
    coaching_now = [t.status == TrainingStatus.coaching.value]
    unlock_wait_s = await _until(
        "every coach's coaching to unlock",
        lambda: _count(database, tables.trainings, *coaching_now, t.cohort.in_([c for c, _ in people])) >= len(coaches_of),
    )

    plan = [(cohort, p, MOVES[: 1 + n % len(MOVES)]) for cohort, r in people for n, p in enumerate(r.partnerships)]
    moves = sum(len(stages) for _, _, stages in plan)
    say(f"moving {len(plan)} partnerships ({moves} moves), {concurrency} partnerships at a time")
    latencies: list[float] = []

    async def move(cohort: str, p: Partnership, stages: list[Stage]) -> None:
        for stage in stages:
            give_up = stopwatch.monotonic() + PATIENCE_S
            while True:
                sent = stopwatch.monotonic()
                try:
                    await coaching.move(cohort, p.id, p.coach, stage, note=f"{stage.label}: planned the next lesson together")
                except Refused as refused:  # the coach's training tells its partnerships a moment after it unlocks
                    if "not unlocked" in refused.reason and stopwatch.monotonic() < give_up:
                        await asyncio.sleep(0.5)
                        continue
                    raise
                latencies.append(stopwatch.monotonic() - sent)
                break

    began = stopwatch.monotonic()
    await bounded(concurrency, [move(*planned) for planned in plan])
    moves_s = stopwatch.monotonic() - began
    expected = Counter((cohort, stages[-1].value) for cohort, _, stages in plan)
    p = tables.partnerships.c

    def shown() -> bool:
        return all(_count(database, tables.partnerships, p.cohort == c, p.stage == s) == n for (c, s), n in expected.items())

    caught_up_s = await _until("the read model to show every move", shown)
    timed = people[0][0]
    by_stage = {s: n for (c, s), n in sorted(expected.items()) if c == timed}
    outbox_rows = (await asyncio.to_thread(members.messages_to, database, timed, 1, 0)).total
    return Setup(
        cohorts=launched,
        attendance_updates=len(coaches_of) * SESSIONS_RECORDED,
        attendance_s=attendance_s,
        unlock_wait_s=unlock_wait_s,
        moves=moves,
        moves_s=moves_s,
        move_ms=Latencies.of(latencies),
        caught_up_s=caught_up_s,
        by_stage=by_stage,
        outbox_rows=outbox_rows,
    )


async def _until_serving(url: str, web_app: Owned) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=5) as probe:
        for _ in range(600):
            if not web_app.alive():
                raise SystemExit(f"`peercoach web` stopped; see {web_app.log_path}")
            try:
                if (await probe.get("/sign-in")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"`peercoach web` did not answer within 60 s; see {web_app.log_path}")


def _signed_in(url: str, database: Database, sessions: Sessions, email: str) -> httpx.AsyncClient:
    """A browser signed in as `email`: a session row and its signed cookie, as redeeming a sign-in link makes them."""
    sid = secrets.token_urlsafe(16)
    start_session(database, sid, email, datetime.now(UTC))
    return httpx.AsyncClient(base_url=url, cookies={COOKIE: sessions.cookie(Session(sid=sid, email=email))}, timeout=60)


async def _time_pages(
    url: str,
    database: Database,
    sessions: Sessions,
    people: list[tuple[str, Roster]],
    requests: int,
    warmup: int,
    cpu: CpuMeter,
    say: Callable[[str], None],
) -> list[PageFigures]:
    c, r = people[0]
    mine = r.partnerships[0]  # the first coach's first partnership
    school = next(s for s in r.schools if s.id == mine.school)
    assert school.principal is not None
    who = {"coordinator": COORDINATOR, "coach": mine.coach, "teacher": mine.partners[0], "principal": school.principal}
    last_coaches = (len(r.with_role(Role.coach)) - 1) // PAGE_ROWS * PAGE_ROWS
    last_partnerships = (len(r.partnerships) - 1) // PAGE_ROWS * PAGE_ROWS
    pages = [
        ("coordinator dashboard", "coordinator", f"/cohorts/{c}"),
        ("dashboard, last page of each list", "coordinator", f"/cohorts/{c}?coaches={last_coaches}&offset={last_partnerships}"),
        ("attendance", "coordinator", f"/cohorts/{c}/attendance"),
        ("outbox", "coordinator", f"/cohorts/{c}/outbox"),
        ("coordinator home", "coordinator", "/"),
        ("coach home", "coach", "/"),
        ("partnership page (coach)", "coach", f"/cohorts/{c}/partnerships/{mine.id}"),
        ("teacher home", "teacher", "/"),
        ("principal's school page", "principal", f"/cohorts/{c}/schools/{school.id}"),
        ("API summary", "coordinator", f"/api/cohorts/{c}/summary"),
        ("API partnerships", "coordinator", f"/api/cohorts/{c}/partnerships"),
        ("API partnerships, limit=100", "coordinator", f"/api/cohorts/{c}/partnerships?limit=100"),
    ]
    if len(people) > 1:
        pages.append(
            (f"coordinator dashboard, {len(people[1][1].with_role(Role.coach))}-coach cohort", "coordinator", f"/cohorts/{people[1][0]}")
        )
    browsers = {role: _signed_in(url, database, sessions, email) for role, email in who.items()}
    figures = []
    try:
        for name, role, path in pages:
            browser = browsers[role]
            for _ in range(warmup):
                await browser.get(path)
            cpu.start()
            seconds, status, largest = [], 200, 0
            for _ in range(requests):
                sent = stopwatch.perf_counter()
                answer = await browser.get(path)
                seconds.append(stopwatch.perf_counter() - sent)
                largest = max(largest, len(answer.content))
                if answer.status_code != 200 and status == 200:
                    status = answer.status_code
                    say(f"{name} ({role}) {path}: {answer.status_code} {answer.text[:200]!r}")
            shown = path.replace(c, "{cohort}").replace(people[1][0] if len(people) > 1 else c, "{cohort-2}")
            figures.append(
                PageFigures(
                    page=name,
                    who=f"{role} {who[role]}",
                    path=shown,
                    status=status,
                    bytes=largest,
                    ms=Latencies.of(seconds),
                    cpu_ms_per_request=cpu.per(requests),
                )
            )
            f = figures[-1]
            say(f"{name}: p50 {f.ms.p50:.0f} ms, p95 {f.ms.p95:.0f} ms, {f.bytes:,} bytes")
    finally:
        for browser in browsers.values():
            await browser.aclose()
    return figures


async def _time_queries(database: Database, coaching: CoachingClient, program: Program, timed: tuple[str, Roster]) -> list[QueryFigures]:
    c, r = timed
    mine = r.partnerships[0]
    launched = members.launched_at(database, c)
    coaches, partnerships = len(r.with_role(Role.coach)), len(r.partnerships)
    last_coaches, last_partnerships = (coaches - 1) // PAGE_ROWS * PAGE_ROWS, (partnerships - 1) // PAGE_ROWS * PAGE_ROWS
    reads: dict[str, Callable[[], Any]] = {
        "members.standings (the coordinator, every request)": lambda: members.standings(database, COORDINATOR),
        "members.standings (a coach)": lambda: members.standings(database, mine.coach),
        "read_model.cohort_summary": lambda: read_model.cohort_summary(database, c, program, launched, datetime.now(UTC)),
        "read_model.trainings, first page": lambda: read_model.trainings(database, c, None, PAGE_ROWS, 0),
        "read_model.trainings, last page": lambda: read_model.trainings(database, c, None, PAGE_ROWS, last_coaches),
        "read_model.find_partnerships, first page": lambda: read_model.find_partnerships(database, c, limit=PAGE_ROWS),
        "read_model.find_partnerships, last page": lambda: read_model.find_partnerships(
            database, c, limit=PAGE_ROWS, offset=last_partnerships
        ),
        "read_model.find_partnerships, a school": lambda: read_model.find_partnerships(database, c, mine.school, limit=PAGE_ROWS),
        "members.messages_to, first page": lambda: members.messages_to(database, c, PAGE_ROWS, 0),
        "read_model.partnerships_of (a coach)": lambda: read_model.partnerships_of(database, c, mine.coach),
        "read_model.ledgers (a school)": lambda: read_model.ledgers(database, c, mine.school),
    }
    found = []
    for name, read in reads.items():
        read()
        seconds = []
        for _ in range(QUERY_RUNS):
            began = stopwatch.perf_counter()
            read()
            seconds.append(stopwatch.perf_counter() - began)
        found.append(QueryFigures(query=name, ms=Latencies.of(seconds)))
    await coaching.partnership_record(c, mine.id)
    seconds = []
    for _ in range(QUERY_RUNS):
        began = stopwatch.perf_counter()
        await coaching.partnership_record(c, mine.id)
        seconds.append(stopwatch.perf_counter() - began)
    found.append(QueryFigures(query="partnership_record (a query of its workflow, through Temporal)", ms=Latencies.of(seconds)))
    return found
