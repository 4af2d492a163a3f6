"""The doors' way to an offering's enrollment workflow: start it, apply, confirm, endorse, withdraw, and the
office's payments, extensions, site decisions, scholarships and launches.

Every Update is checked by the workflow's validator, and a refusal comes back as the domain's
`Refused`. Who may act as the office is the door's to check (the deployment's program office);
a link's holder is who the signed link says (`domain/application_links.py`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from temporalio.client import WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain.applications import Application, ApplicationForm, offering_of
from domain.cohort import check_launch
from domain.next_year import CarryOver
from domain.offering import Offering
from domain.offering_record import OfferingRecord
from domain.problems import Refused
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
from domain.program import Program
from domain.site_roster import roster_for
from peercoach.client import Busy, CoachingClient
from store import members
from workflows import ids
from workflows.enrollment import EnrollmentInput, EnrollmentWorkflow

T = TypeVar("T")
BUSY_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6) + (2.0,) * 10  # about 25 seconds in all


class LaunchNotStarted(Refused):
    """The site is kept for the cohort, but the cohort did not start: something was done, and launching again finishes it."""


class EnrollmentClient:
    def __init__(self, coaching: CoachingClient):
        self.coaching = coaching

    async def _update(self, handle: WorkflowHandle[Any, Any], send: Callable[[], Awaitable[T]]) -> T:
        """Send an Update, and again while the server says the workflow has too many in flight (Temporal lets one
        workflow have ten): a spring's last evening has more applicants than that at once, and none of them is refused."""
        for wait in BUSY_WAITS:
            try:
                return await self.coaching._update(handle, send())
            except Busy:
                await asyncio.sleep(wait)
        return await self.coaching._update(handle, send())

    def handle(self, offering: str) -> WorkflowHandle[EnrollmentWorkflow, OfferingRecord]:
        return self.coaching.client.get_workflow_handle_for(EnrollmentWorkflow.run, ids.enrollment_id(offering))

    async def open_offering(self, offering: Offering, office: list[str], carry_over: CarryOver | None = None) -> OfferingRecord:
        """Start the offering's spring; the window opens on its own date. `carry_over`: last year's coaches going on
        (`domain/next_year.py`), and those concluded, who are thanked."""
        if not office:
            raise Refused("name at least one person of the program office: they are told when applications close")
        record = OfferingRecord(
            offering=offering,
            office=[e.strip().lower() for e in office],
            deadline=offering.deadline,
            applications=carry_over.returning if carry_over else [],
            concluded=carry_over.concluded if carry_over else [],
            started_at=datetime.now(UTC),
        )
        try:
            await self.coaching.client.start_workflow(
                EnrollmentWorkflow.run,
                EnrollmentInput(record=record),
                id=ids.enrollment_id(offering.id),
                task_queue=self.coaching.task_queue,
            )
        except WorkflowAlreadyStartedError:
            raise Refused(f"offering {offering.id} is open already; nothing new was started") from None
        return record

    async def record(self, offering: str) -> OfferingRecord:
        handle = self.handle(offering)
        return await self.coaching._query(handle, handle.query(EnrollmentWorkflow.details))

    async def apply(self, offering: str, form: ApplicationForm) -> Application:
        """One application, however often it has to be sent: each sending carries the same request id."""
        form = form if form.request else form.model_copy(update={"request": uuid.uuid4().hex})
        handle = self.handle(offering)
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.apply, form))

    async def confirm_email(self, application: str, email: str) -> Application:
        handle = self.handle(offering_of(application))
        confirmation = EmailConfirmation(application=application, actor=email)
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.confirm_email, confirmation))

    async def answer_endorsement(self, answer: EndorsementAnswer) -> Application:
        handle = self.handle(offering_of(answer.application))
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.answer_endorsement, answer))

    async def withdraw(self, application: str, actor: str) -> Application:
        handle = self.handle(offering_of(application))
        withdrawal = ApplicationWithdrawal(application=application, actor=actor)
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.withdraw, withdrawal))

    async def record_payment(self, entry: PaymentEntry) -> Application:
        handle = self.handle(offering_of(entry.application))
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.record_payment, entry))

    async def extend_deadline(self, offering: str, extension: DeadlineExtension) -> date:
        handle = self.handle(offering)
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.extend_deadline, extension))

    async def decide_site(self, offering: str, decision: EarlySiteDecision) -> list[Application]:
        handle = self.handle(offering)
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.decide_site, decision))

    async def award_scholarships(self, offering: str, choice: ScholarshipChoice) -> list[Application]:
        handle = self.handle(offering)
        return await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.award_scholarships, choice))

    async def launch_site(self, offering: str, site: str, cohort: str, program: Program, actor: str) -> str:
        """Launch a running site's cohort from its accepted applications.

        Everything that can be checked is checked first (the site, the roster the applications make, the cohort id);
        then the site is kept for this cohort in the workflow, so a second launch of it is refused; then the cohort
        starts. A cohort that fails to start leaves the site kept for it: launching again with the same id takes it up."""
        record = await self.record(offering)
        launched = SiteLaunched(site=site, cohort=cohort, actor=actor)
        exists = await asyncio.to_thread(members.program_of, self.coaching.database, cohort) is not None
        taken_up = record.launched.get(site) == cohort and not exists  # a launch begun before, whose cohort did not start
        if not taken_up:
            EnrollmentProcess(record.offering).check_new_launch(record, launched)
        if exists:
            raise Refused(f"cohort {cohort} already exists; choose another id for {record.offering.site(site).name}'s cohort")
        roster = roster_for(record, site)
        check_launch(cohort, roster, actor, program_office=True)
        handle = self.handle(offering)
        await self._update(handle, lambda: handle.execute_update(EnrollmentWorkflow.site_launched, launched))
        try:
            await self.coaching.launch_cohort(cohort, program, roster, actor, file_name=f"applications to {site}", program_office=True)
        except (Refused, RPCError) as err:
            said = err.reason if isinstance(err, Refused) else err.message
            kept = f"{record.offering.site(site).name} is kept for cohort {cohort}, which did not start ({said})"
            raise LaunchNotStarted(f"{kept}; launch it again with the same id") from None
        return cohort
