"""A cohort: one program year, launched by a coordinator, carried out on Temporal.

The decisions are the domain's (`domain/processes/cohort.py`); this workflow carries
them out. It starts a release ledger per school, a training workflow per coach and a
partnership workflow per partnership, a batch at a time, through an activity that
reads each batch from the database (not as children, so they belong to no run of
the cohort). Changes to the running cohort are recorded in the database by activities,
whose unique keys refuse what two racing changes would both have passed. At the end
of the training year the ledgers close, and the run returns the year's summary once
the read model shows every partnership ended.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from activities.names import (
    CLOSE_LEDGERS,
    RECORD_PARTICIPANT,
    RECORD_PARTNERSHIP,
    RECORD_SESSION_MOVE,
    RECORD_WITHDRAWAL,
    START_COHORT_WORKFLOWS,
    SUMMARIZE_COHORT,
    TELL_TRAININGS,
    CohortStarts,
    ParticipantToRecord,
    PartnershipToRecord,
    SessionMoveToRecord,
    TrainingsToTell,
    WithdrawalToRecord,
)
from workflows import ids
from workflows.dispatch import DATABASE_RETRY, Dispatch
from workflows.history import history_is_long
from workflows.partnership import PartnershipWorkflow
from workflows.refusals import REFUSED, refusals
from workflows.release_ledger import ReleaseLedgerWorkflow
from workflows.school import SchoolWorkflow
from workflows.training import TrainingWorkflow

with workflow.unsafe.imports_passed_through():
    from domain.cohort import AddedParticipant, CohortSummary, Departure, PartnershipSummary, StartedPartnership, Withdrawal
    from domain.launch import LaunchBatch
    from domain.processes.cohort import EVERY_LEDGER, EVERY_TRAINING, CohortProcess, CohortRecord, LaunchProgress, launch_progress
    from domain.processes.effects import Effects, Message, ProcessKind
    from domain.processes.ledger import MemberAdded, PartnershipAtSchool
    from domain.processes.partnership import PartnershipWithdrawn
    from domain.processes.school import MemberLeft, PartnershipEnded
    from domain.processes.training import PartnershipAdded, SessionChanged, TrainingWithdrawn
    from domain.program import TrainingSession
    from domain.roster import Person
    from domain.session_change import SessionChange

SCHOOL_YEAR = "school-year"  # the patch that tells each school's year of its new people and partnerships (docs/architecture.md)
LAUNCH_LANES = 6  # start activities in flight at once: enough to keep a worker's start calls busy (see bench/launch.py)
# The summary is asked for until the read model shows every training and partnership ended: seconds after the
# year for the year's last publishes, longer for partnerships their coaches have not closed yet (asked hourly).
CAUGHT_UP = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(hours=1))
R = TypeVar("R")


class CohortInput(BaseModel):
    record: CohortRecord


_SCHOOL_SIGNALS: dict[type, Any] = {
    MemberAdded: SchoolWorkflow.add_member,
    PartnershipAtSchool: SchoolWorkflow.add_partnership,
    PartnershipEnded: SchoolWorkflow.end_partnership,
    MemberLeft: SchoolWorkflow.member_left,
}


def _route(cohort: str, message: Message) -> tuple[str, Any]:
    """The workflow and signal method that take a message the cohort sends."""
    key, event = message.to.key, message.event
    if message.to.kind == ProcessKind.school:
        return ids.school_id(cohort, key), _SCHOOL_SIGNALS[type(event)]
    if isinstance(event, PartnershipAdded):
        return ids.training_id(cohort, key), TrainingWorkflow.partnership_added
    if isinstance(event, TrainingWithdrawn):
        return ids.training_id(cohort, key), TrainingWorkflow.withdraw
    if isinstance(event, MemberAdded):
        return ids.ledger_id(cohort, key), ReleaseLedgerWorkflow.add_member
    if isinstance(event, PartnershipAtSchool):
        return ids.ledger_id(cohort, key), ReleaseLedgerWorkflow.add_partnership
    if isinstance(event, PartnershipWithdrawn):
        return ids.partnership_id(cohort, key), PartnershipWorkflow.withdraw
    raise TypeError(f"the cohort sends no {type(event).__name__}")


@workflow.defn
class CohortWorkflow:
    @workflow.init
    def __init__(self, input: CohortInput) -> None:
        self.record = input.record
        self.process = CohortProcess()
        self.dispatch = Dispatch()
        # Session moves one at a time: each is checked against the program as the one before left it.
        self.moving = asyncio.Lock()
        self.year_moved = False  # a moved session may move the end of the year: the wait for it starts again

    @workflow.run
    async def run(self, input: CohortInput) -> CohortSummary:
        if self.record.to_start is None:
            self._carry_out(self.process.launch(self.record, workflow.now()))
        await self._start_all()
        await self._until_year_ends()
        await self.dispatch.settled()
        return await workflow.execute_activity(
            SUMMARIZE_COHORT,
            self.record.state.cohort,
            result_type=CohortSummary,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=CAUGHT_UP,
        )

    async def _until_year_ends(self) -> None:
        """Sleep until the process's wake-up (the end of the year); continue as new on the way if the history grows long."""
        while not self.record.year_closed:
            effects = self.process.wake(self.record, workflow.now())
            if effects.done:
                await self._close_ledgers(effects)
                return
            assert effects.wake_at is not None
            try:
                await workflow.wait_condition(
                    lambda: history_is_long() or self.year_moved, timeout=max(effects.wake_at - workflow.now(), timedelta(seconds=1))
                )
            except TimeoutError:
                continue
            if self.year_moved:
                self.year_moved = False
                continue
            await self._continue_as_new()

    async def _close_ledgers(self, effects: Effects[None]) -> None:
        # A message for every ledger goes through an activity that finds the cohort's schools in the database.
        assert [m.to.key for m in effects.messages] == [EVERY_LEDGER]
        await workflow.execute_activity(CLOSE_LEDGERS, self.record.state.cohort, start_to_close_timeout=timedelta(minutes=5))

    async def _start_all(self) -> None:
        """Start every batch still to start, LAUNCH_LANES at a time; the next goes out as soon as one is done."""
        unsent = list(self.record.to_start or [])
        in_flight: set[asyncio.Task[None]] = set()
        while unsent or in_flight:
            while unsent and len(in_flight) < LAUNCH_LANES and not history_is_long():
                in_flight.add(asyncio.create_task(self._start_batch(unsent.pop(0))))
            if not in_flight:  # the history is long: the next run starts what is left
                await self._continue_as_new()
            done, pending = await workflow.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            in_flight = set(pending)
            for task in done:
                task.result()  # a batch that could not be started fails this task, as an awaited one would

    async def _start_batch(self, batch: LaunchBatch) -> None:
        await self._start(batch)
        self.process.batch_started(self.record, batch)

    async def _start(self, batch: LaunchBatch) -> None:
        starts = CohortStarts(cohort=self.record.state.cohort, task_queue=workflow.info().task_queue, batch=batch)
        await workflow.execute_activity(START_COHORT_WORKFLOWS, starts, start_to_close_timeout=timedelta(minutes=2))

    async def _continue_as_new(self) -> None:
        await self.dispatch.settled()
        workflow.continue_as_new(CohortInput(record=self.record))

    # -- a coordinator (or coach) changes the running cohort ----------------------------
    # The doors check each change against the stored roster (domain/cohort.py) before it is
    # sent; the validators ask the process what the cohort knows itself.

    @workflow.update
    async def start_partnership(self, request: StartedPartnership) -> PartnershipSummary:
        # Decided before anything is written: a refusal here leaves the database as it was.
        with refusals():
            effects = self.process.start_partnership(self.record, request)
        p = request.partnership
        await self._record(RECORD_PARTNERSHIP, PartnershipToRecord(cohort=self.record.state.cohort, partnership=p, by=request.actor))
        for batch in effects.starts:
            await self._start(batch)
        return self._carry_out(effects)

    @start_partnership.validator
    def _validate_partnership(self, request: StartedPartnership) -> None:
        with refusals():
            self.process.check_partnership(self.record, request)

    @workflow.update
    async def add_participant(self, request: AddedParticipant) -> Person:
        with refusals():
            effects = self.process.add_participant(self.record, request)
        person = request.person
        await self._record(RECORD_PARTICIPANT, ParticipantToRecord(cohort=self.record.state.cohort, person=person, by=request.actor))
        for batch in effects.starts:
            await self._start(batch)
        return self._carry_out(effects)

    @add_participant.validator
    def _validate_participant(self, request: AddedParticipant) -> None:
        with refusals():
            self.process.check_participant(self.record, request)

    @workflow.update
    async def withdraw_participant(self, request: Withdrawal) -> list[str]:
        """Withdraw a coach or teacher; returns the partnerships that end with them."""
        email = request.email.strip().lower()
        withdrawn = WithdrawalToRecord(cohort=self.record.state.cohort, email=email, by=request.actor, reason=request.reason)
        departure: Departure = await self._record(RECORD_WITHDRAWAL, withdrawn, Departure)
        with refusals():
            effects = self.process.withdraw(self.record, request, departure)
        return self._carry_out(effects)

    @withdraw_participant.validator
    def _validate_withdrawal(self, request: Withdrawal) -> None:
        with refusals():
            self.process.check_withdrawal(self.record, request)

    @workflow.update
    async def change_session(self, change: SessionChange) -> TrainingSession:
        """Move a session that has not begun: recorded in the database first, then every coach's training is told."""
        async with self.moving:
            now = workflow.now()
            with refusals():
                move = self.process.check_session_change(self.record, change, now)
            cohort = self.record.state.cohort
            await self._record(RECORD_SESSION_MOVE, SessionMoveToRecord(cohort=cohort, move=move, by=change.actor))
            effects = self.process.change_session(self.record, change, now)
            [message] = effects.messages
            assert message.to.key == EVERY_TRAINING and isinstance(message.event, SessionChanged)
            effects.messages = []
            await workflow.execute_activity(
                TELL_TRAININGS,
                TrainingsToTell(cohort=cohort, moved=message.event),
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(minutes=1),
            )
            self.year_moved = True
            return self._carry_out(effects)

    @change_session.validator
    def _validate_session_change(self, change: SessionChange) -> None:
        with refusals():
            self.process.check_session_change(self.record, change, workflow.now())

    async def _record(self, activity: str, change: BaseModel, result_type: type | None = None) -> Any:
        """Write a roster change to the database; a refusal there (a taken email or id) refuses the Update."""
        try:
            return await workflow.execute_activity(
                activity, change, result_type=result_type, start_to_close_timeout=timedelta(seconds=30), retry_policy=DATABASE_RETRY
            )
        except ActivityError as err:
            reason = err.cause.message if isinstance(err.cause, ApplicationError) else str(err)
            raise ApplicationError(reason, type=REFUSED, non_retryable=True) from None

    @workflow.query
    def launch_progress(self) -> LaunchProgress:
        return launch_progress(self.record)

    def _carry_out(self, effects: Effects[R]) -> R:
        to_schools = [m for m in effects.messages if m.to.kind == ProcessKind.school]
        if to_schools and not workflow.patched(SCHOOL_YEAR):
            # A run that began before schools had a year of their own replays without those signals.
            effects.messages = [m for m in effects.messages if m not in to_schools]
        self.dispatch.carry_out(self.record.state.cohort, effects, _route)
        return effects.reply
