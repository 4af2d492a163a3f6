"""Run a simulated program year and summarise it as a coordinator would want it."""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from google.protobuf.empty_pb2 import Empty
from pydantic import BaseModel
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client
from temporalio.service import RPCError

from activities.outbox import Outbox
from domain.cohort import summarize
from domain.program import Program
from domain.release import ReleaseStatus
from domain.roster import Role, Roster
from peercoach.client import CoachingClient
from peercoach.local_temporal import start_time_skipping_environment
from peercoach.simulation.behaviour import Step, plan_year, shift_to
from peercoach.simulation.drivers import Outcome, People, moments
from workers.settings import Settings
from workers.worker import create_worker

COHORT = "simulated"
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


Progress = Callable[[str], None]


async def simulate_year(program: Program, roster: Roster, seed: int, on_progress: Progress = lambda _: None) -> tuple[YearEnd, float]:
    """The year-end summary, and how many seconds of wall time it took."""
    started = time.monotonic()
    env = await start_time_skipping_environment()
    try:
        # The outbox is thrown away after the summary: keep it in memory (tmpfs) where there is one, not on a disk it would fsync.
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
            client = env.client
            coaching = CoachingClient(client, settings.task_queue)
            async with create_worker(client, settings):
                summary = await _play(Clock(client), coaching, program, roster, seed, on_progress)
                summary.notifications = dict(sorted(Counter(e.kind for e in Outbox(settings.outbox_path).entries()).items()))
            del coaching, client
    finally:
        await env.shutdown()
        del env
        gc.collect()
    return summary, time.monotonic() - started


class Clock:
    """The time-skipping server's clock. It moves only while this client lets it (see drivers.py)."""

    def __init__(self, client: Client):
        self.client = client

    async def now(self) -> datetime:
        response = await self.client.test_service.get_current_time(Empty(), timeout=timedelta(seconds=30))
        return response.time.ToDatetime().replace(tzinfo=UTC)

    async def skip_to(self, at: datetime) -> None:
        """Let the clock run to `at` (through every timer of the engine on the way, each once the engine is idle)."""
        now = await self.now()
        if now >= at:
            return
        request = SleepRequest()
        request.duration.FromTimedelta(at - now)
        try:
            # It returns once the engine is idle at `at`: after a busy moment of a large cohort, well past the 30 s default.
            await self.client.test_service.unlock_time_skipping_with_sleep(request, timeout=timedelta(hours=1))
        except RPCError as err:  # not asked again: a second unlock could unbalance the server's clock locks
            raise SimulationStuck(
                f"the time-skipping test server failed to move its clock to {at:%Y-%m-%d %H:%M}: {err.message[:300]}"
            ) from None


async def _play(clock: Clock, coaching: CoachingClient, program: Program, roster: Roster, seed: int, on_progress: Progress) -> YearEnd:
    # The simulated clock starts at today's date: move the calendar so the year lies ahead.
    program = shift_to(program, await clock.now() + timedelta(days=21))
    plan = plan_year(program, roster, seed)
    on_progress(f"launching {len(roster.with_role(Role.coach))} coaches and {len(roster.partnerships)} partnerships")
    await coaching.launch_cohort(COHORT, program, roster, roster.coordinators[0])
    # Launching thousands keeps the worker busy for a while: say how far it is every 2 s.
    await coaching.wait_until_launched(COHORT, lambda p: on_progress(f"launching: {p.started} of {p.total} workflows started"), every=2)
    planned = list(moments(plan))
    on_progress(f"playing the year: {sum(len(s) for d in planned for s in d[1].values())} planned actions at {len(planned)} moments")
    people = People(coaching, COHORT)
    playing = asyncio.create_task(_through_the_year(clock, people, planned, _year_end(program, planned), on_progress))
    watchdog = asyncio.create_task(_watch_the_clock(clock))
    try:
        await asyncio.wait([playing, watchdog], return_when=asyncio.FIRST_COMPLETED)
        if watchdog.done():
            playing.cancel()
            watchdog.result()  # raises SimulationStuck
        outcome = playing.result()
    finally:
        watchdog.cancel()
    on_progress("summarising")
    return await _summary(coaching, await clock.now(), program, seed, outcome)


def _year_end(program: Program, planned: list[tuple[datetime, dict[str, list[Step]]]]) -> datetime:
    """A month after the last session or the last planned step: long enough for every stall chain,
    release request and training year the engine follows on its own to run its course."""
    last = max([program.session_end(len(program.sessions)), *(at for at, _ in planned[-1:])])
    return last + timedelta(days=30)


async def _through_the_year(
    clock: Clock, people: People, planned: list[tuple[datetime, dict[str, list[Step]]]], end: datetime, on_progress: Progress
) -> Outcome:
    outcome = Outcome()
    month = None
    for at, due in [*planned, (end, {})]:
        await clock.skip_to(at)
        if (at.year, at.month) != month:
            month = (at.year, at.month)
            on_progress(f"simulated time: {at:%Y-%m}")
        outcome += await people.act(due)
    return outcome


class SimulationStuck(Exception):
    pass


async def _watch_the_clock(clock: Clock, patience: float = STUCK_AFTER_SECONDS) -> None:
    """If the time-skipping server's clock stops skipping, say so instead of hanging.

    A held clock moves with wall time only (while people act, or while the server waits
    for the engine): less than a simulated minute per 10 s for `patience` seconds is stuck.
    """
    last, still = await clock.now(), 0.0
    while True:
        await asyncio.sleep(10)
        now = await clock.now()
        still = still + 10 if now - last < timedelta(minutes=1) else 0.0
        last = now
        if still >= patience:
            raise SimulationStuck(
                f"the time-skipping test server's clock has not moved for {patience:.0f} s (at {now:%Y-%m-%d %H:%M}); "
                "the simulation was stopped."
            )


async def _summary(coaching: CoachingClient, now: datetime, program: Program, seed: int, outcome: Outcome) -> YearEnd:
    state = await coaching.cohort_state(COHORT)
    summary = summarize(state, now)
    partnerships = list(state.partnerships.values())
    release = []
    for school in state.roster.schools:
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
    )
