"""What a visitor sees and does of a school's year: its plan, the self-assessments, year 2, and what is due.

Like the rest of the visitor (`web/visitor.py`), these may act only as the person signed in: who may
see or do what is decided in `domain/access.py`, and each change is the school's workflow's to refuse.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain import access, plans, to_do
from domain.access import View
from domain.plans import GoalCoverage, PlanDraft, SchoolPlan
from domain.problems import Refused
from domain.processes.school import SchoolProcess
from domain.roster import Role, School
from domain.school_year import SchoolYearRecord
from domain.tiers import Movement, Round
from domain.year_two import YearTwoChoice, YearTwoDecision
from store import members, read_model, school_year
from store.database import Database
from store.read_model import PartnershipRow
from store.sealed import Sealer
from web.paging import PAGE_ROWS
from web.visitor import Forbidden, Visitor


class PlanLine(BaseModel):
    """One school on the coordinators' overview: its plan (if written), how many partnerships work on each goal, and
    how many name none of them."""

    school: School
    plan: SchoolPlan | None
    coverage: list[GoalCoverage]
    partnerships: int
    unlinked: int


class AssessmentRound(BaseModel):
    """A round of the self-assessment as one person sees it: when it is open for them and, once given, their answers."""

    round: Round
    opens: datetime
    closes: datetime
    answers: dict[str, int] | None

    def open_at(self, now: datetime) -> bool:
        return self.opens <= now < self.closes


class PartnerAnswers(BaseModel):
    """A coach's view of one of their collaborating teachers: the teacher's own answers, by round."""

    email: str
    answers: dict[Round, dict[str, int]]


class SchoolYearView(BaseModel):
    """What the year-2 page shows: the school's record (subjects, decisions) and its partnerships as counts."""

    record: SchoolYearRecord
    partnerships: list[PartnershipRow]  # the building view: stages, dates and counts, never notes or focus
    movement: Movement
    may_decide: bool


