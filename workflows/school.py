"""One school's year, carried out on Temporal: its coaching plan, its people's self-assessments, and the
principal's year-2 decision, each with its reminders and its escalation.

Every decision is the domain's (`domain/processes/school.py`). This workflow waits for an Update,
a message from the cohort or the process's next wake-up, asks the process, and carries out the
effects. Validators ask the same process first, so a refused request never reaches history.
Self-assessment answers are sealed into the database by an activity before the record counts
them; the record itself holds only who answered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel
from temporalio import workflow

from activities.names import RECORD_SELF_ASSESSMENT, AnswersToRecord
from workflows.dispatch import DATABASE_RETRY, Dispatch
from workflows.history import history_is_long
from workflows.refusals import refusals
from workflows.wake import Clock

with workflow.unsafe.imports_passed_through():
    from domain.plans import PlanDraft, SchoolPlan
    from domain.processes.effects import Effects
    from domain.processes.ledger import MemberAdded, PartnershipAtSchool
    from domain.processes.school import MemberLeft, PartnershipEnded, PlanEndorsement, SchoolProcess, SelfAssessment
    from domain.program import Program
    from domain.roster import Role
    from domain.school_year import SchoolYearRecord
    from domain.year_two import YearTwoAnswer, YearTwoDecision

R = TypeVar("R")


class SchoolInput(BaseModel):
    record: SchoolYearRecord
    program: Program


@workflow.defn
class SchoolWorkflow:
    @workflow.init
    def __init__(self, input: SchoolInput) -> None:
        self.school = input.record
        self.program = input.program
        self.process = SchoolProcess(input.program)
        self.dispatch = Dispatch()
        self.clock = Clock()

    @workflow.run
    async def run(self, input: SchoolInput) -> SchoolYearRecord:
        self._carry_out(self.process.start(self.school, workflow.now()))
        while not self.clock.done and not history_is_long():
            if await self.clock.next(history_is_long):
                self._carry_out(self.process.wake(self.school, workflow.now()))
        await self.dispatch.settled()
        if not self.clock.done:  # the history is long: go on afresh with the record
            workflow.continue_as_new(SchoolInput(record=self.school, program=self.program))
        return self.school

    # -- the plan ------------------------------------------------------------------------

    @workflow.update
    def write_plan(self, draft: PlanDraft) -> SchoolPlan:
        with refusals():
            effects = self.process.write_plan(self.school, draft, workflow.now())
        return self._carry_out(effects)

    @write_plan.validator
    def _validate_plan(self, draft: PlanDraft) -> None:
        with refusals():
            self.process.check_plan(self.school, draft)

    @workflow.update
    def endorse_plan(self, endorsement: PlanEndorsement) -> SchoolPlan:
        with refusals():
            effects = self.process.endorse(self.school, endorsement, workflow.now())
        return self._carry_out(effects)

    @endorse_plan.validator
    def _validate_endorsement(self, endorsement: PlanEndorsement) -> None:
        with refusals():
            self.process.check_endorsement(self.school, endorsement)

    # -- self-assessment -----------------------------------------------------------------

    @workflow.update
    async def assess(self, assessment: SelfAssessment) -> int:
        """The person's tier; their answers are sealed in the database before they count as given."""
        arrived = workflow.now()  # answers in time are taken, however long the sealing takes
        with refusals():
            self.process.check_assessment(self.school, assessment, arrived)
        s = self.school
        role = Role.coach if assessment.actor in s.coaches else Role.teacher
        given = AnswersToRecord(
            cohort=s.cohort, school=s.school, email=assessment.actor, role=role, round=assessment.round, answers=assessment.answers
        )
        await workflow.execute_activity(
            RECORD_SELF_ASSESSMENT, given, start_to_close_timeout=timedelta(seconds=30), retry_policy=DATABASE_RETRY
        )
        return self._carry_out(self.process.assess(self.school, assessment, arrived))

    @assess.validator
    def _validate_assessment(self, assessment: SelfAssessment) -> None:
        with refusals():
            self.process.check_assessment(self.school, assessment, workflow.now())

    # -- year 2 --------------------------------------------------------------------------

    @workflow.update
    def decide_year_two(self, answer: YearTwoAnswer) -> YearTwoDecision:
        with refusals():
            effects = self.process.decide(self.school, answer, workflow.now())
        return self._carry_out(effects)

    @decide_year_two.validator
    def _validate_decision(self, answer: YearTwoAnswer) -> None:
        with refusals():
            self.process.check_decision(self.school, answer, workflow.now())

    @workflow.query
    def details(self) -> SchoolYearRecord:
        return self.school

    # -- the cohort's messages ------------------------------------------------------------

    @workflow.signal
    def add_member(self, message: MemberAdded) -> None:
        self._carry_out(self.process.receive(self.school, message, workflow.now()))

    @workflow.signal
    def add_partnership(self, message: PartnershipAtSchool) -> None:
        self._carry_out(self.process.receive(self.school, message, workflow.now()))

    @workflow.signal
    def end_partnership(self, message: PartnershipEnded) -> None:
        self._carry_out(self.process.receive(self.school, message, workflow.now()))

    @workflow.signal
    def member_left(self, message: MemberLeft) -> None:
        self._carry_out(self.process.receive(self.school, message, workflow.now()))

    def _carry_out(self, effects: Effects[R]) -> R:
        self.clock.took(effects)
        self.dispatch.carry_out(self.school.cohort, effects)
        return effects.reply
