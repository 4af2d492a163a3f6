"""A cohort: one program year, launched by a coordinator.

It carries a reference to its stored roster, never the people: its input and every
continue-as-new stay the same size whether the roster has ten rows or thirty thousand.
It starts a release ledger per school, a training workflow per coach and a partnership
workflow per partnership, a batch at a time, through an activity that reads each batch
from the database (not as children, so they belong to no run of the cohort). While it
runs it records and starts partnerships and participants that the doors have checked
against the stored roster, and withdrawals. At the end of the training year it closes
the ledgers and returns the year's summary once the read model shows every partnership ended.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from activities.names import (
    CLOSE_LEDGERS,
    RECORD_PARTICIPANT,
    RECORD_PARTNERSHIP,
    RECORD_WITHDRAWAL,
    START_COHORT_WORKFLOWS,
    SUMMARIZE_COHORT,
    CohortStarts,
    Departure,
    ParticipantAdded,
    ParticipantWithdrawn,
    PartnershipAdded,
)
from workflows import ids
from workflows.dispatch import DATABASE_RETRY, Dispatch
from workflows.history import history_is_long
from workflows.refusals import REFUSED, refusals
from workflows.release_ledger import Member, PartnershipAtSchool

with workflow.unsafe.imports_passed_through():
    from domain import notices
    from domain.cohort import (
        AddedParticipant,
        CohortState,
        CohortSummary,
        PartnershipSummary,
        StartedPartnership,
        Withdrawal,
        check_cohort_open,
        check_coordinator,
        check_partnership_starter,
        partnerships_ending_with,
        year_ends,
    )
    from domain.launch import LaunchBatch, launch_plan
    from domain.roster import Person, Role

START_BATCH = 100  # workflows started per activity while launching
LAUNCH_LANES = 6  # such activities in flight at a time (a probe of 1,562 workflows: 3 or 4 lanes 49-52/s, 5 to 12 lanes 213-242/s)
# The summary is asked for until the read model shows every training and partnership ended: seconds after the
# year for the year's last publishes, longer for partnerships their coaches have not closed yet (asked hourly).
CAUGHT_UP = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(hours=1))


class CohortInput(BaseModel):
    state: CohortState
    to_start: list[LaunchBatch] | None = None  # batches still to start; None before the launch
    year_closed: bool = False


class LaunchProgress(BaseModel):
    started: int
    total: int

    @property
    def done(self) -> bool:
        return self.started >= self.total


@workflow.defn
class CohortWorkflow:
    @workflow.init
    def __init__(self, input: CohortInput) -> None:
        self.state = input.state
        self.to_start = input.to_start
        self.year_closed = input.year_closed
        self.dispatch = Dispatch()

    @workflow.run
    async def run(self, input: CohortInput) -> CohortSummary:
        if self.to_start is None:
            self._launch()
        await self._start_all()
        if not self.year_closed:
            await self._until_year_ends()
            self.year_closed = True
            await workflow.execute_activity(CLOSE_LEDGERS, self.state.cohort, start_to_close_timeout=timedelta(minutes=5))
        await self.dispatch.settled()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return await workflow.execute_activity(
            SUMMARIZE_COHORT,
            self.state.cohort,
            result_type=CohortSummary,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=CAUGHT_UP,
        )

    async def _until_year_ends(self) -> None:
        """Sleep until the training year is over; continue as new on the way if the history grows long."""
        wait = year_ends(self.state.program) - workflow.now()
        if wait <= timedelta(0):
            return
        try:
            await workflow.wait_condition(history_is_long, timeout=wait)
        except TimeoutError:
            return
        await self._continue_as_new()

    async def _start_all(self) -> None:
        """Start every batch still to start, LAUNCH_LANES at a time; the next goes out as soon as one is done."""
        assert self.to_start is not None
        unsent = list(self.to_start)
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
        # A batch leaves to_start only once its workflows have started, so launch_progress never reports done early.
        self.to_start = [b for b in self.to_start or [] if b != batch]

    async def _start(self, batch: LaunchBatch) -> None:
        starts = CohortStarts(cohort=self.state.cohort, task_queue=workflow.info().task_queue, batch=batch)
        await workflow.execute_activity(START_COHORT_WORKFLOWS, starts, start_to_close_timeout=timedelta(minutes=2))

    async def _continue_as_new(self) -> None:
        await self.dispatch.settled()
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self.resume_input())

    def _launch(self) -> None:
        s = self.state
        s.launched_at = workflow.now()
        self.to_start = launch_plan(s.roster, START_BATCH)
        self.dispatch.notify(notices.cohort_launched(s.cohort, s.program, s.coordinators, s.roster.coaches, s.roster.partnerships))

    # -- a coordinator (or coach) changes the running cohort ----------------------------
    # The doors check each change against the stored roster (domain/cohort.py) before it is
    # sent; the validators check what this workflow knows, and the database's unique keys
    # refuse what two changes racing would both have passed.

    @workflow.update
    async def start_partnership(self, request: StartedPartnership) -> PartnershipSummary:
        p = request.partnership
        await self._record(RECORD_PARTNERSHIP, PartnershipAdded(cohort=self.state.cohort, partnership=p, by=request.actor))
        await self._start(LaunchBatch(kind="partnership", ids=[p.id]))
        cohort = self.state.cohort
        # The coach's training tells it when coaching unlocks (or now, if it has).
        self.dispatch.signal(ids.training_id(cohort, p.coach), "partnership_added", p.id)
        self.dispatch.signal(ids.ledger_id(cohort, p.school), "add_partnership", PartnershipAtSchool(id=p.id, coach=p.coach))
        return PartnershipSummary(id=p.id, coach=p.coach, partners=p.partners, school=p.school, focus=p.focus)

    @start_partnership.validator
    def _validate_partnership(self, request: StartedPartnership) -> None:
        with refusals():
            self._check_open()
            check_partnership_starter(self.state.coordinators, request.actor, request.partnership.coach)

    @workflow.update
    async def add_participant(self, request: AddedParticipant) -> Person:
        person = request.person
        await self._record(RECORD_PARTICIPANT, ParticipantAdded(cohort=self.state.cohort, person=person, by=request.actor))
        self.dispatch.signal(
            ids.ledger_id(self.state.cohort, str(person.school)), "add_member", Member(email=person.email, role=person.role)
        )
        if person.role == Role.coach:
            await self._start(LaunchBatch(kind="training", ids=[person.email]))
        return person

    @add_participant.validator
    def _validate_participant(self, request: AddedParticipant) -> None:
        with refusals():
            self._check_open()
            check_coordinator(self.state.coordinators, request.actor, "adds participants")

    @workflow.update
    async def withdraw_participant(self, request: Withdrawal) -> list[str]:
        """Withdraw a coach or teacher; returns the partnerships that end with them."""
        cohort, email = self.state.cohort, request.email.strip().lower()
        departure: Departure = await self._record(
            RECORD_WITHDRAWAL, ParticipantWithdrawn(cohort=cohort, email=email, by=request.actor), Departure
        )
        if departure.role == Role.coach:
            self.dispatch.signal(ids.training_id(cohort, email), "withdraw")
        ending = partnerships_ending_with(email, departure.partnerships)
        for pid in ending:
            self.dispatch.signal(ids.partnership_id(cohort, pid), "withdraw", request.actor)
        return ending

    @withdraw_participant.validator
    def _validate_withdrawal(self, request: Withdrawal) -> None:
        with refusals():
            self._check_open()
            check_coordinator(self.state.coordinators, request.actor, "withdraws participants")

    def _check_open(self) -> None:
        check_cohort_open(len(self.to_start or []) if self.to_start is not None else 1, self.year_closed)

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
        r = self.state.roster
        total = r.schools + r.coaches + r.partnerships
        if self.to_start is None:
            return LaunchProgress(started=0, total=total)
        return LaunchProgress(started=total - sum(b.size for b in self.to_start if b.ids is None), total=total)

    @workflow.query
    def resume_input(self) -> CohortInput:
        """The input that resumes this cohort where it stands: the one it continues as new with."""
        return CohortInput(state=self.state, to_start=self.to_start, year_closed=self.year_closed)
