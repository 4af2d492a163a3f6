"""One school's release days for one program year, as an entity workflow.

Every request for the school goes through this one workflow, so requests are
checked against allowances one at a time and two at once cannot overspend.
Each request waits for the principal (a reminder, then expiry); an approved one
is booked with the substitute desk and the people involved are told.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

from activities.names import BOOK_SUBSTITUTE, PUBLISH_LEDGER
from workflows.dispatch import Dispatch
from workflows.history import history_is_long
from workflows.refusals import refusals

with workflow.unsafe.imports_passed_through():
    from domain import notices
    from domain.program import Program
    from domain.release import (
        BookingOrder,
        ReleaseLedgerRecord,
        ReleaseRequest,
        ReleaseStatus,
        add_request,
        check_cancel,
        check_decision,
        check_request,
        coach_to_tell,
        decide,
        decision_deadlines,
        move,
    )
    from domain.release import (
        cancel as cancel_request,
    )
    from domain.roster import Role


class LedgerInput(BaseModel):
    record: ReleaseLedgerRecord
    program: Program
    closing: bool = False  # the cohort has closed the year: finish once every open request has run its course


class ReleaseAsk(BaseModel):
    requester: str
    days: float
    on: date
    purpose: str
    partnership: str | None = None


class Decision(BaseModel):
    request_id: str
    actor: str
    approve: bool
    reason: str | None = None


class Cancellation(BaseModel):
    request_id: str
    actor: str


class Member(BaseModel):
    email: str
    role: Role


class PartnershipAtSchool(BaseModel):
    id: str
    coach: str


@workflow.defn
class ReleaseLedgerWorkflow:
    @workflow.init
    def __init__(self, input: LedgerInput) -> None:
        self.ledger = input.record
        self.program = input.program
        self.dispatch = Dispatch()
        self._closing = input.closing
        self._watching: dict[str, asyncio.Task[None]] = {}

    @workflow.run
    async def run(self, input: LedgerInput) -> ReleaseLedgerRecord:
        if self.ledger.revision == 0:  # a new ledger: its school's page shows it before anyone asks
            self._publish()
        for request in self.ledger.requests:
            self._watch(request)
        await workflow.wait_condition(lambda: history_is_long() or (self._closing and not self._watching))
        await self.dispatch.settled()
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._watching)
        if not self._closing:
            workflow.continue_as_new(self.resume_input())
        return self.ledger

    # -- requests -----------------------------------------------------------------

    @workflow.update
    def request_release(self, ask: ReleaseAsk) -> ReleaseRequest:
        with refusals():
            request = add_request(self.ledger, ask.requester, ask.days, ask.on, ask.purpose, ask.partnership, workflow.now(), self._today())
        self.dispatch.notify(notices.release_requested(self.ledger, request))
        self._watch(request)
        self._publish()
        return request

    @request_release.validator
    def _validate_request(self, ask: ReleaseAsk) -> None:
        with refusals():
            check_request(self.ledger, ask.requester, ask.days, ask.on, ask.purpose, self._today(), ask.partnership)

    @workflow.update
    async def decide(self, decision: Decision) -> ReleaseRequest:
        with refusals():
            request = decide(self.ledger, decision.request_id, decision.actor, decision.approve, workflow.now(), decision.reason)
        if request.status == ReleaseStatus.approved:
            booking = await workflow.execute_activity(
                BOOK_SUBSTITUTE,
                BookingOrder(request=request, school=self.ledger.school, principal=self.ledger.principal),
                result_type=str,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=10)),
            )
            move(self.ledger, request.id, "book", booking=booking)
            self.dispatch.notify(notices.substitute_booked(self.ledger, request))
        self.dispatch.notify(notices.release_decided(self.ledger, request, coach_to_tell(self.ledger, request)))
        self._publish()
        return request

    @decide.validator
    def _validate_decision(self, decision: Decision) -> None:
        with refusals():
            check_decision(self.ledger, decision.request_id, decision.actor, decision.reason)

    @workflow.update
    def cancel(self, cancellation: Cancellation) -> ReleaseRequest:
        with refusals():
            request = cancel_request(self.ledger, cancellation.request_id, cancellation.actor, self._today())
        self._publish()
        return request

    @cancel.validator
    def _validate_cancel(self, cancellation: Cancellation) -> None:
        with refusals():
            check_cancel(self.ledger, cancellation.request_id, cancellation.actor, self._today())

    @workflow.query
    def details(self) -> ReleaseLedgerRecord:
        return self.ledger

    @workflow.query
    def resume_input(self) -> LedgerInput:
        """The input that resumes this ledger where it stands: the one it continues as new with."""
        return LedgerInput(record=self.ledger, program=self.program, closing=self._closing)

    # -- the cohort keeps the members up to date --------------------------------------

    @workflow.signal
    def add_member(self, member: Member) -> None:
        self.ledger.members[member.email] = member.role
        self._publish()

    @workflow.signal
    def add_partnership(self, partnership: PartnershipAtSchool) -> None:
        self.ledger.partnerships[partnership.id] = partnership.coach
        self._publish()

    @workflow.signal
    def close(self) -> None:
        """The program year is over: finish once every open request has run its course."""
        self._closing = True

    # -- each request's own clock -----------------------------------------------------

    def _watch(self, request: ReleaseRequest) -> None:
        if request.status in (ReleaseStatus.requested, ReleaseStatus.approved, ReleaseStatus.booked):
            self._watching[request.id] = asyncio.create_task(self._follow(request))

    async def _follow(self, request: ReleaseRequest) -> None:
        try:
            reminder_at, expires_at = decision_deadlines(request, self.program)
            if request.reminded_at is None and not await self._until(reminder_at, lambda: request.status != ReleaseStatus.requested):
                request.reminded_at = workflow.now()
                self.dispatch.notify(notices.release_reminder(self.ledger, request))
                self.dispatch.notify(notices.release_expiring(self.ledger, request, self.program.local_date(expires_at)))
                self._publish()
            if not await self._until(expires_at, lambda: request.status != ReleaseStatus.requested):
                move(self.ledger, request.id, "expire")
                self.dispatch.notify(notices.release_expired(self.ledger, request))
                self._publish()
                return
            if await self._until(
                self.program.end_of_day(request.on), lambda: request.status not in (ReleaseStatus.approved, ReleaseStatus.booked)
            ):
                return
            await workflow.wait_condition(lambda: request.status != ReleaseStatus.approved)  # booking under way
            if request.status == ReleaseStatus.booked:
                move(self.ledger, request.id, "use")
                self._publish()
        finally:
            self._watching.pop(request.id, None)

    async def _until(self, at: datetime, done: object) -> bool:
        """Wait until `at` or until done() is true; True if done() came first."""
        wait = at - workflow.now()
        if wait.total_seconds() <= 0:
            return bool(done())  # type: ignore[operator]
        try:
            await workflow.wait_condition(done, timeout=wait)  # type: ignore[arg-type]
            return True
        except TimeoutError:
            return False

    def _publish(self) -> None:
        """Keep the school's page (the read model) in step with the ledger."""
        self.ledger.revision += 1
        self.dispatch.publish(PUBLISH_LEDGER, self.ledger.model_copy(deep=True))

    def _today(self) -> date:
        return self.program.local_date(workflow.now())
