"""A simulated year played on the real workflows, on Temporal's time-skipping test server.

The people of the simulator's plan act through the client every door uses: the
server's clock is moved to each planned moment (its sleep call: the server skips
through every timer of the engine on the way, each once the engine is idle), then
everyone due acts at once, each person's steps in their planned order (a school's
plan, self-assessments and year 2 count as one person: its plan is endorsed only
after it is written). Several cohorts play in one year on one server, each
summarised at its own year end from the read model, the outbox, the school ledgers
and the schools' plans, decisions and sealed answers, as the simulator summarises.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

from temporalio.testing import WorkflowEnvironment

from domain.notices import cohort_of
from domain.problems import Refused
from domain.program import Program
from domain.roster import Roster
from domain.training import Attendance
from peercoach.client import CoachingClient
from peercoach.simulation.behaviour import Plan, Step, StepKind, plan_year
from peercoach.simulation.people import SCHOOL_STEPS, Outcome, plan_draft, release_ask, self_assessment, year_two_answer
from peercoach.simulation.year import SchoolYears, YearEnd, summarise, year_end
from store import read_model, school_year
from store.outbox import Outbox
from store.sealed import Sealer

EVERYONE = 1_000_000  # one page: the whole cohort


def shift_to(program: Program, first_session: datetime) -> Program:
    """The same calendar moved so that session 1 falls on `first_session`'s date (the test server's clock starts today)."""
    offset = first_session.date() - program.session(1).starts_on
    sessions = [s.model_copy(update={"starts_on": s.starts_on + offset}) for s in program.sessions]
    return program.model_copy(update={"sessions": sessions})


class People:
    """Everyone in one cohort, and what each remembers between their steps (as peercoach/simulation/people.py)."""

    def __init__(self, coaching: CoachingClient, cohort: str):
        self.coaching = coaching
        self.cohort = cohort
        self.outcome = Outcome()
        self.requests: dict[str, str] = {}
        self.gave_up: set[str] = set()
        self.plans: set[str] = set()

    async def act(self, steps: list[Step]) -> None:
        for step in steps:
            await self._step(step)

    async def _step(self, step: Step) -> None:
        o, c, p = self.outcome, self.coaching, step.partnership or ""
        if step.kind == StepKind.attendance:
            assert step.session is not None
            session = step.session

            async def one(coach: str, status: Attendance) -> bool:
                try:
                    await c.record_one(self.cohort, step.actor, coach, session, status)
                    return True
                except Refused:
                    return False

            done = await asyncio.gather(*(one(coach, status) for coach, status in step.marks.items()))
            o.attendance_recorded += sum(done)
            o.attendance_refused += len(done) - sum(done)
        elif step.kind == StepKind.move:
            if p in self.gave_up:
                return
            assert step.to is not None
            try:
                await c.move(self.cohort, p, step.actor, step.to)
                o.moves += 1
            except Refused:
                self.gave_up.add(p)
                o.moves_refused += 1
        elif step.kind == StepKind.ask_release:
            assert step.school is not None
            ask = release_ask(step)
            try:
                made = await c.request_release(self.cohort, step.school, ask.requester, ask.days, ask.on, ask.purpose, ask.partnership)
                self.requests[p] = made.id
                o.release_asked += 1
            except Refused:
                o.release_refused += 1
        elif step.kind in SCHOOL_STEPS:
            await self._school_year(step)
        elif p in self.requests:
            try:
                await c.decide_release(self.requests[p], step.actor, bool(step.approve))
                o.decisions += 1
            except Refused:
                o.decisions_refused += 1

    async def _school_year(self, step: Step) -> None:
        o, c, school = self.outcome, self.coaching, step.school or ""
        if step.kind == StepKind.write_plan:
            try:
                await c.write_plan(self.cohort, school, plan_draft(step))
                self.plans.add(school)
                o.plans_written += 1
            except Refused:
                o.plans_refused += 1
        elif step.kind == StepKind.endorse_plan:
            if school not in self.plans:
                return
            try:
                await c.endorse_plan(self.cohort, school, step.actor)
                o.endorsements += 1
            except Refused:
                o.endorsements_refused += 1
        elif step.kind == StepKind.assess:
            a = self_assessment(step)
            try:
                await c.assess(self.cohort, school, a.actor, a.round, a.answers)
                o.assessments += 1
            except Refused:
                o.assessments_refused += 1
        else:
            d = year_two_answer(step)
            try:
                await c.decide_year_two(self.cohort, school, d.actor, d.subject, d.choice, d.reason)
                o.year_two_decisions += 1
            except Refused:
                o.year_two_refused += 1


class Cohort:
    def __init__(self, cohort: str, roster: Roster, seed: int, plan: Plan, coaching: CoachingClient):
        self.cohort = cohort
        self.roster = roster
        self.seed = seed
        self.plan = plan
        self.people = People(coaching, cohort)
        self.launched_at: datetime | None = None


async def play_year(
    env: WorkflowEnvironment, coaching: CoachingClient, sealer: Sealer, program: Program, years: dict[str, tuple[Roster, int]]
) -> dict[str, tuple[datetime, YearEnd]]:
    """Each cohort's launch time and year end, all cohorts launched at once and played in one year."""
    cohorts = [Cohort(name, roster, seed, plan_year(program, roster, seed), coaching) for name, (roster, seed) in years.items()]
    for c in cohorts:
        c.launched_at = await env.get_current_time()
        await coaching.launch_cohort(c.cohort, program, c.roster, c.roster.coordinators[0])
    for c in cohorts:
        await coaching.wait_until_launched(c.cohort)
    # Each moment's steps by cohort and person; a cohort's summary is due at its own year end.
    due: dict[datetime, list[tuple[People, list[Step]]]] = {}
    for c in cohorts:
        persons: dict[tuple[datetime, str], list[Step]] = {}
        schools = [(f"school {school}", steps) for school, steps in c.plan.schools.items()]
        for who, steps in [("coordinator", c.plan.coordinator), *c.plan.coaches.items(), *schools]:
            for step in steps:
                persons.setdefault((step.at, who), []).append(step)
        for (at, _), steps in persons.items():
            due.setdefault(at, []).append((c.people, steps))
    ends = sorted((year_end(program, c.plan), index) for index, c in enumerate(cohorts))
    moments = sorted(due)
    played: dict[str, tuple[datetime, YearEnd]] = {}
    for end, index in ends:
        while moments and moments[0] <= end:
            at = moments.pop(0)
            await _skip_to(env, at)
            await asyncio.gather(*(people.act(steps) for people, steps in due[at]))
        await _skip_to(env, end)
        c = cohorts[index]
        assert c.launched_at is not None
        played[c.cohort] = (c.launched_at, await _summary(coaching, sealer, program, c, end))
    return played


