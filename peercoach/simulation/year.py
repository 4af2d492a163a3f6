"""Run a simulated program year and summarise it as a coordinator would want it."""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from domain.program import Program
from domain.release import ReleaseStatus
from domain.roster import Role, Roster
from peercoach.client import CoachingClient
from peercoach.simulation.behaviour import Step, plan_year, shift_to
from peercoach.simulation.drivers import Outcome, People, moments
from peercoach.simulation.servers import Servers, SimulationStuck
from store import members
from store.outbox import Outbox
from workers.codec import KeyRing, data_converter
from workers.settings import Settings

COHORT = "simulated"
DAYS_PER_SERVER = 28  # simulated days the cohort stays on one time-skipping server (see servers.py)
QUIET_STRETCH = timedelta(hours=6)
QUIET_BEFORE_A_MOMENT = timedelta(hours=1)
STUCK_AFTER_SECONDS = 300  # a busy moment of a state-sized cohort holds the clock for minutes
# Workflow tasks the worker takes at a time: one Python process works them one after another, and a task polled
# but left waiting behind a hundred others expired (10 s), which the test server's clock locks did not survive.
WORKFLOW_TASKS_AT_ONCE = 8


class SchoolRelease(BaseModel):
    school: str
    requested: int
    days_requested: float
    approved: int
    denied: int
    expired: int
    used_days: float
    days_left: float


class YearEnd(BaseModel):
    program: str
    seed: int
    coaches: int
    partnerships: int
    attendance: dict[int, dict[str, int]]
    coaching_unlocked: int
    training: dict[str, int]
    partnerships_by_stage: dict[str, int]
    cycles_completed: dict[int, int]  # cycles completed -> partnerships that completed that many
    stalled_partnerships: int
    follow_ups: int
    escalations: int
    release: list[SchoolRelease]
    notifications: dict[str, int]
    outcome: Outcome
    servers: int  # time-skipping servers the year ran on, one after another


Progress = Callable[[str], None]
Moment = tuple[datetime, dict[str, list[Step]]]  # when, and each person's steps then


