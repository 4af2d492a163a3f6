"""The one client every door uses (command line, web, tests, benchmark).

It stores rosters, finds workflows by id, sends Updates and queries, and turns
a refused Update into the domain's `Refused` (reason and the moves allowed
instead). Changes to a running cohort are checked here, against a `Roll` looked
up in the database, before anything is sent; moves, notes, attendance and
release requests are checked by their workflows' validators. Authorization for
doors lives in the doors; the rules themselves stay in `domain/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.cohort import (
    AddedParticipant,
    CohortState,
    CohortSummary,
    NewParticipant,
    NewPartnership,
    PartnershipSummary,
    Roll,
    RosterRef,
    StartedPartnership,
    Withdrawal,
    check_launch,
    check_new_participant,
    check_new_partnership,
    check_withdrawal,
)
from domain.cycle import CycleGoal, Outcome, PartnershipRecord, Stage
from domain.plans import PlanDraft, SchoolPlan
from domain.problems import Refused
from domain.processes.cohort import CohortRecord, LaunchProgress
from domain.processes.ledger import Cancellation, Decision, ReleaseAsk
from domain.processes.partnership import GoalRequest, MoveRequest, MoveResult, NoteRequest, OutcomeRequest
from domain.processes.school import PlanEndorsement, SelfAssessment
from domain.processes.training import AttendanceUpdate
from domain.program import Program, TrainingSession
from domain.release import ReleaseLedgerRecord, ReleaseRequest, ledger_of
from domain.report import YearReport
from domain.roster import Person, Role, Roster
from domain.school_year import SchoolYearRecord
from domain.session_change import SessionChange, SessionEdit
from domain.tiers import Round
from domain.training import Attendance, TrainingRecord, check_attendance
from domain.year_two import YearTwoAnswer, YearTwoChoice, YearTwoDecision
from store import members, read_model, report, rosters
from store.database import Database
from store.read_model import Page, PartnershipRow
from store.sealed import Sealer
from workflows import ids
from workflows import search_attributes as sa
from workflows.cohort import CohortInput, CohortWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.release_ledger import ReleaseLedgerWorkflow
from workflows.school import SchoolWorkflow
from workflows.training import TrainingWorkflow

T = TypeVar("T")
LAUNCH_QUERY_PATIENCE = 10  # unanswered launch-progress queries in a row before giving up


class CohortExists(Refused):
    pass


class Busy(Refused):
    """Nothing was done, and asking again soon will do: the workflow has as many Updates in flight as the server lets
    one workflow have, or the Update arrived as the run was continuing as new (the server aborts it)."""


def _refusal(err: BaseException) -> Refused:
    cause = err.cause if isinstance(err, WorkflowUpdateFailedError) else err
    if isinstance(cause, ApplicationError):
        allowed = list(cause.details[0]) if cause.details else []
        return Refused(cause.message, [str(a) for a in allowed])
    return Refused(str(cause))


def _busy(err: RPCError) -> bool:
    """Refused for the moment, with nothing done: too many Updates in flight; an Update the server aborted because the
    run ended (continued as new) before taking it; or one that came while the workflow's last task was being retried
    (a task that timed out on a loaded worker). The server says which by its status or its words."""
    aborted = "update was aborted" in err.message or "Workflow Task in failed state" in err.message
    return err.status == RPCStatusCode.RESOURCE_EXHAUSTED or aborted


class CoachingClient:
    def __init__(self, client: Client, task_queue: str, database: Database):
        self.client = client
        self.task_queue = task_queue
        self.database = database

    async def _update(self, handle: WorkflowHandle[Any, Any], sent: Awaitable[T]) -> T:
        """The Update's answer, or the domain's refusal (`handle` names the workflow if it cannot be reached)."""
        try:
            return await sent
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from None
        except RPCError as err:
            if _busy(err):
                raise Busy(f"{handle.id} is busy with other requests; nothing was done, try again in a moment") from None
            raise Refused(f"{handle.id}: {err.message}") from None

    # -- cohorts ----------------------------------------------------------------------

    async def launch_cohort(
        self, cohort: str, program: Program, roster: Roster, launched_by: str, file_name: str | None = None, program_office: bool = False
    ) -> WorkflowHandle[Any, Any]:
        """Store the roster (version 1) and start the cohort with a reference to it; if either is refused, neither is left.
        `program_office`: the launcher is of the program office, which may launch a roster that does not name them."""
        check_launch(cohort, roster, launched_by, program_office)
        try:
            now = datetime.now(UTC)
            stored = await asyncio.to_thread(rosters.record_launch, self.database, cohort, program, roster, launched_by, now, file_name)
        except Refused as refused:
            raise CohortExists(refused.reason) from None
        state = CohortState(
            cohort=cohort,
            program=program,
            roster=RosterRef(
                version=stored.version,
                content_hash=stored.content_hash,
                schools=len(roster.schools),
                coaches=len(roster.with_role(Role.coach)),
                partnerships=len(roster.partnerships),
            ),
            coordinators=roster.coordinators,
            launched_by=launched_by,
        )
        try:
            return await self.client.start_workflow(
                CohortWorkflow.run,
                CohortInput(record=CohortRecord(state=state)),
                id=ids.cohort_id(cohort),
                task_queue=self.task_queue,
                search_attributes=TypedSearchAttributes([SearchAttributePair(sa.COHORT, cohort)]),
            )
        except WorkflowAlreadyStartedError:
            await asyncio.to_thread(rosters.forget_launch, self.database, cohort)
            raise CohortExists(f"cohort {cohort} already exists; nothing new was started") from None
        except RPCError:  # Temporal refused or could not be reached: the stored roster would belong to no cohort
            await asyncio.to_thread(rosters.forget_launch, self.database, cohort)
            raise

    async def launch_progress(self, cohort: str) -> LaunchProgress:
        handle = self.cohort(cohort)
        return await self._query(handle, handle.query(CohortWorkflow.launch_progress))

    async def wait_until_launched(
        self, cohort: str, on_progress: Callable[[LaunchProgress], None] | None = None, every: float = 0.2
    ) -> LaunchProgress:
        """Poll until every workflow of the cohort has started (a cohort of thousands takes a while).

        Launching thousands keeps the worker busy, and the cohort continues as new as it goes,
        so a query left unanswered is asked again, up to LAUNCH_QUERY_PATIENCE times in a row.
        """
        unanswered = 0
        while True:
            try:
                progress = await self.launch_progress(cohort)
            except Refused:
                unanswered += 1
                if unanswered > LAUNCH_QUERY_PATIENCE:
                    raise
                await asyncio.sleep(every)
                continue
            unanswered = 0
            if on_progress is not None:
                on_progress(progress)
            if progress.done:
                return progress
            await asyncio.sleep(every)

    def cohort(self, cohort: str) -> WorkflowHandle[CohortWorkflow, CohortSummary]:
        return self.client.get_workflow_handle_for(CohortWorkflow.run, ids.cohort_id(cohort))

    async def cohort_summary(self, cohort: str, now: datetime | None = None) -> CohortSummary:
        """What a coordinator sees, from the read model; `now` (for days stalled) is the server's clock where that is not the wall's."""
        found = await self._cohort_row(cohort)
        return await asyncio.to_thread(
            read_model.cohort_summary, self.database, cohort, found.program, found.launched_at, now or datetime.now(UTC)
        )

    async def year_report(self, cohort: str, sealer: Sealer) -> YearReport:
        """The year-end report (so far, until the cohort's year closes), from the read model; `sealer` opens the sealed
        self-assessments to count tier movement, of which the report keeps only counts."""
        return await asyncio.to_thread(report.year_report_of, self.database, cohort, datetime.now(UTC), sealer)

    async def launched_by(self, cohort: str) -> str:
        """Who launched the cohort: the command line acts as them unless told otherwise."""
        return (await self._cohort_row(cohort)).launched_by

    async def _cohort_row(self, cohort: str) -> members.CohortRow:
        found = next((c for c in await asyncio.to_thread(members.cohorts, self.database) if c.cohort == cohort), None)
        if found is None:
            raise Refused(f"there is no cohort {cohort}")
        return found

    async def _query(self, handle: WorkflowHandle[Any, Any], asked: Awaitable[T]) -> T:
        try:
            return await asked
        except RPCError as err:
            raise Refused(f"{handle.id.replace('/', ' ', 1)}: {err.message}") from None

    async def list_cohorts(self) -> list[tuple[str, str]]:
        return [(c.cohort, c.status) for c in await asyncio.to_thread(members.cohorts, self.database)]

    async def locate(self, email: str) -> tuple[str, Person]:
        """The running cohort a person is in, and who they are there."""
        for standing in await asyncio.to_thread(members.standings, self.database, email):
            m = standing.member
            return standing.cohort, Person(name=standing.name, email=m.email, role=m.role, school=m.school)
        raise Refused(f"{email.strip().lower()} is not in any running cohort")

    async def _roll(self, cohort: str, emails: list[str], coach: str | None = None) -> Roll:
        return await asyncio.to_thread(members.roll, self.database, cohort, emails, coach)

    async def add_participant(self, cohort: str, request: NewParticipant) -> Person:
        person = check_new_participant(await self._roll(cohort, [request.email]), request)
        added = AddedParticipant(actor=request.actor, person=person)
        handle = self.cohort(cohort)
        return await self._update(handle, handle.execute_update(CohortWorkflow.add_participant, added))

    async def withdraw_participant(self, cohort: str, request: Withdrawal) -> list[str]:
        check_withdrawal(await self._roll(cohort, [request.email]), request)
        handle = self.cohort(cohort)
        return await self._update(handle, handle.execute_update(CohortWorkflow.withdraw_participant, request))

    async def change_session(self, cohort: str, actor: str, number: int, edit: SessionEdit, reason: str) -> TrainingSession:
        """Move a session that has not begun; every coach gets the updated invite."""
        program = await asyncio.to_thread(members.program_of, self.database, cohort)
        if program is None:
            raise Refused(f"there is no cohort {cohort}")
        try:
            session = edit.applied_to(program.session(number))
        except KeyError as missing:
            raise Refused(str(missing.args[0])) from None
        change = SessionChange(actor=actor.strip().lower(), session=session, reason=reason.strip())
        handle = self.cohort(cohort)
        return await self._update(handle, handle.execute_update(CohortWorkflow.change_session, change))

    # -- training ---------------------------------------------------------------------

    def training(self, cohort: str, coach: str) -> WorkflowHandle[TrainingWorkflow, TrainingRecord]:
        return self.client.get_workflow_handle_for(TrainingWorkflow.run, ids.training_id(cohort, coach.lower()))

    async def record_attendance(self, cohort: str, actor: str, session: int, marks: dict[str, Attendance]) -> list[TrainingRecord]:
        """Record a session for several coaches; every one is checked before any is recorded.

        The session's start is the same for everyone, so the one check made only
        in the workflows (on Temporal's clock) cannot refuse some and not others.
        """
        program = (await self._cohort_row(cohort)).program
        coaches = await asyncio.to_thread(read_model.trainings, self.database, cohort, list(marks), len(marks) + 1)
        unknown = sorted(set(marks) - {t.coach for t in coaches.rows})
        if unknown:
            raise Refused(f"not coaches in cohort {cohort}: {', '.join(unknown)}")
        problems = []
        for email, status in marks.items():
            try:
                check_attendance(await self.training_record(cohort, email), program, session, status, actor, None)
            except Refused as refused:
                problems.append(f"{email}: {refused.reason}")
        if problems:
            raise Refused("nothing was recorded; " + "; ".join(problems))
        return [await self.record_one(cohort, actor, email, session, status) for email, status in marks.items()]

    async def record_one(self, cohort: str, actor: str, coach: str, session: int, status: Attendance) -> TrainingRecord:
        """One coach's attendance, checked only by the training workflow (for the simulator's volume)."""
        update = AttendanceUpdate(actor=actor, session=session, status=status)
        handle = self.training(cohort, coach)
        return await self._update(handle, handle.execute_update(TrainingWorkflow.record_attendance, update))

    async def training_record(self, cohort: str, coach: str) -> TrainingRecord:
        handle = self.training(cohort, coach)
        return await self._query(handle, handle.query(TrainingWorkflow.details))

    # -- partnerships ------------------------------------------------------------------

    def partnership(self, cohort: str, pid: str) -> WorkflowHandle[PartnershipWorkflow, PartnershipRecord]:
        return self.client.get_workflow_handle_for(PartnershipWorkflow.run, ids.partnership_id(cohort, pid))

    async def start_partnership(self, cohort: str, request: NewPartnership) -> PartnershipSummary:
        coach = request.coach.strip().lower()
        partnership = check_new_partnership(await self._roll(cohort, [coach, *request.partners], coach), request)
        started = StartedPartnership(actor=request.actor, partnership=partnership)
        handle = self.cohort(cohort)
        return await self._update(handle, handle.execute_update(CohortWorkflow.start_partnership, started))

    async def move(self, cohort: str, pid: str, actor: str, to: Stage, note: str | None = None) -> MoveResult:
        request = MoveRequest(actor=actor, to=to, note=note)
        handle = self.partnership(cohort, pid)
        return await self._update(handle, handle.execute_update(PartnershipWorkflow.move, request))

    async def add_note(self, cohort: str, pid: str, author: str, text: str, link: str | None = None) -> PartnershipRecord:
        request = NoteRequest(author=author, text=text, link=link)
        handle = self.partnership(cohort, pid)
        return await self._update(handle, handle.execute_update(PartnershipWorkflow.add_note, request))

    async def set_goal(self, cohort: str, pid: str, actor: str, lesson: str, goal: str) -> CycleGoal:
        handle = self.partnership(cohort, pid)
        request = GoalRequest(actor=actor.strip().lower(), lesson=lesson, goal=goal)
        return await self._update(handle, handle.execute_update(PartnershipWorkflow.set_goal, request))

    async def record_outcome(self, cohort: str, pid: str, actor: str, outcome: Outcome, evidence: str | None = None) -> CycleGoal:
        handle = self.partnership(cohort, pid)
        request = OutcomeRequest(actor=actor.strip().lower(), outcome=outcome, evidence=evidence)
        return await self._update(handle, handle.execute_update(PartnershipWorkflow.record_outcome, request))

    async def partnership_record(self, cohort: str, pid: str) -> PartnershipRecord:
        handle = self.partnership(cohort, pid)
        return await self._query(handle, handle.query(PartnershipWorkflow.details))

    async def find_partnerships(
        self,
        cohort: str | None = None,
        school: str | None = None,
        coach: str | None = None,
        stage: Stage | None = None,
        stalled: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[PartnershipRow]:
        """Answered by the read model, a page at a time; no workflow is asked."""
        coach = coach.strip().lower() if coach else None
        return await asyncio.to_thread(read_model.find_partnerships, self.database, cohort, school, coach, stage, stalled, limit, offset)

    # -- release time ------------------------------------------------------------------

    def ledger(self, cohort: str, school: str) -> WorkflowHandle[ReleaseLedgerWorkflow, ReleaseLedgerRecord]:
        return self.client.get_workflow_handle_for(ReleaseLedgerWorkflow.run, ids.ledger_id(cohort, school))

    async def request_release(
        self, cohort: str, school: str, requester: str, days: float, on: date, purpose: str, partnership: str | None = None
    ) -> ReleaseRequest:
        ask = ReleaseAsk(requester=requester, days=days, on=on, purpose=purpose, partnership=partnership)
        handle = self.ledger(cohort, school)
        return await self._update(handle, handle.execute_update(ReleaseLedgerWorkflow.request_release, ask))

    async def decide_release(self, request_id: str, actor: str, approve: bool, reason: str | None = None) -> ReleaseRequest:
        cohort, school = ledger_of(request_id)
        decision = Decision(request_id=request_id, actor=actor, approve=approve, reason=reason)
        handle = self.ledger(cohort, school)
        return await self._update(handle, handle.execute_update(ReleaseLedgerWorkflow.decide, decision))

    async def cancel_release(self, request_id: str, actor: str) -> ReleaseRequest:
        cohort, school = ledger_of(request_id)
        handle = self.ledger(cohort, school)
        return await self._update(
            handle, handle.execute_update(ReleaseLedgerWorkflow.cancel, Cancellation(request_id=request_id, actor=actor))
        )

    async def ledgers(self, school: str | None = None) -> list[ReleaseLedgerRecord]:
        """Every school ledger of the running cohorts, as last published."""
        running = {c.cohort for c in await asyncio.to_thread(members.cohorts, self.database) if c.status == "running"}
        return [ledger for ledger in await asyncio.to_thread(read_model.ledgers, self.database, None, school) if ledger.cohort in running]

    async def ledger_record(self, cohort: str, school: str) -> ReleaseLedgerRecord:
        handle = self.ledger(cohort, school)
        return await self._query(handle, handle.query(ReleaseLedgerWorkflow.details))

    # -- a school's year: its plan, self-assessments, year 2 --------------------------------

    def school_year(self, cohort: str, school: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle_for(SchoolWorkflow.run, ids.school_id(cohort, school))

    async def write_plan(self, cohort: str, school: str, draft: PlanDraft) -> SchoolPlan:
        handle = self.school_year(cohort, school)
        return await self._update(handle, handle.execute_update(SchoolWorkflow.write_plan, draft))

    async def endorse_plan(self, cohort: str, school: str, actor: str) -> SchoolPlan:
        handle = self.school_year(cohort, school)
        return await self._update(handle, handle.execute_update(SchoolWorkflow.endorse_plan, PlanEndorsement(actor=actor)))

    async def assess(self, cohort: str, school: str, actor: str, round: Round, answers: dict[str, int]) -> int:
        """The person's tier in the round (their answers are sealed in the database, theirs and their coach's)."""
        handle = self.school_year(cohort, school)
        assessment = SelfAssessment(actor=actor, round=round, answers=answers)
        return await self._update(handle, handle.execute_update(SchoolWorkflow.assess, assessment))

    async def decide_year_two(
        self, cohort: str, school: str, actor: str, subject: str, choice: YearTwoChoice, reason: str
    ) -> YearTwoDecision:
        handle = self.school_year(cohort, school)
        answer = YearTwoAnswer(actor=actor, subject=subject, choice=choice, reason=reason)
        return await self._update(handle, handle.execute_update(SchoolWorkflow.decide_year_two, answer))

    async def school_year_record(self, cohort: str, school: str) -> SchoolYearRecord:
        handle = self.school_year(cohort, school)
        return await self._query(handle, handle.query(SchoolWorkflow.details))


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