class SchoolYearVisits:
    """A visitor's pages of a school's year."""

    def __init__(self, visitor: Visitor):
        self.visitor = visitor

    async def _school_year(self, cohort: str, school: str) -> SchoolYearRecord:
        """The school's one workflow, asked for the page that is about it."""
        await self.visitor.school_of(cohort, school)
        return await self.visitor.coaching.school_year_record(cohort, school)

    def may_write_plan(self, cohort: str, school: str) -> bool:
        return access.may_write_plan(self.visitor.membership(cohort).member, school)

    def may_endorse_plan(self, cohort: str, school: str) -> bool:
        return access.may_endorse_plan(self.visitor.membership(cohort).member, school)

    async def plan(self, cohort: str, school: str) -> SchoolPlan | None:
        """The school's plan as its workflow holds it now (none yet: None)."""
        if not access.may_read_plan(self.visitor.membership(cohort).member, school):
            raise Forbidden(access.PLAN_READERS)
        return (await self._school_year(cohort, school)).plan

    async def _plan_shown(self, cohort: str, school: str, plan: SchoolPlan) -> None:
        def shown(database: Database) -> bool:
            found = school_year.plan_of(database, cohort, school)
            return found is not None and found.version >= plan.version and found.status == plan.status

        await self.visitor.caught_up(shown)

    async def write_plan(
        self, cohort: str, school: str, goals: list[str], assignments: str, roles: str, communication: str, submit: bool
    ) -> SchoolPlan:
        """The school's workflow decides who writes and what a plan holds; this keeps out those who may not even read it."""
        await self.plan(cohort, school)
        draft = PlanDraft(
            actor=self.visitor.email, goals=goals, assignments=assignments, roles=roles, communication=communication, submit=submit
        )
        written = await self.visitor.coaching.write_plan(cohort, school, draft)
        await self._plan_shown(cohort, school, written)
        return written

    async def endorse_plan(self, cohort: str, school: str) -> SchoolPlan:
        await self.plan(cohort, school)
        endorsed = await self.visitor.coaching.endorse_plan(cohort, school, self.visitor.email)
        await self._plan_shown(cohort, school, endorsed)
        return endorsed

    async def plans(self, cohort: str) -> list[PlanLine]:
        """Each school's plan and which of its goals partnerships work on, as the read model has them: for coordinators."""
        self.visitor.coordinating(cohort)
        schools = await self.visitor.read(members.schools, cohort)
        written = await self.visitor.read(school_year.plans, cohort)
        named = await self.visitor.read(read_model.school_goals, cohort)
        lines = []
        for s in schools:
            plan, goals = written.get(s.id), named.get(s.id, [])
            linked = [g for g in goals if plan is not None and any(plans.serves(p, g) for p in plan.goals)]
            covered = plans.coverage(plan, goals) if plan is not None else []
            lines.append(PlanLine(school=s, plan=plan, coverage=covered, partnerships=len(goals), unlinked=len(goals) - len(linked)))
        return lines

    async def plan_goals(self, cohort: str) -> list[str]:
        """The goals of the visitor's own school's plan, for a partnership to name as its school goal."""
        member = self.visitor.membership(cohort).member
        school = member.school
        if school is None or not access.may_read_plan(member, school):
            return []
        plan = await self.visitor.read(school_year.plan_of, cohort, school)
        return [g.text for g in plan.goals] if plan is not None else []

    # self-assessment

    def _assessor(self, cohort: str) -> str:
        member = self.visitor.membership(cohort).member
        if not access.may_self_assess(member) or member.school is None:
            raise Forbidden(access.SELF_ASSESSORS)
        return member.school

    async def self_assessment(self, cohort: str, sealer: Sealer) -> tuple[SchoolYearRecord, list[AssessmentRound]]:
        """The visitor's own rounds: when each is open for them, and their answers once given."""
        school = self._assessor(cohort)
        record = await self._school_year(cohort, school)
        process = SchoolProcess(self.visitor.membership(cohort).program)
        given = await self.visitor.read(school_year.answers_of, sealer, cohort, self.visitor.email)
        rounds = []
        for r in Round:
            opens, closes = process.assessment_window(record, r, self.visitor.email)
            rounds.append(AssessmentRound(round=r, opens=opens, closes=closes, answers=given.get(r)))
        return record, rounds

    async def assess(self, cohort: str, round: Round, answers: dict[str, int]) -> int:
        """The visitor's own answers (the school's workflow decides whether the round is open); their tier."""
        school = self._assessor(cohort)
        return await self.visitor.coaching.assess(cohort, school, self.visitor.email, round, answers)

    async def answers_of(self, cohort: str, person: str, sealer: Sealer) -> dict[Round, dict[str, int]]:
        """A person's answers, for them and their coach alone."""
        self.visitor.membership(cohort)
        theirs = await self.visitor.read(read_model.partnerships_of, cohort, person)
        coaches = [p.coach for p in theirs if person in p.partners]
        if not access.may_see_answers(self.visitor.membership(cohort).member, person, coaches):
            raise Forbidden(access.ANSWERS_READERS)
        return await self.visitor.read(school_year.answers_of, sealer, cohort, person)

    async def partners_answers(self, cohort: str, sealer: Sealer) -> list[PartnerAnswers]:
        """A coach's collaborating teachers, each with their own answers (none: the teacher has not answered yet)."""
        coached = [p for p in await self.visitor.my_partnerships(cohort) if p.coach == self.visitor.email]
        partners = sorted({t for p in coached for t in p.partners})
        return [PartnerAnswers(email=t, answers=await self.answers_of(cohort, t, sealer)) for t in partners]

    async def tier_movement(self, cohort: str, sealer: Sealer) -> dict[str, Movement]:
        """Movement as counts, for the groups this person may see: a principal their schools', a coordinator every one."""
        groups = access.movement_groups(self.visitor.membership(cohort).member)
        if groups == []:
            return {}
        found = await self.visitor.read(school_year.tier_movement, sealer, cohort)
        if groups is None:
            return found
        return {g: found.get(g, Movement(group=g)) for g in groups}

    # year 2

    async def year_two(self, cohort: str, school: str, sealer: Sealer) -> SchoolYearView:
        """The school's partnerships and coaches to decide for, as counts, its movement, and the decisions so far."""
        member = self.visitor.membership(cohort).member
        if not access.may_see_year_two(member, school):
            raise Forbidden(access.YEAR_TWO_READERS)
        record = await self._school_year(cohort, school)
        rows: list[PartnershipRow] = []
        while True:
            found = await self.visitor.read(read_model.find_partnerships, cohort, school, limit=PAGE_ROWS, offset=len(rows))
            rows += [access.as_seen(p, View.building) for p in found.rows]
            if not found.rows or len(rows) >= found.total:
                break
        movement = (await self.visitor.read(school_year.tier_movement, sealer, cohort)).get(school, Movement(group=school))
        return SchoolYearView(record=record, partnerships=rows, movement=movement, may_decide=access.may_decide_year_two(member, school))

    async def decide_year_two(self, cohort: str, school: str, subject: str, choice: YearTwoChoice, reason: str) -> YearTwoDecision:
        """The school's workflow decides who decides and when; this keeps out those who may not see the page."""
        if not access.may_see_year_two(self.visitor.membership(cohort).member, school):
            raise Forbidden(access.YEAR_TWO_READERS)
        await self.visitor.school_of(cohort, school)
        return await self.visitor.coaching.decide_year_two(cohort, school, self.visitor.email, subject, choice, reason)

    # what a home page says to do

    async def school_year_to_do(
        self, cohort: str, now: datetime
    ) -> tuple[list[to_do.PlanToDo], to_do.AssessmentDue | None, list[to_do.YearTwoDue]]:
        """The plans to write or endorse, the self-assessment round open for the visitor, the year 2 to decide."""
        m = self.visitor.membership(cohort)
        member, program = m.member, m.program
        mine = sorted({*member.principal_of, *([member.school] if member.role == Role.coach and member.school else [])})
        records: dict[str, SchoolYearRecord] = {}
        for school in sorted({*mine, *([member.school] if access.may_self_assess(member) and member.school else [])}):
            try:
                records[school] = await self.visitor.coaching.school_year_record(cohort, school)
            except Refused:  # the school's year is not running (yet): nothing to do there
                continue
        plan_steps = [
            step
            for school in mine
            if school in records
            and (step := to_do.plan_to_do(records[school].plan, school, school in member.principal_of, program, now)) is not None
        ]
        due = None
        if access.may_self_assess(member) and member.school in records:
            due = to_do.assessment_due(records[member.school], program, self.visitor.email, now)
        deciding = [y for s in member.principal_of if s in records and (y := to_do.year_two_due(records[s], program, now)) is not None]
        return plan_steps, due, deciding
