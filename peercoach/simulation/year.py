"""Run a simulated program year and summarise it as a coordinator would want it."""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.outbox import Outbox
from domain.program import Program
from domain.release import ReleaseStatus
from domain.roster import Role, Roster
from peercoach.client import CoachingClient
from peercoach.local_temporal import start_time_skipping_environment
from peercoach.simulation.behaviour import plan_year, shift_to
from peercoach.simulation.drivers import DriverInput, Outcome, PersonDriverWorkflow, SimulatedPeople
from workers.settings import Settings
from workers.worker import create_worker, workflow_runner

COHORT = "simulated"
STUCK_AFTER_SECONDS = 120
PEOPLE_QUEUE = "simulated-people"


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
        with tempfile.TemporaryDirectory(prefix="peercoach-simulate-") as data:
            settings = Settings(data_dir=Path(data), task_queue="simulate", _env_file=None)  # type: ignore[call-arg]
            coaching = CoachingClient(env.client, settings.task_queue)
            people = Worker(
                env.client,
                task_queue=PEOPLE_QUEUE,
                workflows=[PersonDriverWorkflow],
                activities=[SimulatedPeople(coaching).step],
                workflow_runner=workflow_runner(),
                max_concurrent_activities=64,
            )
            async with create_worker(env.client, settings), people:
                summary = await _play(env, coaching, program, roster, seed, on_progress)
                summary.notifications = dict(sorted(Counter(e.kind for e in Outbox(settings.outbox_path).entries()).items()))
            del people, coaching
    finally:
        await env.shutdown()
        del env
        gc.collect()
    return summary, time.monotonic() - started


async def _play(
    env: WorkflowEnvironment, coaching: CoachingClient, program: Program, roster: Roster, seed: int, on_progress: Progress
) -> YearEnd:
    # The simulated clock starts at today's date: move the calendar so the year lies ahead.
    program = shift_to(program, await env.get_current_time() + timedelta(days=21))
    plan = plan_year(program, roster, seed)
    on_progress(f"launching {len(roster.with_role(Role.coach))} coaches and {len(roster.partnerships)} partnerships")
    await coaching.launch_cohort(COHORT, program, roster, roster.coordinators[0])
    await coaching.wait_until_launched(COHORT)
    drivers = [("coordinator", plan.coordinator), *plan.coaches.items()]
    handles = []
    for who, steps in drivers:
        handles.append(
            await env.client.start_workflow(
                PersonDriverWorkflow.run, DriverInput(cohort=COHORT, steps=steps), id=f"simulated-person/{who}", task_queue=PEOPLE_QUEUE
            )
        )
    on_progress(f"playing the year: {len(handles)} people, {sum(len(s) for _, s in drivers)} planned actions")
    outcome = Outcome()
    watchdog = asyncio.create_task(_watch_the_clock(env, on_progress))
    try:
        for handle in handles:  # one at a time: the test server's clock is shared (DESIGN.md)
            played = asyncio.create_task(handle.result())
            await asyncio.wait([played, watchdog], return_when=asyncio.FIRST_COMPLETED)
            if watchdog.done():
                played.cancel()
                watchdog.result()  # raises SimulationStuck
            outcome += played.result()
    finally:
        watchdog.cancel()
    on_progress("summarising")
    return await _summary(coaching, program, seed, outcome)


class SimulationStuck(Exception):
    pass


async def _watch_the_clock(env: WorkflowEnvironment, on_progress: Progress, patience: float = STUCK_AFTER_SECONDS) -> None:
    """The time-skipping server can stop moving its clock (seen here under load); say so instead of hanging."""
    last, still = await env.get_current_time(), 0.0
    while True:
        await asyncio.sleep(10)
        now = await env.get_current_time()
        still = still + 10 if now - last < timedelta(minutes=1) else 0.0
        if now.month != last.month:
            on_progress(f"simulated time: {now:%Y-%m-%d}")
        last = now
        if still >= patience:
            raise SimulationStuck(
                f"the time-skipping test server's clock has not moved for {patience:.0f} s (at {now:%Y-%m-%d %H:%M}); "
                "the simulation was stopped. Try fewer coaches."
            )


async def _summary(coaching: CoachingClient, program: Program, seed: int, outcome: Outcome) -> YearEnd:
    state = await coaching.cohort_state(COHORT)
    summary = await coaching.cohort_summary(COHORT)
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
