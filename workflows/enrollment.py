"""An offering's spring, carried out on Temporal: one workflow per offering, id `enrollment/<offering>`.

It opens the window and closes it on durable timers, reminds whoever an application waits for,
and at the deadline decides the sites, places every endorsed applicant and awards scholarships
(`domain/processes/enrollment.py` decides all of it). Applicants, principals and the office act
through Updates; each validator asks the process first, so a refused request never reaches history.
An application's essay goes to the database before the Update answers, and stays out of the record.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

from pydantic import BaseModel
from temporalio import workflow

from activities.names import PUBLISH_APPLICATIONS, RECORD_ESSAY, EssayToRecord
from workflows.dispatch import DATABASE_RETRY, Dispatch
from workflows.history import history_is_long
from workflows.refusals import refusals
from workflows.wake import Clock

with workflow.unsafe.imports_passed_through():
    from domain.applications import Application, ApplicationForm
    from domain.offering_record import OfferingRecord, OfferingSummary
    from domain.processes.effects import Effects
    from domain.processes.enrollment import EnrollmentProcess
    from domain.processes.enrollment_requests import (
        ApplicationWithdrawal,
        DeadlineExtension,
        EarlySiteDecision,
        EmailConfirmation,
        EndorsementAnswer,
        PaymentEntry,
        ScholarshipChoice,
        SiteLaunched,
    )

R = TypeVar("R")
# Activities in flight at once: the deadline tells every applicant, and Temporal refuses a workflow more than
# 2,000 pending activities. Applications published to the database at once: each payload stays small.
AT_ONCE = 500
PUBLISHED_AT_ONCE = 200


class EnrollmentInput(BaseModel):
    record: OfferingRecord


@workflow.defn
class EnrollmentWorkflow:
    @workflow.init
    def __init__(self, input: EnrollmentInput) -> None:
        self.record = input.record
        self.process = EnrollmentProcess(input.record.offering)
        self.dispatch = Dispatch(at_once=AT_ONCE)
        self.clock = Clock()

    @workflow.run
    async def run(self, input: EnrollmentInput) -> OfferingRecord:
        self._carry_out(self.process.start(self.record, workflow.now()))
        while not self.clock.done and not history_is_long():
            if await self.clock.next(history_is_long):
                self._carry_out(self.process.wake(self.record, workflow.now()))
        await self.dispatch.settled()
        if not self.clock.done:  # the history is long: go on afresh with the record
            workflow.continue_as_new(EnrollmentInput(record=self.record))
        return self.record

    # -- applicants and principals ------------------------------------------------------------

    @workflow.update
    async def apply(self, form: ApplicationForm) -> Application:
        arrived = workflow.now()  # an application in time is taken, however long the essay takes to store
        with refusals():
            effects = self.process.apply(self.record, form, arrived)
        essay = EssayToRecord(offering=self.record.offering.id, application=effects.reply, why=form.why)
        await workflow.execute_activity(RECORD_ESSAY, essay, start_to_close_timeout=timedelta(seconds=30), retry_policy=DATABASE_RETRY)
        return self._carry_out(effects)

    @apply.validator
    def _validate_apply(self, form: ApplicationForm) -> None:
        with refusals():
            self.process.check_apply(self.record, form, workflow.now())

    @workflow.update
    def confirm_email(self, confirmation: EmailConfirmation) -> Application:
        with refusals():
            return self._carry_out(self.process.confirm(self.record, confirmation, workflow.now()))

    @confirm_email.validator
    def _validate_confirmation(self, confirmation: EmailConfirmation) -> None:
        with refusals():
            self.process.check_confirmation(self.record, confirmation)

    @workflow.update
    def answer_endorsement(self, answer: EndorsementAnswer) -> Application:
        with refusals():
            return self._carry_out(self.process.answer(self.record, answer, workflow.now()))

    @answer_endorsement.validator
    def _validate_answer(self, answer: EndorsementAnswer) -> None:
        with refusals():
            self.process.check_answer(self.record, answer)

    @workflow.update
    def withdraw(self, withdrawal: ApplicationWithdrawal) -> Application:
        with refusals():
            return self._carry_out(self.process.withdraw(self.record, withdrawal, workflow.now()))

    @withdraw.validator
    def _validate_withdrawal(self, withdrawal: ApplicationWithdrawal) -> None:
        with refusals():
            self.process.check_withdrawal(self.record, withdrawal)

    # -- the office ---------------------------------------------------------------------------

    @workflow.update
    def record_payment(self, entry: PaymentEntry) -> Application:
        with refusals():
            return self._carry_out(self.process.pay(self.record, entry, workflow.now()))

    @record_payment.validator
    def _validate_payment(self, entry: PaymentEntry) -> None:
        with refusals():
            self.process.check_payment(self.record, entry, workflow.now())

    @workflow.update
    def extend_deadline(self, extension: DeadlineExtension) -> date:
        with refusals():
            return self._carry_out(self.process.extend(self.record, extension, workflow.now()))

    @extend_deadline.validator
    def _validate_extension(self, extension: DeadlineExtension) -> None:
        with refusals():
            self.process.check_extension(self.record, extension, workflow.now())

    @workflow.update
    def decide_site(self, decision: EarlySiteDecision) -> list[Application]:
        with refusals():
            return self._carry_out(self.process.decide_site(self.record, decision, workflow.now()))

    @decide_site.validator
    def _validate_site_decision(self, decision: EarlySiteDecision) -> None:
        with refusals():
            self.process.check_site_decision(self.record, decision)

    @workflow.update
    def award_scholarships(self, choice: ScholarshipChoice) -> list[Application]:
        with refusals():
            return self._carry_out(self.process.choose(self.record, choice, workflow.now()))

    @award_scholarships.validator
    def _validate_choice(self, choice: ScholarshipChoice) -> None:
        with refusals():
            self.process.check_choice(self.record, choice)

    @workflow.update
    def site_launched(self, launched: SiteLaunched) -> str:
        with refusals():
            return self._carry_out(self.process.launched(self.record, launched, workflow.now()))

    @site_launched.validator
    def _validate_launch(self, launched: SiteLaunched) -> None:
        with refusals():
            self.process.check_launch(self.record, launched)

    @workflow.query
    def details(self) -> OfferingRecord:
        return self.record

    def _carry_out(self, effects: Effects[R]) -> R:
        self.clock.took(effects)
        summary, effects.summary = effects.summary, None
        self.dispatch.carry_out(self.record.offering.id, effects)
        if isinstance(summary, OfferingSummary):
            for part in summary.in_parts(PUBLISHED_AT_ONCE):
                self.dispatch.publish(PUBLISH_APPLICATIONS, part)
        return effects.reply
