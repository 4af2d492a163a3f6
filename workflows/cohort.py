"""A cohort: one program year, launched by a coordinator.

It starts a release ledger per school, a training workflow per coach and a
partnership workflow per partnership (through an activity, not as children, so
they belong to no run of the cohort), and accepts new participants, partnerships
and withdrawals while it runs. It hears from its workflows only what its own rules
need: a coach's training status, and a partnership's end. Everything else they keep
in their memos for visibility (workflows/summaries.py), so its history grows with
the coordinators' work, not with every move. It continues as new when Temporal suggests it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow

from activities.names import (
    RECORD_PARTICIPANT,
    RECORD_WITHDRAWAL,
    START_WORKFLOWS,
    ParticipantAdded,
    ParticipantWithdrawn,
    WorkflowStart,
)
from workflows import ids
from workflows import search_attributes as sa
from workflows.dispatch import DATABASE_RETRY, Dispatch
from workflows.history import history_is_long
from workflows.partnership import PartnershipInput, PartnershipWorkflow
from workflows.refusals import refusals
from workflows.release_ledger import LedgerInput, Member, PartnershipAtSchool, ReleaseLedgerWorkflow
from workflows.training import TrainingInput, TrainingWorkflow

with workflow.unsafe.imports_passed_through():
    from domain import notices
    from domain.cohort import (
        CohortState,
        CohortSummary,
        NewParticipant,
        NewPartnership,
        PartnershipSummary,
        TrainingSummary,
        Withdrawal,
        check_new_participant,
        check_new_partnership,
        check_withdrawal,
        summarize,
        withdraw,
    )
    from domain.cycle import OPEN_STAGES, PartnershipRecord
    from domain.release import ReleaseLedgerRecord
    from domain.roster import PARTICIPANTS, Partnership, Person, Role, RosterIndex, School
    from domain.training import OPEN_TRAINING, TrainingRecord

START_BATCH = 100  # workflows started per activity while launching
LAUNCH_LANES = 6  # such activities in flight at a time (a probe of 1,562 workflows: 3 or 4 lanes 49-52/s, 5 to 12 lanes 213-242/s)


class CohortInput(BaseModel):
    state: CohortState
    to_start: list[str] | None = None  # workflow ids still to start; None before the launch
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
        # Each coach's partnerships, so that a coach's unlock does not scan every partnership of a state-sized cohort
        # (a thousand unlocks in one attendance record made that a workflow task of seconds).
        self._by_coach: dict[str, list[str]] = {}
        for pid, p in self.state.partnerships.items():
            self._by_coach.setdefault(p.coach, []).append(pid)

    @workflow.run
    async def run(self, input: CohortInput) -> CohortSummary:
        if self.to_start is None:
            self._launch()
        assert self.to_start is not None
        # Cohorts launched before launching in lanes replay with one batch at a time.
        await self._start_all(LAUNCH_LANES)
        await workflow.wait_condition(lambda: self._year_over() or history_is_long())
        if not self._year_over():
            await self._continue_as_new()
        self._close_year()
        await workflow.wait_condition(lambda: self._all_partnerships_ended() or history_is_long())
        await self.dispatch.settled()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self._all_partnerships_ended():
            await self._continue_as_new()
        return summarize(self.state, workflow.now())

    async def _start_all(self, lanes: int) -> None:
        """Start every workflow still to start, `lanes` batches at a time; the next batch goes out as soon as
        one is done, so the launch never waits on its slowest batch."""
        assert self.to_start is not None
        unsent = list(self.to_start)
        in_flight: set[asyncio.Task[None]] = set()
        while unsent or in_flight:
            while unsent and len(in_flight) < lanes and not history_is_long():
                batch, unsent = unsent[:START_BATCH], unsent[START_BATCH:]
                in_flight.add(asyncio.create_task(self._start_batch(batch)))
            if not in_flight:  # the history is long: the next run starts what is left
                await self._continue_as_new()
            done, pending = await workflow.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            in_flight = set(pending)
            for task in done:
                task.result()  # a batch that could not be started fails this task, as an awaited one would

    async def _start_batch(self, batch: list[str]) -> None:
        await self._start(batch)
        # A batch leaves to_start only once its workflows have started, so
        # launch_progress never reports done while a batch is in flight.
        started = set(batch)
        self.to_start = [wid for wid in self.to_start or [] if wid not in started]

    async def _continue_as_new(self) -> None:
        await self.dispatch.settled()
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self.resume_input())

    # -- launch ---------------------------------------------------------------------

    def _launch(self) -> None:
        s = self.state
        s.launched_at = workflow.now()
        roster = s.roster
        self.to_start = (
            [ids.ledger_id(s.cohort, school.id) for school in roster.schools]
            + [self._enrol(person) for person in roster.with_role(Role.coach)]
            + [self._register(p) for p in roster.partnerships]
        )
        self.dispatch.notify(notices.cohort_launched(s.cohort, s.program, roster.coordinators, len(s.trainings), len(s.partnerships)))

    def _enrol(self, person: Person) -> str:
        self.state.trainings[person.email] = TrainingSummary(coach=person.email, name=person.name, school=str(person.school))
        return ids.training_id(self.state.cohort, person.email)

    def _register(self, p: Partnership) -> str:
        self.state.partnerships[p.id] = PartnershipSummary(id=p.id, coach=p.coach, partners=p.partners, school=p.school)
        self._by_coach.setdefault(p.coach, []).append(p.id)
        return ids.partnership_id(self.state.cohort, p.id)

    async def _start(self, workflow_ids: list[str]) -> None:
        """Start the workflows of these schools, coaches and partnerships (each has one of its own)."""
        index = self.state.roster.index()
        entities = [(wid, *self._entity(wid, index)) for wid in workflow_ids]
        # Not child workflows: they outlive every run of this cohort (see activities/workflow_starts.py).
        orders = [
            WorkflowStart(workflow=name, id=wid, task_queue=workflow.info().task_queue, input=arg.model_dump(mode="json"), attributes=attrs)
            for wid, name, arg, attrs in entities
        ]
        await workflow.execute_activity(START_WORKFLOWS, orders, start_to_close_timeout=timedelta(minutes=2))

    def _entity(self, workflow_id: str, roster: RosterIndex) -> tuple[str, BaseModel, dict[str, str]]:
        """The workflow type, input and search attributes of one of the cohort's workflows."""
        kind, _, key = ids.parse(workflow_id)
        s = self.state
        if kind == "release":
            school = roster.schools[key]
            ledger = LedgerInput(record=self._ledger_record(school), program=s.program)
            return ReleaseLedgerWorkflow.__name__, ledger, self._attributes(school=school.id)
        if kind == "training":
            person = roster.people[key]
            record = TrainingRecord(
                cohort=s.cohort,
                coach=person.email,
                name=person.name,
                school=str(person.school),
                coordinators=roster.coordinators,
                partnerships=list(self._by_coach.get(person.email, [])),
            )
            training = TrainingInput(record=record, program=s.program)
            return TrainingWorkflow.__name__, training, self._attributes(school=str(person.school), coach=person.email)
        p = roster.partnerships[key]
        school = roster.schools[p.school]
        partnership = PartnershipRecord(
            cohort=s.cohort,
            id=p.id,
            school=p.school,
            coach=p.coach,
            partners=p.partners,
            focus=p.focus,
            school_goal=p.school_goal,
            coordinators=roster.coordinators,
            principal=school.principal,
            coaching_unlocked=s.trainings[p.coach].coaching_unlocked if p.coach in s.trainings else False,
        )
        return (
            PartnershipWorkflow.__name__,
            PartnershipInput(record=partnership, program=s.program),
            self._attributes(school=p.school, coach=p.coach),
        )

    def _ledger_record(self, school: School) -> ReleaseLedgerRecord:
        s = self.state
        return ReleaseLedgerRecord(
            cohort=s.cohort,
            school=school.id,
            school_year=s.program.school_year,
            principal=school.principal,
            members={p.email: p.role for p in s.roster.people if p.school == school.id and p.role in PARTICIPANTS},
            allowances=s.program.release_days,
            partnerships={p.id: p.coach for p in s.roster.partnerships if p.school == school.id},
        )

    def _attributes(self, school: str, coach: str | None = None) -> dict[str, str]:
        found = {sa.COHORT.name: self.state.cohort, sa.SCHOOL.name: school}
        if coach is not None:
            found[sa.COACH.name] = coach
        return found

    # -- what the coaches' and partnerships' workflows report ------------------

    @workflow.signal
    def training_changed(self, summary: TrainingSummary) -> None:
        self.state.trainings[summary.coach] = summary

    @workflow.signal
    def partnership_changed(self, summary: PartnershipSummary) -> None:
        self.state.partnerships[summary.id] = summary

    # -- a coordinator (or coach) changes the running cohort --------------------------

    @workflow.update
    async def start_partnership(self, request: NewPartnership) -> PartnershipSummary:
        with refusals():
            partnership = check_new_partnership(self.state, request)
        self.state.roster.partnerships.append(partnership)
        workflow_id = self._register(partnership)
        await self._start([workflow_id])
        # The coach's training tells it when coaching unlocks (or now, if it has).
        self.dispatch.signal(ids.training_id(self.state.cohort, partnership.coach), "partnership_added", partnership.id)
        self.dispatch.signal(
            ids.ledger_id(self.state.cohort, partnership.school),
            "add_partnership",
            PartnershipAtSchool(id=partnership.id, coach=partnership.coach),
        )
        return self.state.partnerships[partnership.id]

    @start_partnership.validator
    def _validate_partnership(self, request: NewPartnership) -> None:
        with refusals():
            check_new_partnership(self.state, request)

    @workflow.update
    async def add_participant(self, request: NewParticipant) -> Person:
        with refusals():
            person = check_new_participant(self.state, request)
        # The database's roster first: its unique email per cohort refuses a person added twice at once.
        await workflow.execute_activity(
            RECORD_PARTICIPANT,
            ParticipantAdded(cohort=self.state.cohort, person=person, by=request.actor),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
        self.state.roster.people.append(person)
        self.dispatch.signal(
            ids.ledger_id(self.state.cohort, str(person.school)), "add_member", Member(email=person.email, role=person.role)
        )
        if person.role == Role.coach:
            await self._start([self._enrol(person)])
        return person

    @add_participant.validator
    def _validate_participant(self, request: NewParticipant) -> None:
        with refusals():
            check_new_participant(self.state, request)

    @workflow.update
    async def withdraw_participant(self, request: Withdrawal) -> list[str]:
        """Withdraw a coach or teacher; returns the partnerships that end with them."""
        with refusals():
            person = check_withdrawal(self.state, request)
        cohort = self.state.cohort
        await workflow.execute_activity(
            RECORD_WITHDRAWAL,
            ParticipantWithdrawn(cohort=cohort, email=person.email, by=request.actor),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
        if person.email in self.state.trainings:
            self.dispatch.signal(ids.training_id(cohort, person.email), "withdraw")
        ending = withdraw(self.state, person)
        for pid in ending:
            self.dispatch.signal(ids.partnership_id(cohort, pid), "withdraw", request.actor)
        return ending

    @withdraw_participant.validator
    def _validate_withdrawal(self, request: Withdrawal) -> None:
        with refusals():
            check_withdrawal(self.state, request)

    @workflow.query
    def launch_progress(self) -> LaunchProgress:
        total = len(self.state.roster.schools) + len(self.state.trainings) + len(self.state.partnerships)
        return LaunchProgress(started=total - len(self.to_start or []) if self.to_start is not None else 0, total=total)

    @workflow.query
    def details(self) -> CohortState:
        return self.state

    @workflow.query
    def resume_input(self) -> CohortInput:
        """The input that resumes this cohort where it stands: the one it continues as new with."""
        return CohortInput(state=self.state, to_start=self.to_start, year_closed=self.year_closed)

    # -- the end of the year -------------------------------------------------------------

    def _year_over(self) -> bool:
        return not self.to_start and all(t.status not in OPEN_TRAINING for t in self.state.trainings.values())

    def _all_partnerships_ended(self) -> bool:
        return all(p.stage not in OPEN_STAGES for p in self.state.partnerships.values())

    def _close_year(self) -> None:
        if not self.year_closed:
            self.year_closed = True
            for school in self.state.roster.schools:
                self.dispatch.signal(ids.ledger_id(self.state.cohort, school.id), "close")
