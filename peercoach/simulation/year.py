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

from domain.cohort import CohortSummary, PartnershipSummary, TrainingSummary, count_year, is_stalled, summarize_year
from domain.cycle import Stage
from domain.plans import SchoolPlan
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseStatus
from domain.roster import Roster
from domain.tiers import EVERYONE, Movement, Round
from domain.training import TrainingStatus
from domain.year_two import YearTwoChoice, YearTwoDecision, coach_subject, partnership_subject
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


class SchoolYearEnd(BaseModel):
    school: str
    plan: str  # its status at year end, or "not written"
    plan_endorsed_late: bool
    assessed: dict[Round, int]  # how many answered each round
    tier_movement: Movement  # of its collaborating teachers who answered both rounds
    year_two: dict[str, int]  # decisions by choice
    decided_late: int  # after the year-2 deadline
    undecided: int  # partnerships and coaches without a year-2 decision


class Plans(BaseModel):
    written: int
    endorsed: int
    endorsed_late: int  # after the plan deadline


class SchoolYears(BaseModel):
    """What the summary reads of the schools' years: the published plans and decisions, and the answers' counts."""

    plan_deadline: datetime
    year_two_deadline: datetime
    plans: dict[str, SchoolPlan]  # by school, those written
    decisions: dict[str, list[YearTwoDecision]]  # by school
    assessed: dict[str, dict[Round, int]]  # by school
    tier_movement: dict[str, Movement]  # by group: the cohort (EVERYONE), each school, each model
    trainings: list[TrainingSummary]


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
    plans: Plans
    tier_movement: Movement  # over the cohort's collaborating teachers who answered both rounds
    year_two: dict[str, int]  # decisions by choice, how many of them came "late", and how many are "undecided"
    schools: list[SchoolYearEnd]
    outcome: Outcome


def default_launch(program: Program) -> datetime:
    return program.session_start(1) - LAUNCHED_AHEAD


def year_end(program: Program, plan: Plan) -> datetime:
    """When the year is summarised: a month after the last session or the last planned step."""
    steps = [s.at for s in plan.steps()]
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
    for step in plan.steps():
        timeline.at(max(step.at, launch_at), partial(people.act, step))
    end = max(year_end(program, plan), launch_at + FOLLOWED_FOR)
    timeline.run_until(end)
    model = simulated.read_model
    trainings, partnerships = list(model.trainings.values()), list(model.partnerships.values())
    stalled = [p for p in partnerships if is_stalled(p)]
    summary = summarize_year(cohort, program, simulated.launched_at, count_year(trainings, partnerships), stalled, end)
    schools = SchoolYears(
        plan_deadline=program.plan_deadline(),
        year_two_deadline=program.year_two_deadline(),
        plans={school: s.plan for school, s in model.schools.items() if s.plan is not None},
        decisions={school: s.decisions for school, s in model.schools.items() if s.decisions},
        assessed=simulated.self_assessments.assessed_counts(),
        tier_movement=simulated.self_assessments.tier_movement(),
        trainings=trainings,
    )
    return summarise(summary, seed, partnerships, list(model.ledgers.values()), simulated.outbox.by_kind(), schools, people.outcome)


def summarise(
    summary: CohortSummary,
    seed: int,
    partnerships: list[PartnershipSummary],
    ledgers: list[ReleaseLedgerRecord],
    notifications: dict[str, int],
    schools: SchoolYears,
    outcome: Outcome,
) -> YearEnd:
    """The year end from what the read model holds: the cohort's summary, its partnerships, its school ledgers and years."""
    subjects: dict[str, list[str]] = {}  # what each school's year 2 is decided for: its partnerships and coaches taking part
    for p in partnerships:
        if p.stage != Stage.withdrawn:
            subjects.setdefault(p.school, []).append(partnership_subject(p.id))
    for t in schools.trainings:
        if t.status != TrainingStatus.withdrawn:
            subjects.setdefault(t.school, []).append(coach_subject(t.coach))
    years = [
        _school_year(ledger.school, schools, subjects.get(ledger.school, []))
        for ledger in sorted(ledgers, key=lambda ledger: ledger.school)
    ]
    plans = list(schools.plans.values())
    year_two = Counter[str]()
    for y in years:
        year_two.update({**y.year_two, "late": y.decided_late, "undecided": y.undecided})
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
        plans=Plans(
            written=len(plans),
            endorsed=sum(p.endorsed for p in plans),
            endorsed_late=sum(1 for p in plans if p.endorsed_at is not None and p.endorsed_at > schools.plan_deadline),
        ),
        tier_movement=schools.tier_movement.get(EVERYONE, Movement(group=EVERYONE)),
        year_two={key: year_two[key] for key in [*(choice.value for choice in YearTwoChoice), "late", "undecided"]},
        schools=years,
        outcome=outcome,
    )


def _school_year(school: str, schools: SchoolYears, subjects: list[str]) -> SchoolYearEnd:
    plan = schools.plans.get(school)
    decisions = schools.decisions.get(school, [])
    decided = {d.subject: d.choice for d in decisions}
    choices = Counter(decided.values())
    return SchoolYearEnd(
        school=school,
        plan="not written" if plan is None else plan.status.value,
        plan_endorsed_late=plan is not None and plan.endorsed_at is not None and plan.endorsed_at > schools.plan_deadline,
        assessed=schools.assessed.get(school, {Round.pre: 0, Round.post: 0}),
        tier_movement=schools.tier_movement.get(school, Movement(group=school)),
        year_two={choice.value: choices[choice] for choice in YearTwoChoice},
        decided_late=sum(1 for d in decisions if d.decided_at > schools.year_two_deadline),
        undecided=sum(1 for s in subjects if s not in decided),
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