async def _skip_to(env: WorkflowEnvironment, at: datetime) -> None:
    now = await env.get_current_time()
    if at > now:
        await env.sleep(at - now)


async def _summary(coaching: CoachingClient, sealer: Sealer, program: Program, c: Cohort, end: datetime) -> YearEnd:
    database = coaching.database
    summary = await asyncio.to_thread(read_model.cohort_summary, database, c.cohort, program, c.launched_at, end)
    partnerships = (await asyncio.to_thread(read_model.find_partnerships, database, c.cohort, limit=EVERYONE)).rows
    ledgers = await asyncio.to_thread(read_model.ledgers, database, c.cohort)
    sent = Counter(e.kind for e in await asyncio.to_thread(Outbox(database).entries) if cohort_of(e.key) == c.cohort)
    schools = SchoolYears(
        plan_deadline=program.plan_deadline(),
        year_two_deadline=program.year_two_deadline(),
        plans=await asyncio.to_thread(school_year.plans, database, c.cohort),
        decisions=await asyncio.to_thread(school_year.decisions, database, c.cohort),
        assessed=await asyncio.to_thread(school_year.assessed_counts, database, c.cohort),
        tier_movement=await asyncio.to_thread(school_year.tier_movement, database, sealer, c.cohort),
        trainings=list((await asyncio.to_thread(read_model.trainings, database, c.cohort, limit=EVERYONE)).rows),
    )
    return summarise(summary, c.seed, list(partnerships), ledgers, dict(sent), schools, c.people.outcome)
