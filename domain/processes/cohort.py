"""A cohort's year as a process: the launch, changes while it runs, and the end of its year.

The cohort holds a reference to its stored roster, never the people (`CohortState`).
It decides what its launch starts (batches of the stored roster), which other
processes hear of a change, and when the year is over; its workflow records the
changes in the database and starts the workflows. The doors check each change
against the stored roster first (domain/cohort.py, `Roll`); here the cohort checks
what it knows itself: whether it is open for changes, and who may make them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, Field

from domain import notices
from domain.cohort import (
    AddedParticipant,
    CohortState,
    Departure,
    PartnershipSummary,
    StartedPartnership,
    Withdrawal,
    check_coordinator,
    check_partnership_starter,
    partnerships_ending_with,
    year_ends,
)
from domain.launch import LaunchBatch, launch_plan
from domain.problems import Refused
from domain.processes.effects import Effects, Message, ProcessKind, Recipient
from domain.processes.ledger import MemberAdded, PartnershipAtSchool, YearClosed
from domain.processes.partnership import PartnershipWithdrawn
from domain.processes.school import MemberLeft, PartnershipEnded
from domain.processes.training import PartnershipAdded, SessionChanged, TrainingWithdrawn
from domain.program import Program, TrainingSession
from domain.roster import Person, Role
from domain.session_change import SessionChange, changed_program

START_BATCH = 100  # workflows started per batch while launching: a page of the stored roster
EVERY_LEDGER = "*"  # the key of a message for every school's ledger in the cohort
EVERY_TRAINING = "*"  # the key of a message for every coach's training year in the cohort
R = TypeVar("R")


class CohortRecord(BaseModel):
    """What the cohort carries from run to run. Its size grows with the launch batches still to start, not the people."""

    state: CohortState
    to_start: list[LaunchBatch] | None = None  # batches still to start; None before the launch
    year_closed: bool = False
    session_changes: dict[int, int] = Field(default_factory=dict)  # by session number: how many times it was moved


class SessionMove(BaseModel):
    """A session change as the cohort decided it: the program as it will be, and the message for every training."""

    program: Program
    moved: SessionChanged


class LaunchProgress(BaseModel):
    started: int
    total: int

    @property
    def done(self) -> bool:
        return self.started >= self.total


def check_cohort_open(record: CohortRecord) -> None:
    """A running cohort changes once its launch is done and until its year is over.

    During the launch its workflows are started a page of the stored roster at a time, and a
    change would move the pages under it; after the year, a new partnership or coach would
    have no training year left to belong to.
    """
    if record.year_closed:
        raise Refused("the cohort's year is over; changes go into next year's cohort")
    if record.to_start is None or record.to_start:
        raise Refused("the cohort is still starting its workflows; try again when its launch is done (the dashboard shows how far it is)")


def launch_progress(record: CohortRecord) -> LaunchProgress:
    r = record.state.roster
    total = r.schools + r.coaches + r.partnerships
    if record.to_start is None:
        return LaunchProgress(started=0, total=total)
    return LaunchProgress(started=total - sum(b.size for b in record.to_start if b.ids is None), total=total)


class CohortProcess:
    """A cohort's decisions; the program is the record's own, as its sessions were last moved."""

    def launch(self, record: CohortRecord, now: datetime) -> Effects[list[LaunchBatch]]:
        """What the launch starts, a batch at a time; the coordinators hear the cohort is under way."""
        s = record.state
        s.launched_at = now
        record.to_start = launch_plan(s.roster, START_BATCH)
        effects = self._effects(record, list(record.to_start))
        effects.notices.append(notices.cohort_launched(s.cohort, s.program, s.coordinators, s.roster.coaches, s.roster.partnerships))
        return effects

    def batch_started(self, record: CohortRecord, batch: LaunchBatch) -> None:
        """A batch leaves the plan only once its workflows have started, so the progress never says done early."""
        record.to_start = [b for b in record.to_start or [] if b != batch]

    def check_partnership(self, record: CohortRecord, request: StartedPartnership) -> None:
        check_cohort_open(record)
        check_partnership_starter(record.state.coordinators, request.actor, request.partnership.coach)

    def start_partnership(self, record: CohortRecord, request: StartedPartnership) -> Effects[PartnershipSummary]:
        """The coach's training tells the partnership when coaching unlocks (or now, if it has); its school's ledger
        learns whose release days it may be asked for."""
        self.check_partnership(record, request)
        p = request.partnership
        effects = self._effects(record, PartnershipSummary(id=p.id, coach=p.coach, partners=p.partners, school=p.school, focus=p.focus))
        at_school = PartnershipAtSchool(id=p.id, coach=p.coach, partners=p.partners)
        effects.messages += [
            Message(Recipient(ProcessKind.training, p.coach), PartnershipAdded(partnership=p.id)),
            Message(Recipient(ProcessKind.ledger, p.school), at_school),
            Message(Recipient(ProcessKind.school, p.school), at_school),
        ]
        effects.starts.append(LaunchBatch(kind="partnership", ids=[p.id]))
        return effects

    def check_participant(self, record: CohortRecord, request: AddedParticipant) -> None:
        check_cohort_open(record)
        check_coordinator(record.state.coordinators, request.actor, "adds participants")

    def add_participant(self, record: CohortRecord, request: AddedParticipant) -> Effects[Person]:
        """A coach's training year starts; the school's ledger learns they may ask for release days, and its year
        that they self-assess."""
        self.check_participant(record, request)
        person = request.person
        effects = self._effects(record, person)
        added = MemberAdded(email=person.email, role=person.role)
        effects.messages += [
            Message(Recipient(ProcessKind.ledger, str(person.school)), added),
            Message(Recipient(ProcessKind.school, str(person.school)), added),
        ]
        if person.role == Role.coach:
            effects.starts.append(LaunchBatch(kind="training", ids=[person.email]))
        return effects

    def check_withdrawal(self, record: CohortRecord, request: Withdrawal) -> None:
        check_cohort_open(record)
        check_coordinator(record.state.coordinators, request.actor, "withdraws participants")

    def withdraw(self, record: CohortRecord, request: Withdrawal, departure: Departure) -> Effects[list[str]]:
        """A coach's training ends; so do their open partnerships, and a teacher's where they were the only partner."""
        self.check_withdrawal(record, request)
        email = request.email.strip().lower()
        ending = partnerships_ending_with(email, departure.partnerships)
        effects = self._effects(record, ending)
        if departure.role == Role.coach:
            effects.messages.append(Message(Recipient(ProcessKind.training, email), TrainingWithdrawn()))
        effects.messages += [Message(Recipient(ProcessKind.partnership, pid), PartnershipWithdrawn(actor=request.actor)) for pid in ending]
        # Their schools stop asking them (and the partnerships that end) for self-assessments and year-2 decisions.
        school_of = {p.id: p.school for p in departure.partnerships}
        effects.messages += [Message(Recipient(ProcessKind.school, school_of[pid]), PartnershipEnded(id=pid)) for pid in ending]
        schools = set(school_of.values()) | ({departure.school} if departure.school else set())
        effects.messages += [Message(Recipient(ProcessKind.school, s), MemberLeft(email=email)) for s in sorted(schools)]
        return effects

    def check_session_change(self, record: CohortRecord, change: SessionChange, now: datetime) -> SessionMove:
        """The program with the session moved and what every training is to hear, or why it cannot be."""
        check_cohort_open(record)
        check_coordinator(record.state.coordinators, change.actor, "moves training sessions")
        n = change.session.number
        moved = SessionChanged(session=change.session, sequence=record.session_changes.get(n, 0) + 1, reason=change.reason)
        return SessionMove(program=changed_program(record.state.program, change, now), moved=moved)

    def change_session(self, record: CohortRecord, change: SessionChange, now: datetime) -> Effects[TrainingSession]:
        """Every coach's training takes the moved session (and sends its updated invite); the year may now end later."""
        move = self.check_session_change(record, change, now)
        record.state.program = move.program
        record.session_changes[change.session.number] = move.moved.sequence
        effects = self._effects(record, change.session)
        effects.messages.append(Message(Recipient(ProcessKind.training, EVERY_TRAINING), move.moved))
        return effects

    def wake(self, record: CohortRecord, now: datetime) -> Effects[None]:
        """At the end of the training year every school's ledger closes (each finishes its open requests first)."""
        effects = self._effects(record, None)
        if record.year_closed or now < year_ends(record.state.program):
            return effects
        record.year_closed = True
        effects = self._effects(record, None)
        effects.messages.append(Message(Recipient(ProcessKind.ledger, EVERY_LEDGER), YearClosed()))
        return effects

    def _effects(self, record: CohortRecord, reply: R) -> Effects[R]:
        return Effects(reply=reply, wake_at=None if record.year_closed else year_ends(record.state.program), done=record.year_closed)
