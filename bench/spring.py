"""`python -m bench spring`: an offering's spring at state size, beside plain Temporal on the same server.

On its own dev server (in memory) with the real worker process and a fresh SQLite database, it
opens one offering and sends every applicant's three Updates through `EnrollmentClient` as people
would: apply, confirm the email, the principal's endorsement. The first 50 applicants go one at a
time (a quiet evening); the rest `concurrency` at a time (the week before the deadline). Then the
office decides the one site early, which places every applicant at once: one Update, a notice each
and the database written in parts. It reports Update latency and rate against plain Temporal's
(`bench/plain.py`, run first on the same server), the workflow's history (events, runs continued as
new) and the size of its record, which every continue-as-new carries and every launch queries.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel
from temporalio.client import Client

from bench import plain
from bench.processes import CpuMeter, dev_server, free_port, until_logged, until_up, worker
from bench.stats import Latencies, bounded
from domain.applications import ApplicationForm, ApplicationStatus
from domain.offering import Offering
from domain.processes.enrollment_requests import EarlySiteDecision, EndorsementAnswer
from peercoach.client import CoachingClient
from peercoach.enrollment_client import EnrollmentClient
from store import applications
from store.database import Database
from store.outbox import Outbox
from workers.settings import Settings
from workers.worker import connect
from workflows import ids

ONE_AT_A_TIME = 50
OFFICE = "office@bench.test"


class SpringFigures(BaseModel):
    applicants: int
    concurrency: int
    plain: plain.PlainFigures
    update_one_at_a_time_ms: Latencies  # apply, confirm and endorse, one applicant at a time
    updates_per_s: float  # the three Updates of the rest, `concurrency` applicants at a time
    update_ms: Latencies
    cpu_ms_per_update: dict[str, float]
    decide_all_s: float  # the early decision's Update round trip: every applicant placed
    placed_in_database_s: float  # from the decision until the database shows every applicant accepted
    told_s: float  # from the decision until every applicant's notice is in the outbox
    history_events: int  # over every run
    runs: int  # continued as new: the history grew long
    record_kb: float  # the workflow's record as JSON (what continue-as-new carries, and a query returns)


def offering(now: datetime) -> Offering:
    """One site with no maximum, so an early decision takes everyone; the window open until next week."""
    return Offering.model_validate(
        {
            "id": f"bench-{uuid.uuid4().hex[:6]}",
            "name": "Benchmark offering",
            "school_year": f"{now.year}-{now.year + 1}",
            "timezone": "UTC",
            "opens": now.date(),
            "deadline": (now + timedelta(days=7)).date(),
            "fee": {"amount": 799, "currency": "USD"},
            "sites": [{"id": "esd-112", "name": "ESD 112, Vancouver", "region": "southwest", "minimum": 12}],
            "scholarships": [{"id": "wlma", "offered_by": "WLMA", "count": 14, "amount": 500, "rule": "one_per_region"}],
            "commitment": {"release_days_per_teacher": 2, "planning_time": "Weekly common planning", "coach_fte": 0.5},
        }
    )


def form(n: int) -> ApplicationForm:
    return ApplicationForm(
        name=f"Applicant {n}",
        email=f"applicant{n}@schools.test",
        school=f"School {n // 4}",
        district="Evergreen",
        region="southwest",
        role="teacher_librarian",
        site="esd-112",
        why="To help colleagues use the library's research tools in every grade, as our school plan asks.",
        principal_name=f"Principal {n // 4}",
        principal_email=f"principal{n // 4}@schools.test",
        scholarship="wlma" if n % 3 == 0 else None,
    )


async def measure(work: Path, applicants: int, concurrency: int, plain_workflows: int, say: Callable[[str], None]) -> SpringFigures:
    port = free_port()
    address = f"localhost:{port}"
    server = dev_server(work, port, in_memory=True)
    try:
        await until_up(address, server)
        say(f"plain Temporal: {plain_workflows} workflows, one Update each, {concurrency} at a time")
        plain_worker = worker("bench.plain_worker", address, "bench-plain", work)
        try:
            await until_logged(plain_worker, "plain worker started")
            plain_figures, _ = await plain.measure(
                await Client.connect(address), "bench-plain", plain_workflows, concurrency, CpuMeter(worker=plain_worker, server=server)
            )
        finally:
            plain_worker.stop()

        settings = Settings(data_dir=work / "peercoach", temporal_address=address, task_queue="bench", _env_file=None)  # type: ignore[call-arg]
        client = await connect(settings)
        database = Database(settings.database)
        database.upgrade()
        real_worker = worker("workers", address, settings.task_queue, settings.data_dir)
        try:
            await until_logged(real_worker, "worker started")
            enrollment = EnrollmentClient(CoachingClient(client, settings.task_queue, database))
            return await _spring(
                enrollment, database, applicants, concurrency, plain_figures, CpuMeter(worker=real_worker, server=server), say
            )
        finally:
            real_worker.stop()
    finally:
        server.stop()


async def _spring(
    enrollment: EnrollmentClient,
    database: Database,
    applicants: int,
    concurrency: int,
    plain_figures: plain.PlainFigures,
    cpu: CpuMeter,
    say: Callable[[str], None],
) -> SpringFigures:
    offered = offering(datetime.now(UTC))
    await enrollment.open_offering(offered, [OFFICE])

    async def one_applicant(n: int, latencies: list[float]) -> None:
        """Numbers are given in the order applications arrive: the later steps name the one this applicant got."""
        sent = time.monotonic()
        application = (await enrollment.apply(offered.id, form(n))).id
        latencies.append(time.monotonic() - sent)
        for step in (
            enrollment.confirm_email(application, form(n).email),
            enrollment.answer_endorsement(EndorsementAnswer(application=application, actor=form(n).principal_email, endorse=True)),
        ):
            sent = time.monotonic()
            await step
            latencies.append(time.monotonic() - sent)

    say(f"{applicants} applicants: the first {ONE_AT_A_TIME} one at a time, then {concurrency} at a time")
    quiet: list[float] = []
    for n in range(1, ONE_AT_A_TIME + 1):
        await one_applicant(n, quiet)
    busy: list[float] = []
    cpu.start()
    began = time.monotonic()
    await bounded(concurrency, [one_applicant(n, busy) for n in range(ONE_AT_A_TIME + 1, applicants + 1)])
    busy_s = time.monotonic() - began
    cpu_ms = cpu.per(len(busy))

    say("the office decides the site early: everyone is placed at once")
    decided_at = time.monotonic()
    placed = await enrollment.decide_site(offered.id, EarlySiteDecision(site="esd-112", runs=True, reason="Full", actor=OFFICE))
    decide_s = time.monotonic() - decided_at
    assert len(placed) == applicants, f"{len(placed)} placed of {applicants}"
    in_database = await _until(lambda: len(applications.applications(database, offered.id, ApplicationStatus.accepted)) == applicants)
    told = await _until(lambda: len(Outbox(database).entries(kind="application_placed", limit=applicants + 1)) == applicants)

    record = await enrollment.record(offered.id)
    events, runs = await _history(enrollment, offered.id)
    return SpringFigures(
        applicants=applicants,
        concurrency=concurrency,
        plain=plain_figures,
        update_one_at_a_time_ms=Latencies.of(quiet),
        updates_per_s=len(busy) / busy_s,
        update_ms=Latencies.of(busy),
        cpu_ms_per_update=cpu_ms,
        decide_all_s=decide_s,
        placed_in_database_s=in_database - decided_at,
        told_s=told - decided_at,
        history_events=events,
        runs=runs,
        record_kb=len(record.model_dump_json()) / 1000,
    )


async def _until(check: Callable[[], bool], seconds: float = 600) -> float:
    """The moment `check` first holds (monotonic), polling every 50 ms."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"not done within {seconds:.0f} s: {check}")
        await asyncio.sleep(0.05)
    return time.monotonic()


