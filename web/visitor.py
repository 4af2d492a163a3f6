"""A signed-in person's reach into the program: what they may see and do, for pages and the API alike.

Every page and every API route goes through a `Visitor`, so who-may-see-what is
decided in one place (the rules themselves are in `domain/access.py`). Who the
visitor is comes from the program's database (one indexed query a request) and
what they look at from its read model, a page at a time: no request reads a
cohort's roll from Temporal, so a page costs the same in a cohort of 1,000 coaches
as in one of 10. Only the one record a page is about (a partnership with its notes,
a coach's training year) is asked of its workflow. Actions go through the
`CoachingClient`, and the workflows check them again, refusing with a reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Concatenate, ParamSpec, TypeVar

from pydantic import BaseModel

from domain import access, cautions, words
from domain.access import Member, View
from domain.cohort import CohortSummary, NewPartnership, Withdrawal, check_new_partnership
from domain.cycle import BuildingView, CycleGoal, Outcome, PartnershipRecord, Stage, building_view
from domain.problems import Refused
from domain.processes.cohort import LaunchProgress
from domain.processes.partnership import MoveResult
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseRequest, ReleaseStatus, request_id
from domain.report import YearReport
from domain.roster import PARTICIPANTS, Person, Role, Roster, School
from domain.training import Attendance, TrainingRecord
from peercoach.client import CoachingClient
from store import members, read_model
from store.database import Database
from store.members import Standing
from store.outbox import OutboxEntry
from store.read_model import Page, PartnershipRow, TrainingRow
from store.sealed import Sealer
from web.paging import PAGE_ROWS

# Workflows publish to the read model a moment after an action returns. The action waits
# (this long at most) until the read model shows it, so the next page does too.
READ_MODEL_PATIENCE = 5.0
# A cohort busy starting thousands of workflows may be slow to say how far it is; the dashboard does not wait for it.
LAUNCH_QUERY_SECONDS = 2.0

P = ParamSpec("P")
T = TypeVar("T")


class Forbidden(Exception):
    """The visitor may not see or do this; the message says what, without revealing anything else."""


@dataclass(frozen=True)
class Membership:
    """One running cohort the visitor is in, as the database knows them there (never the cohort's roster)."""

    standing: Standing

    @property
    def cohort(self) -> str:
        return self.standing.cohort

    @property
    def program(self) -> Program:
        return self.standing.program

    @property
    def member(self) -> Member:
        return self.standing.member


class VisiblePartnership(BaseModel):
    """A partnership as the read model has it (stages, dates and counts, never notes) and how much of it the visitor may open."""

    partnership: PartnershipRow
    view: View


class Visitor:
    def __init__(self, email: str, coaching: CoachingClient, database: Database, memberships: list[Membership], program_office: bool):
        self.email = email
        self.coaching = coaching
        self.database = database
        self.memberships = memberships
        self.program_office = program_office  # may launch cohorts before any roster names them

    @classmethod
    async def arrive(cls, database: Database, coaching: CoachingClient, email: str, program_office: list[str]) -> Visitor:
        found = await asyncio.to_thread(members.standings, database, email)
        in_office = access.in_program_office(program_office, email)
        if in_office:  # the cohorts they launched without being in the roster, too
            found = sorted(found + await asyncio.to_thread(members.launched_by, database, email), key=lambda s: s.cohort)
        return cls(email, coaching, database, [Membership(s) for s in found], in_office)

    async def read(self, query: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A read of the program's database, off the event loop."""
        return await asyncio.to_thread(query, self.database, *args, **kwargs)

    async def caught_up(self, shown: Callable[[Database], bool]) -> None:
        """Wait until the read model shows what the visitor just did (or patience runs out: the page shows what is there)."""
        give_up = time.monotonic() + READ_MODEL_PATIENCE
        while not await self.read(shown) and time.monotonic() < give_up:
            await asyncio.sleep(0.05)

    @property
    def known(self) -> bool:
        return bool(self.memberships) or self.program_office

    @property
    def may_launch(self) -> bool:
        return access.may_launch([m.member for m in self.memberships], self.program_office)

    def membership(self, cohort: str) -> Membership:
        for m in self.memberships:
            if m.cohort == cohort:
                return m
        raise Forbidden(f"you are not in cohort {cohort}")

    def coordinating(self, cohort: str) -> Membership:
        m = self.membership(cohort)
        if not access.is_coordinator(m.member):
            raise Forbidden(f"only a coordinator of {cohort} may see this")
        return m

    async def names(self, cohort: str, emails: list[str]) -> dict[str, str]:
        """The roster's names of these people in a cohort the visitor is in (an address without a name stays itself)."""
        self.membership(cohort)
        found = await self.read(members.names, cohort, emails)
        return {e: found.get(e, e) for e in emails} | found

    async def titles(self, cohort: str, partnerships: list[tuple[str, str, list[str]]]) -> dict[str, str]:
        """(id, coach, partners) -> "Mary Okafor with Tom Reyes": how pages name a partnership."""
        emails = [e for _, coach, partners in partnerships for e in (coach, *partners)]
        named = await self.names(cohort, emails) if emails else {}
        return {pid: f"{named[coach]} with {words.together([named[p] for p in partners])}" for pid, coach, partners in partnerships}

    async def titles_of(self, cohort: str, ids: list[str]) -> dict[str, str]:
        """The titles of these partnerships (each one the visitor may see)."""
        member = self.membership(cohort).member
        rows = [row for pid in ids if (row := await self.read(read_model.partnership, cohort, pid)) is not None]
        for row in rows:
            self._view(member, row)
        return await self.titles(cohort, [(r.id, r.coach, r.partners) for r in rows])

    async def school_names(self, cohort: str) -> dict[str, str]:
        self.membership(cohort)
        return {s.id: s.name for s in await self.read(members.schools, cohort)}

    async def school_of(self, cohort: str, school: str) -> School:
        found = await self.read(members.school, cohort, school)
        if found is None:
            raise Forbidden(f"there is no school {school} in cohort {cohort}")
        return found

    # -- coordinators ------------------------------------------------------------------

    async def launch(self, cohort: str, program: Program, roster: Roster, file_name: str | None) -> None:
        """Start the cohort; its workflows keep starting after this returns (the dashboard shows how far).

        The cohort and its people are in the database before its workflow starts, so the next page finds it.
        """
        if not self.may_launch:
            raise Forbidden("only coordinators launch cohorts")
        await self.coaching.launch_cohort(cohort, program, roster, self.email, file_name, program_office=self.program_office)

    async def launch_progress(self, cohort: str) -> LaunchProgress | None:
        """How far the cohort's workflows have started; None while the cohort is too busy starting them to say."""
        self.coordinating(cohort)
        try:
            return await asyncio.wait_for(self.coaching.launch_progress(cohort), LAUNCH_QUERY_SECONDS)
        except (Refused, TimeoutError):
            return None

    async def summary(self, cohort: str) -> CohortSummary:
        """Counts over the cohort's rows of the read model: attendance, stages, stalls, follow-ups."""
        m = self.coordinating(cohort)
        launched = await self.read(members.launched_at, cohort)
        return await self.read(read_model.cohort_summary, cohort, m.program, launched, datetime.now(UTC))

    async def trainings(self, cohort: str, offset: int = 0, coaches: list[str] | None = None, limit: int = PAGE_ROWS) -> Page[TrainingRow]:
        """A page of the cohort's coaches (or of these ones) with their attendance, by name."""
        self.coordinating(cohort)
        return await self.read(read_model.trainings, cohort, coaches, limit, offset)

    async def record_attendance(self, cohort: str, session: int, marks: dict[str, Attendance]) -> None:
        self.coordinating(cohort)
        recorded = {r.coach: r.revision for r in await self.coaching.record_attendance(cohort, self.email, session, marks)}

        def shown(database: Database) -> bool:
            rows = read_model.trainings(database, cohort, list(recorded), limit=len(recorded)).rows
            return all(row.revision >= recorded[row.coach] for row in rows)

        await self.caught_up(shown)

    async def undeliverable(self, cohort: str) -> list[str]:
        """Addresses a mail server refused for good: the coordinator corrects them in the roster."""
        self.coordinating(cohort)
        return await self.read(members.undeliverable, cohort)

    async def participants(
        self,
        cohort: str,
        offset: int,
        role: Role | None = None,
        school: str | None = None,
        q: str | None = None,
        limit: int = PAGE_ROWS,
    ) -> Page[Person]:
        """The cohort's people still in it, by role, school and text in their name or address, a page at a time (by name)."""
        self.coordinating(cohort)
        found: Page[Person] = await self.read(members.people, cohort, role, school, None, False, limit, offset, q)
        return found

    async def participant(self, cohort: str, email: str) -> Person:
        self.coordinating(cohort)
        found = await self.read(members.people, cohort, None, None, [email], False, 1, 0)
        if not found.rows or found.rows[0].role not in PARTICIPANTS:
            raise Refused(f"{email} is not a coach or collaborating teacher still in the cohort")
        return found.rows[0]

    async def withdraw_participant(self, cohort: str, email: str, reason: str) -> list[str]:
        """Withdraw a coach or teacher, saying why (the cohort's own rules decide); the partnerships that end with them."""
        self.coordinating(cohort)
        return await self.coaching.withdraw_participant(cohort, Withdrawal(actor=self.email, email=email, reason=reason))

    async def outbox(
        self,
        cohort: str,
        offset: int,
        kind: str | None = None,
        status: str | None = None,
        q: str | None = None,
        limit: int = PAGE_ROWS,
    ) -> Page[OutboxEntry]:
        """What the program told the cohort's people, of a kind and status and with text in the recipient's address or name,
        the subject or the kind, newest first, a page at a time."""
        self.coordinating(cohort)
        return await self.read(members.messages_to, cohort, limit, offset, kind, status, q)

    async def year_report(self, cohort: str, sealer: Sealer) -> YearReport:
        """The cohort's year-end report, so far or final: for its coordinators."""
        self.coordinating(cohort)
        return await self.coaching.year_report(cohort, sealer)

    # -- training ----------------------------------------------------------------------

    async def training(self, cohort: str, coach: str) -> TrainingRecord:
        """A coach's whole training year, asked of its one workflow."""
        if not access.may_see_training(self.membership(cohort).member, coach):
            raise Forbidden("a training year is seen by its coach and the cohort's coordinators")
        return await self.coaching.training_record(cohort, coach)

    async def my_training(self, cohort: str) -> TrainingRow | None:
        """The visitor's own training year as the read model has it; None unless they coach in the cohort."""
        if self.membership(cohort).member.role != Role.coach:
            return None
        found = await self.read(read_model.trainings, cohort, [self.email], 1)
        return found.rows[0] if found.rows else None

    # -- partnerships --------------------------------------------------------------------

    async def my_partnerships(self, cohort: str) -> list[PartnershipRow]:
        """The partnerships the visitor coaches or is a collaborating teacher in: a handful, never paged."""
        self.membership(cohort)
        return await self.read(read_model.partnerships_of, cohort, self.email)

    async def partnerships(
        self,
        cohort: str,
        school: str | None = None,
        coach: str | None = None,
        stage: Stage | None = None,
        stalled: bool | None = None,
        limit: int = PAGE_ROWS,
        offset: int = 0,
        q: str | None = None,
    ) -> Page[VisiblePartnership]:
        """The cohort's partnerships this person may see, by school, coach, stage, whether stalled and text (`q`: a name,
        an address or the id; the focus only in their own partnerships, as only they see it), a page at a time (by id),
        with how much of each."""
        member = self.membership(cohort).member
        coach = coach.strip().lower() if coach else None
        find = read_model.find_partnerships
        if access.is_coordinator(member):
            found = await self.read(find, cohort, school, coach, stage, stalled, limit, offset, q=q)
        elif member.principal_of:
            if school is not None and not access.may_see_school(member, school):
                raise Forbidden(f"only the principal of {school} and the cohort's coordinators may see this")
            schools = [school] if school is not None else member.principal_of
            found = await self.read(find, cohort, None, coach, stage, stalled, limit, offset, schools, q=q)
        else:  # their own: the ones they coach or are a collaborating teacher in
            found = await self.read(find, cohort, school, coach, stage, stalled, limit, offset, q=q, member=self.email, in_focus=True)
        seen = []
        for p in found.rows:
            view = self._view(member, p)
            seen.append(VisiblePartnership(partnership=access.as_seen(p, view), view=view))
        return Page[VisiblePartnership](rows=seen, total=found.total, offset=found.offset, limit=found.limit)

    @staticmethod
    def _view(member: Member, p: PartnershipRow) -> View:
        view = access.partnership_view(member, p.coach, p.partners, p.school)
        if view is None:
            raise Forbidden(f"you are not part of partnership {p.id}")
        return view

    async def _seen(self, cohort: str, pid: str) -> View:
        member = self.membership(cohort).member
        found = await self.read(read_model.partnership, cohort, pid)
        if found is None:
            raise Forbidden(f"you are not part of partnership {pid}")  # the same answer as for someone else's
        return self._view(member, found)

    async def partnership(self, cohort: str, pid: str) -> PartnershipRecord | BuildingView:
        """The whole record for its coach and teachers; stages, dates and counts for anyone else allowed."""
        view = await self._seen(cohort, pid)
        record = await self.coaching.partnership_record(cohort, pid)
        return record if view == View.partnership else building_view(record)

    async def move(self, cohort: str, pid: str, to: Stage, note: str | None) -> MoveResult:
        await self._seen(cohort, pid)  # the workflow decides who may move; this only keeps strangers out
        moved = await self.coaching.move(cohort, pid, self.email, to, note)

        def shown(database: Database) -> bool:
            row = read_model.partnership(database, cohort, pid)
            return row is not None and row.stage_since is not None and row.stage_since >= moved.move.at

        await self.caught_up(shown)
        return moved

    async def add_note(self, cohort: str, pid: str, text: str, link: str | None) -> PartnershipRecord:
        await self._seen(cohort, pid)
        return await self.coaching.add_note(cohort, pid, self.email, text, link)

    async def set_goal(self, cohort: str, pid: str, lesson: str, goal: str) -> CycleGoal:
        await self._seen(cohort, pid)
        return await self.coaching.set_goal(cohort, pid, self.email, lesson, goal)

    async def record_outcome(self, cohort: str, pid: str, outcome: Outcome, evidence: str | None) -> CycleGoal:
        await self._seen(cohort, pid)
        return await self.coaching.record_outcome(cohort, pid, self.email, outcome, evidence)

    async def open_partnerships_with(self, cohort: str, teachers: list[str]) -> list[PartnershipRow]:
        """The open partnerships these teachers are in already (a second one is likely a mistake: the page asks first)."""
        self.membership(cohort)
        theirs = [p for t in teachers for p in await self.read(read_model.partnerships_of, cohort, t)]
        return cautions.open_partnerships_with(theirs, teachers)

    async def check_start(self, cohort: str, partners: list[str], focus: str, school_goal: str | None) -> None:
        """Refuse, saying why, as starting this partnership would be refused (the cohort's rule); starts nothing."""
        self.membership(cohort)
        request = NewPartnership(actor=self.email, coach=self.email, partners=partners, focus=focus, school_goal=school_goal)
        check_new_partnership(await self.read(members.roll, cohort, [self.email, *partners], self.email), request)

    async def start_partnership(self, cohort: str, partners: list[str], focus: str, school_goal: str | None) -> str:
        """Start one of the visitor's own partnerships; its id. The cohort records it in the database before it starts it."""
        self.membership(cohort)
        request = NewPartnership(actor=self.email, coach=self.email, partners=partners, focus=focus, school_goal=school_goal)
        return (await self.coaching.start_partnership(cohort, request)).id

    async def teachers_to_choose(self, cohort: str, offset: int) -> Page[Person]:
        """Collaborating teachers of the visitor's school, a page at a time."""
        school = self.membership(cohort).member.school
        return await self.read(members.people, cohort, Role.teacher, school, limit=PAGE_ROWS, offset=offset)

    # -- release time --------------------------------------------------------------------

    async def _ledger(self, cohort: str, school: str) -> ReleaseLedgerRecord:
        found = await self.read(read_model.ledgers, cohort, school)
        if not found:
            raise Refused(f"release time at {school} is not open yet; try again in a minute")
        return found[0]

    async def _request_shown(self, cohort: str, school: str, request: ReleaseRequest) -> None:
        def shown(database: Database) -> bool:
            ledgers = read_model.ledgers(database, cohort, school)
            return any(r.id == request.id and r.status == request.status for ledger in ledgers for r in ledger.requests)

        await self.caught_up(shown)

    def _own_school(self, cohort: str) -> str:
        member = self.membership(cohort).member
        if not access.may_request_release(member) or member.school is None:
            raise Forbidden("release time is asked for by coaches and collaborating teachers")
        return member.school

    async def my_release(self, cohort: str) -> tuple[ReleaseLedgerRecord, list[ReleaseRequest]]:
        """My school's ledger (for my allowance and what is left) and my own requests."""
        ledger = await self._ledger(cohort, self._own_school(cohort))
        return ledger, [r for r in ledger.requests if r.requester == self.email]

    async def request_release(self, cohort: str, days: float, on: date, purpose: str, partnership: str | None) -> ReleaseRequest:
        school = self._own_school(cohort)
        asked = await self.coaching.request_release(cohort, school, self.email, days, on, purpose, partnership)
        await self._request_shown(cohort, school, asked)
        return asked

    async def cancel_release(self, cohort: str, number: int) -> ReleaseRequest:
        school = self._own_school(cohort)
        ledger = await self._ledger(cohort, school)
        cancelled = await self.coaching.cancel_release(request_id(ledger, number), self.email)
        await self._request_shown(cohort, school, cancelled)
        return cancelled

    # -- principals ----------------------------------------------------------------------

    def _school(self, cohort: str, school: str) -> None:
        if not access.may_see_school(self.membership(cohort).member, school):
            raise Forbidden(f"only the principal of {school} and the cohort's coordinators may see this")

    async def booked(self, cohort: str, school: str, request: ReleaseRequest) -> ReleaseRequest:
        """The request once the substitute desk has booked it (or as it is when patience runs out)."""
        found = request

        def shown(database: Database) -> bool:
            nonlocal found
            for ledger in read_model.ledgers(database, cohort, school):
                for r in ledger.requests:
                    if r.id == request.id:
                        found = r
            return found.booking is not None or found.status != ReleaseStatus.approved

        await self.caught_up(shown)
        return found

    async def school_ledger(self, cohort: str, school: str) -> ReleaseLedgerRecord:
        """A building's release days and requests, as its ledger last published them."""
        self._school(cohort, school)
        return await self._ledger(cohort, school)

    async def school_partnerships(
        self,
        cohort: str,
        school: str,
        offset: int,
        limit: int = PAGE_ROWS,
        q: str | None = None,
        stage: Stage | None = None,
        stalled: bool | None = None,
    ) -> Page[PartnershipRow]:
        """A building's partnerships as stages, dates and counts (never note text), by stage, whether stalled and text
        (a name, an address or the id), a page at a time."""
        self._school(cohort, school)
        find = read_model.find_partnerships
        found: Page[PartnershipRow] = await self.read(find, cohort, school, None, stage, stalled, limit, offset, q=q)
        return found.model_copy(update={"rows": [access.as_seen(p, View.building) for p in found.rows]})

    async def decide(self, cohort: str, school: str, number: int, approve: bool, reason: str | None) -> ReleaseRequest:
        self._school(cohort, school)
        ledger = await self._ledger(cohort, school)
        decided = await self.coaching.decide_release(request_id(ledger, number), self.email, approve, reason)
        await self._request_shown(cohort, school, decided)
        return decided
