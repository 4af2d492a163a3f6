"""A signed-in person's reach into the program: what they may see and do, for pages and the API alike.

Every page and every API route goes through a `Visitor`, so who-may-see-what is
decided in one place (the rules themselves are in `domain/access.py`); the moves
themselves are checked again by the workflows, which refuse with a reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime

from domain import access
from domain.access import View
from domain.cohort import CohortState, CohortSummary, NewPartnership, PartnershipSummary, summarize
from domain.cycle import BuildingView, PartnershipRecord, Stage, building_view
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseRequest, request_id
from domain.roster import Person, Roster
from domain.training import Attendance, TrainingRecord
from peercoach.client import CoachingClient
from workflows.cohort import LaunchProgress
from workflows.partnership import MoveResult


class Forbidden(Exception):
    """The visitor may not see or do this; the message says what, without revealing anything else."""


@dataclass
class Membership:
    state: CohortState
    person: Person

    @property
    def cohort(self) -> str:
        return self.state.cohort

    @property
    def roster(self) -> Roster:
        return self.state.roster


class Visitor:
    def __init__(self, email: str, coaching: CoachingClient, memberships: list[Membership], program_office: bool):
        self.email = email
        self.coaching = coaching
        self.memberships = memberships
        self.program_office = program_office  # may launch cohorts before any roster names them
        self._standing: dict[str, CohortState] = {}

    @classmethod
    async def arrive(cls, coaching: CoachingClient, email: str, program_office: list[str]) -> Visitor:
        found = [Membership(state, person) for state, person in await coaching.memberships(email)]
        return cls(email, coaching, found, email in program_office)

    @property
    def known(self) -> bool:
        return bool(self.memberships) or self.program_office

    @property
    def may_launch(self) -> bool:
        return self.program_office or any(access.is_coordinator(m.roster, self.email) for m in self.memberships)

    def membership(self, cohort: str) -> Membership:
        for m in self.memberships:
            if m.cohort == cohort:
                return m
        raise Forbidden(f"you are not in cohort {cohort}")

    def coordinating(self, cohort: str) -> CohortState:
        m = self.membership(cohort)
        if not access.is_coordinator(m.roster, self.email):
            raise Forbidden(f"only a coordinator of {cohort} may see this")
        return m.state

    # -- coordinators ------------------------------------------------------------------

    async def launch(self, cohort: str, program: Program, roster: Roster) -> None:
        """Start the cohort; its workflows keep starting after this returns (the dashboard shows how far)."""
        if not self.may_launch:
            raise Forbidden("only coordinators launch cohorts")
        await self.coaching.launch_cohort(cohort, program, roster, self.email)
        # The next page finds the coordinator's cohorts through visibility, which lags a moment behind a start.
        for _ in range(100):
            if cohort in dict(await self.coaching.list_cohorts()):
                return
            await asyncio.sleep(0.1)

    async def launch_progress(self, cohort: str) -> LaunchProgress:
        self.coordinating(cohort)
        return await self.coaching.launch_progress(cohort)

    async def summary(self, cohort: str) -> CohortSummary:
        self.coordinating(cohort)
        return summarize(await self.as_it_stands(cohort), datetime.now(UTC))

    async def as_it_stands(self, cohort: str) -> CohortState:
        """The cohort with each training's and partnership's latest stage and attendance (asked once a request)."""
        m = self.membership(cohort)
        if cohort not in self._standing:
            self._standing[cohort] = await self.coaching.standing(m.state)
        return self._standing[cohort]

    async def record_attendance(self, cohort: str, session: int, marks: dict[str, Attendance]) -> list[TrainingRecord]:
        self.coordinating(cohort)
        return await self.coaching.record_attendance(cohort, self.email, session, marks)

    # -- training ----------------------------------------------------------------------

    async def training(self, cohort: str, coach: str) -> TrainingRecord:
        if not access.may_see_training(self.membership(cohort).roster, self.email, coach):
            raise Forbidden("a training year is seen by its coach and the cohort's coordinators")
        return await self.coaching.training_record(cohort, coach)

    # -- partnerships --------------------------------------------------------------------

    async def partnerships(self, cohort: str) -> list[tuple[PartnershipSummary, View]]:
        """The cohort's partnerships this person may see, with how much of each."""
        m = self.membership(cohort)
        seen = []
        for p in (await self.as_it_stands(cohort)).partnerships.values():
            view = access.partnership_view(m.roster, self.email, p.coach, p.partners, p.school)
            if view is not None:
                seen.append((p, view))
        return seen

    def _view(self, cohort: str, pid: str) -> View:
        m = self.membership(cohort)
        p = m.state.partnerships.get(pid)
        view = access.partnership_view(m.roster, self.email, p.coach, p.partners, p.school) if p else None
        if view is None:
            raise Forbidden(f"you are not part of partnership {pid}")
        return view

    async def partnership(self, cohort: str, pid: str) -> PartnershipRecord | BuildingView:
        """The whole record for its coach and teachers; stages, dates and counts for anyone else allowed."""
        view = self._view(cohort, pid)
        record = await self.coaching.partnership_record(cohort, pid)
        return record if view == View.partnership else building_view(record)

    async def move(self, cohort: str, pid: str, to: Stage, note: str | None) -> MoveResult:
        self._view(cohort, pid)  # the workflow decides who may move; this only keeps strangers out
        return await self.coaching.move(cohort, pid, self.email, to, note)

    async def add_note(self, cohort: str, pid: str, text: str, link: str | None) -> PartnershipRecord:
        self._view(cohort, pid)
        return await self.coaching.add_note(cohort, pid, self.email, text, link)

    async def start_partnership(self, cohort: str, partners: list[str], focus: str, school_goal: str | None) -> PartnershipSummary:
        self.membership(cohort)
        request = NewPartnership(actor=self.email, coach=self.email, partners=partners, focus=focus, school_goal=school_goal)
        return await self.coaching.start_partnership(cohort, request)

    # -- release time --------------------------------------------------------------------

    def _own_school(self, cohort: str) -> str:
        m = self.membership(cohort)
        if not access.may_request_release(m.roster, self.email) or m.person.school is None:
            raise Forbidden("release time is asked for by coaches and collaborating teachers")
        return m.person.school

    async def my_release(self, cohort: str) -> tuple[ReleaseLedgerRecord, list[ReleaseRequest]]:
        """My school's ledger (for my allowance and what is left) and my own requests."""
        ledger = await self.coaching.ledger_record(cohort, self._own_school(cohort))
        return ledger, [r for r in ledger.requests if r.requester == self.email]

    async def request_release(self, cohort: str, days: float, on: date, purpose: str, partnership: str | None) -> ReleaseRequest:
        return await self.coaching.request_release(cohort, self._own_school(cohort), self.email, days, on, purpose, partnership)

    async def cancel_release(self, cohort: str, number: int) -> ReleaseRequest:
        ledger = await self.coaching.ledger_record(cohort, self._own_school(cohort))
        return await self.coaching.cancel_release(request_id(ledger, number), self.email)

    # -- principals ----------------------------------------------------------------------

    def _school(self, cohort: str, school: str) -> Membership:
        m = self.membership(cohort)
        if not access.may_see_school(m.roster, self.email, school):
            raise Forbidden(f"only the principal of {school} and the cohort's coordinators may see this")
        return m

    async def school(self, cohort: str, school: str) -> tuple[ReleaseLedgerRecord, list[BuildingView]]:
        """A building's release requests and its partnerships as stages, dates and counts: never note text."""
        m = self._school(cohort, school)
        ledger = await self.coaching.ledger_record(cohort, school)
        views = [
            building_view(await self.coaching.partnership_record(cohort, p.id)) for p in m.state.partnerships.values() if p.school == school
        ]
        return ledger, views

    async def decide(self, cohort: str, school: str, number: int, approve: bool, reason: str | None) -> ReleaseRequest:
        self._school(cohort, school)
        ledger = await self.coaching.ledger_record(cohort, school)
        return await self.coaching.decide_release(request_id(ledger, number), self.email, approve, reason)