async def simulate_year(
    program: Program, roster: Roster, seed: int, on_progress: Progress = lambda _: None, days_per_server: int = DAYS_PER_SERVER
) -> tuple[YearEnd, float]:
    """The year-end summary, and how many seconds of wall time it took.

    With `days_per_server` above 0 the cohort moves to a fresh time-skipping server
    about that often (see servers.py); 0 plays the whole year on one server.
    """
    started = time.monotonic()
    converter = data_converter(KeyRing.generate("a key made for this process only"))
    # The database is thrown away after the summary: keep it in memory (tmpfs) where there is one, not on a disk it would fsync.
    with tempfile.TemporaryDirectory(prefix="peercoach-simulate-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as data:
        # Every workflow of the cohort stays cached in the worker, so no workflow task replays a history.
        workflows = 1 + len(roster.schools) + len(roster.with_role(Role.coach)) + len(roster.partnerships)
        settings = Settings(
            data_dir=Path(data),
            task_queue="simulate",
            workflow_cache=max(1000, workflows + 100),
            workflow_tasks_at_once=WORKFLOW_TASKS_AT_ONCE,
            _env_file=None,
        )  # type: ignore[call-arg]
        try:
            async with Servers(converter, settings) as servers:
                summary = await _play(servers, program, roster, seed, days_per_server, on_progress)
            summary.notifications = dict(sorted(Counter(e.kind for e in Outbox(servers.database).entries()).items()))
        finally:
            gc.collect()
    return summary, time.monotonic() - started


async def _play(servers: Servers, program: Program, roster: Roster, seed: int, days_per_server: int, on_progress: Progress) -> YearEnd:
    # The simulated clock starts at today's date: move the calendar so the year lies ahead.
    program = shift_to(program, await servers.now() + timedelta(days=21))
    plan = plan_year(program, roster, seed)
    on_progress(f"launching {len(roster.with_role(Role.coach))} coaches and {len(roster.partnerships)} partnerships")
    coaching = servers.coaching
    await coaching.launch_cohort(COHORT, program, roster, roster.coordinators[0])
    # Launching thousands keeps the worker busy for a while: say how far it is every 2 s.
    await coaching.wait_until_launched(COHORT, lambda p: on_progress(f"launching: {p.started} of {p.total} workflows started"), every=2)
    planned = list(moments(plan))
    on_progress(f"playing the year: {sum(len(s) for d in planned for s in d[1].values())} planned actions at {len(planned)} moments")
    relay = Relay(servers, days_per_server, program, on_progress)
    people = People(coaching, COHORT)
    playing = asyncio.create_task(_through_the_year(servers, relay, people, planned, _year_end(program, planned), on_progress))
    watchdog = asyncio.create_task(_watch_the_clock(servers))
    try:
        await asyncio.wait([playing, watchdog], return_when=asyncio.FIRST_COMPLETED)
        if watchdog.done():
            playing.cancel()
            watchdog.result()  # raises SimulationStuck
        outcome = playing.result()
    finally:
        watchdog.cancel()
    on_progress("summarising")
    return await _summary(servers.coaching, await servers.now(), program, seed, outcome, servers.carried + 1)


def _year_end(program: Program, planned: list[Moment]) -> datetime:
    """A month after the last session or the last planned step: long enough for every stall chain,
    release request and training year the engine follows on its own to run its course."""
    last = max([program.session_end(len(program.sessions)), *(at for at, _ in planned[-1:])])
    return last + timedelta(days=30)


class Relay:
    """When the cohort moves to a fresh server (see servers.py): about every `days` simulated days,
    an hour before a planned moment that follows a quiet stretch of at least six hours.

    The skip into that hour returns only once the engine is idle (the clock jumps only when no
    task is under way), so no message the people's actions caused is still in flight; servers.py
    takes again any workflow that changes while it is being taken. Never in the last session's
    month either: then trainings finish on their own timers and tell the cohort.
    """

    def __init__(self, servers: Servers, days: int, program: Program, on_progress: Progress):
        self.servers = servers
        self.days = days
        self.on_progress = on_progress
        self.last = program.session_start(len(program.sessions)) - timedelta(days=30)
        self.next: datetime | None = None

    async def before(self, at: datetime, previous: datetime, people: People) -> None:
        if self.days <= 0 or at >= self.last:
            return
        if self.next is None:
            self.next = at + timedelta(days=self.days)
        if at < self.next or at - previous < QUIET_STRETCH:
            return
        await self.servers.skip_to(at - QUIET_BEFORE_A_MOMENT)
        moved = await self.servers.carry_over(COHORT)
        people.coaching = self.servers.coaching
        self.next = at + timedelta(days=self.days)
        self.on_progress(f"carried {moved} running workflows to a fresh time-skipping server at {at:%Y-%m-%d}")


async def _through_the_year(
    servers: Servers, relay: Relay, people: People, planned: list[Moment], end: datetime, on_progress: Progress
) -> Outcome:
    outcome = Outcome()
    month = None
    previous = await servers.now()
    for at, due in [*planned, (end, {})]:
        await relay.before(at, previous, people)
        await servers.skip_to(at)
        previous = at
        if (at.year, at.month) != month:
            month = (at.year, at.month)
            on_progress(f"simulated time: {at:%Y-%m}")
        outcome += await people.act(due)
    return outcome


async def _watch_the_clock(servers: Servers, patience: float = STUCK_AFTER_SECONDS) -> None:
    """If the time-skipping server's clock stops skipping, say so instead of hanging.

    A held clock moves with wall time only (while people act, or while the server waits
    for the engine): less than a simulated minute per 10 s for `patience` seconds is stuck.
    """
    last, still = await servers.now(), 0.0
    while True:
        await asyncio.sleep(10)
        now = await servers.now()
        still = still + 10 if now - last < timedelta(minutes=1) else 0.0
        last = now
        if still >= patience:
            raise SimulationStuck(
                f"the time-skipping test server's clock has not moved for {patience:.0f} s (at {now:%Y-%m-%d %H:%M}); "
                "the simulation was stopped."
            )


async def _summary(coaching: CoachingClient, now: datetime, program: Program, seed: int, outcome: Outcome, servers: int) -> YearEnd:
    summary = await coaching.cohort_summary(COHORT, now)
    partnerships = (await coaching.find_partnerships(COHORT, limit=summary.partnerships + 1)).rows
    release = []
    for school in await asyncio.to_thread(members.schools, coaching.database, COHORT):
        ledger = await coaching.ledger_record(COHORT, school.id)
        statuses = Counter(r.status for r in ledger.requests)
        release.append(
            SchoolRelease(
                school=school.id,
                requested=len(ledger.requests),
                days_requested=sum(r.days for r in ledger.requests),
                approved=statuses[ReleaseStatus.booked] + statuses[ReleaseStatus.used] + statuses[ReleaseStatus.approved],
                denied=statuses[ReleaseStatus.denied],
                expired=statuses[ReleaseStatus.expired],
                used_days=sum(r.days for r in ledger.requests if r.status == ReleaseStatus.used),
                days_left=sum(ledger.remaining(email) for email in ledger.members),
            )
        )
    return YearEnd(
        program=program.name,
        seed=seed,
        coaches=summary.coaches,
        partnerships=summary.partnerships,
        attendance=summary.attendance,
        coaching_unlocked=summary.coaching_unlocked,
        training=summary.training,
        partnerships_by_stage=summary.partnerships_by_stage,
        cycles_completed=dict(sorted(Counter(p.cycles_completed for p in partnerships).items())),
        stalled_partnerships=sum(1 for p in partnerships if p.follow_ups or p.escalations),
        follow_ups=summary.follow_ups,
        escalations=summary.escalations,
        release=release,
        notifications={},
        outcome=outcome,
        servers=servers,
    )
