"""One school's release days for one program year, carried out on Temporal.

Every request for the school goes through this one workflow, so requests are
checked against allowances one at a time and two at once cannot overspend.
Every decision is the domain's (`domain/processes/ledger.py`): this workflow
waits for a request, a message or the process's next wake-up, asks the process,
and carries out the effects, booking cover with the substitute desk for an
approved request. Validators ask the same process first, so a refused request
is never written to history. When the history grows long the run continues as
new with the record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

from activities.names import BOOK_SUBSTITUTE
from workflows.dispatch import Dispatch
from workflows.history import history_is_long
from workflows.refusals import refusals
from workflows.wake import Clock

with workflow.unsafe.imports_passed_through():
    from domain.processes.effects import Effects
    from domain.processes.ledger import (
        Cancellation,
        Decision,
        LedgerProcess,
        MemberAdded,
        PartnershipAtSchool,
        ReleaseAsk,
        YearClosed,
    )
    from domain.program import Program
    from domain.release import BookingOrder, ReleaseLedgerRecord, ReleaseRequest

BOOKING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))  # the desk may be down a while; the day still needs cover
R = TypeVar("R")


class LedgerInput(BaseModel):
    record: ReleaseLedgerRecord
    program: Program


@workflow.defn
class ReleaseLedgerWorkflow:
    @workflow.init
    def __init__(self, input: LedgerInput) -> None:
        self.ledger = input.record
        self.program = input.program
        self.process = LedgerProcess(input.program)
        self.dispatch = Dispatch()
        self.clock = Clock()

    @workflow.run
    async def run(self, input: LedgerInput) -> ReleaseLedgerRecord:
        self._carry_out(self.process.start(self.ledger, workflow.now()))
        while not self.clock.done and not history_is_long():
            if await self.clock.next(history_is_long):
                self._carry_out(self.process.wake(self.ledger, workflow.now()))
        await self.dispatch.settled()
        if not self.clock.done:  # the history is long (or a request came in as the ledger was ending): go on afresh with the record
            workflow.continue_as_new(LedgerInput(record=self.ledger, program=self.program))
        return self.ledger

    @workflow.update
    def request_release(self, ask: ReleaseAsk) -> ReleaseRequest:
        with refusals():
            effects = self.process.request_release(self.ledger, ask, workflow.now())
        return self._carry_out(effects)

    @request_release.validator
    def _validate_request(self, ask: ReleaseAsk) -> None:
        with refusals():
            self.process.check_request(self.ledger, ask, workflow.now())

    @workflow.update
    async def decide(self, decision: Decision) -> ReleaseRequest:
        """The request as it stands once decided: an approved one is answered after its cover is booked."""
        with refusals():
            effects = self.process.decide(self.ledger, decision, workflow.now())
        request = self._carry_out(effects)
        for order in effects.bookings:
            assert isinstance(order, BookingOrder)
            booking = await workflow.execute_activity(
                BOOK_SUBSTITUTE, order, result_type=str, start_to_close_timeout=timedelta(seconds=60), retry_policy=BOOKING_RETRY
            )
            with refusals():
                request = self._carry_out(self.process.booked(self.ledger, order.request.id, booking, workflow.now()))
        return request

    @decide.validator
    def _validate_decision(self, decision: Decision) -> None:
        with refusals():
            self.process.check_decision(self.ledger, decision)

    @workflow.update
    def cancel(self, cancellation: Cancellation) -> ReleaseRequest:
        with refusals():
            effects = self.process.cancel(self.ledger, cancellation, workflow.now())
        return self._carry_out(effects)

    @cancel.validator
    def _validate_cancel(self, cancellation: Cancellation) -> None:
        with refusals():
            self.process.check_cancel(self.ledger, cancellation, workflow.now())

    @workflow.query
    def details(self) -> ReleaseLedgerRecord:
        return self.ledger

    # -- the cohort's messages ------------------------------------------------------------

    @workflow.signal
    def add_member(self, message: MemberAdded) -> None:
        self._carry_out(self.process.receive(self.ledger, message, workflow.now()))

    @workflow.signal
    def add_partnership(self, message: PartnershipAtSchool) -> None:
        self._carry_out(self.process.receive(self.ledger, message, workflow.now()))

    @workflow.signal
    def close(self, message: YearClosed) -> None:
        self._carry_out(self.process.receive(self.ledger, message, workflow.now()))

    def _carry_out(self, effects: Effects[R]) -> R:
        self.clock.took(effects)
        self.dispatch.carry_out(self.ledger.cohort, effects)
        return effects.reply