async def _history(enrollment: EnrollmentClient, offering_id: str) -> tuple[int, int]:
    """Events over every run of the offering's workflow, and how many runs."""
    client = enrollment.coaching.client
    events = runs = 0
    async for wf in client.list_workflows(f"WorkflowId = '{ids.enrollment_id(offering_id)}'"):
        history = await client.get_workflow_handle(wf.id, run_id=wf.run_id).fetch_history()
        events, runs = events + len(history.events), runs + 1
    return events, runs


def show(f: SpringFigures, say: Callable[[str], None]) -> None:
    """The figures as a table, with plain Temporal's beside them and the ratio."""
    p = f.plain
    rows = [
        ("Update round trip p50, one at a time (ms)", p.update_one_at_a_time_ms.p50, f.update_one_at_a_time_ms.p50),
        ("p95, one at a time (ms)", p.update_one_at_a_time_ms.p95, f.update_one_at_a_time_ms.p95),
        (f"Updates per second, {f.concurrency} at a time", p.updates_per_s, f.updates_per_s),
        ("worker CPU per Update (ms)", p.cpu_ms_per_update["worker"], f.cpu_ms_per_update["worker"]),
        ("server CPU per Update (ms)", p.cpu_ms_per_update["server"], f.cpu_ms_per_update["server"]),
    ]
    say(f"| {f.applicants:,} applicants | plain | spring | ratio |")
    say("|---|---|---|---|")
    for label, plain_value, spring_value in rows:
        say(f"| {label} | {plain_value:.1f} | {spring_value:.1f} | {spring_value / plain_value:.2f} |")
    say(f"| everyone placed by one early decision: its Update (s) | | {f.decide_all_s:.2f} | |")
    say(f"| ... every row in the database (s) | | {f.placed_in_database_s:.1f} | |")
    say(f"| ... every applicant's notice in the outbox (s) | | {f.told_s:.1f} | |")
    say(f"| history: events over {f.runs} run(s) | | {f.history_events:,} | |")
    say(f"| the record as JSON (KB) | | {f.record_kb:.0f} | |")
