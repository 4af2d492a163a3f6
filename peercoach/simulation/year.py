"""A program year played on the virtual clock, summarised as a coordinator would want it.

The cohort launches (by default three weeks before its first session), people take
the steps the seeded plan gives them, and the processes follow their own clocks
until a month after the last session or the last planned step. The summary is read
from what the processes published, with the domain functions the read model uses.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import partial

from pydantic import BaseModel

from domain.cohort import CohortSummary, PartnershipSummary, count_year, is_stalled, summarize_year
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseStatus
from domain.roster import Roster
from peercoach.simulation.behaviour import Plan, plan_year
from peercoach.simulation.cohort import SimulatedCohort
from peercoach.simulation.people import Outcome, People
from peercoach.simulation.timeline import Timeline

COHORT = "simulated"
LAUNCHED_AHEAD = timedelta(days=21)  # before the first session, as coordinators launch
FOLLOWED_FOR = timedelta(days=30)  # after the last session or step: every stall chain and release request runs its course


class SchoolRelease(BaseModel):
    school: str
    requested: int
    days_requested: float
    approved: int
    approved_days: float
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


def default_launch(program: Program) -> datetime:
    return program.session_start(1) - LAUNCHED_AHEAD


def year_end(program: Program, plan: Plan) -> datetime:
    """When the year is summarised: a month after the last session or the last planned step."""
    steps = [s.at for s in plan.coordinator] + [s.at for steps in plan.coaches.values() for s in steps]
    return max([program.session_end(len(program.sessions)), *steps]) + FOLLOWED_FOR


def simulate_year(
    program: Program,
    roster: Roster,
    seed: int,
    launch_at: datetime | None = None,
    cohort: str = COHORT,
) -> YearEnd:
    """The year-end summary of `roster` playing `program` with this seed.

    Steps planned before the launch are taken right after it, in their planned order: a cohort
    launched mid-year catches up (the coordinator records the sessions already held, and so on).
    """
    launch_at = launch_at or default_launch(program)
    plan = plan_year(program, roster, seed)
    timeline = Timeline()
    simulated = SimulatedCohort(cohort, program, roster, timeline)
    people = People(simulated)
    timeline.at(launch_at, simulated.launch)
    for step in [*plan.coordinator, *(s for steps in plan.coaches.values() for s in steps)]:
        timeline.at(max(step.at, launch_at), partial(people.act, step))
    end = max(year_end(program, plan), launch_at + FOLLOWED_FOR)
    timeline.run_until(end)
    model = simulated.read_model
    trainings, partnerships = list(model.trainings.values()), list(model.partnerships.values())
    stalled = [p for p in partnerships if is_stalled(p)]
    summary = summarize_year(cohort, program, simulated.launched_at, count_year(trainings, partnerships), stalled, end)
    return summarise(summary, seed, partnerships, list(model.ledgers.values()), simulated.outbox.by_kind(), people.outcome)


def summarise(
    summary: CohortSummary,
    seed: int,
    partnerships: list[PartnershipSummary],
    ledgers: list[ReleaseLedgerRecord],
    notifications: dict[str, int],
    outcome: Outcome,
) -> YearEnd:
    """The year end from what the read model holds: the cohort's summary, its partnerships and its school ledgers."""
    return YearEnd(
        program=summary.program,
        seed=seed,
        coaches=summary.coaches,
        partnerships=summary.partnerships,
        attendance={n: dict(sorted(marks.items())) for n, marks in summary.attendance.items()},
        coaching_unlocked=summary.coaching_unlocked,
        training=dict(sorted(summary.training.items())),
        partnerships_by_stage=summary.partnerships_by_stage,
        cycles_completed=dict(sorted(Counter(p.cycles_completed for p in partnerships).items())),
        stalled_partnerships=sum(1 for p in partnerships if p.follow_ups or p.escalations),
        follow_ups=summary.follow_ups,
        escalations=summary.escalations,
        release=[_release(ledger) for ledger in sorted(ledgers, key=lambda ledger: ledger.school)],
        notifications=dict(sorted(notifications.items())),
        outcome=outcome,
    )


def _release(ledger: ReleaseLedgerRecord) -> SchoolRelease:
    statuses = Counter(r.status for r in ledger.requests)
    approved = [r for r in ledger.requests if r.status in (ReleaseStatus.approved, ReleaseStatus.booked, ReleaseStatus.used)]
    return SchoolRelease(
        school=ledger.school,
        requested=len(ledger.requests),
        days_requested=sum(r.days for r in ledger.requests),
        approved=len(approved),
        approved_days=sum(r.days for r in approved),
        denied=statuses[ReleaseStatus.denied],
        expired=statuses[ReleaseStatus.expired],
        used_days=sum(r.days for r in ledger.requests if r.status == ReleaseStatus.used),
        days_left=sum(ledger.remaining(email) for email in ledger.members),
    )
