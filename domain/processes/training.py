"""A coach's training year as a process: its calendar, attendance, coaching unlocking, withdrawal.

Its record is a `TrainingRecord`; the year's rules are the machine in domain/training.py
and its calendar is `domain.program.training_timeline`: reminders (with invites) before
each session, and an attendance deadline after each, when the coordinators are asked
for attendance still missing. The record counts the calendar events behind it, so the
next wake-up is always the next event's time. After the last one the year finishes.
A coach who withdraws has the invite of each session still ahead cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from domain import notices
from domain.cohort import TrainingSummary
from domain.notices import Notice
from domain.processes.effects import Effects, Message, ProcessKind, Recipient
from domain.processes.partnership import CoachingUnlocked
from domain.program import CalendarEvent, CalendarEventKind, Program, TrainingSession, training_timeline
from domain.training import (
    OPEN_TRAINING,
    Attendance,
    RescheduledSession,
    TrainingRecord,
    check_attendance,
    finish_year,
    needs_make_up,
    record_attendance,
    withdraw,
)


class AttendanceUpdate(BaseModel):
    actor: str
    session: int
    status: Attendance


class PartnershipAdded(BaseModel):
    """From the cohort: a partnership was started for this coach; it begins as soon as coaching is unlocked."""

    partnership: str


class TrainingWithdrawn(BaseModel):
    """From the cohort: the coach withdrew."""


class SessionChanged(BaseModel):
    """From the cohort: a coordinator moved a session that has not begun (`domain/session_change.py`)."""

    session: TrainingSession
    sequence: int  # the session's changes so far, this one included
    reason: str


R = TypeVar("R")


def summary_of(record: TrainingRecord, at: datetime) -> TrainingSummary:
    """What the pages and the cohort's counts show of a coach's training year."""
    return TrainingSummary(
        coach=record.coach,
        name=record.name,
        school=record.school,
        status=record.status,
        attendance={n: e.status for n, e in record.attendance.items()},
        as_of=at,
        revision=record.revision,
    )


class TrainingProcess:
    """One program year's training, for any number of coaches: the program and calendar a record is on are the
    year's own, or the year's with the sessions moved since its launch (`TrainingRecord.rescheduled`)."""

    def __init__(self, program: Program):
        self.program = program
        self._years: dict[tuple[tuple[int, int], ...], tuple[Program, list[CalendarEvent]]] = {(): (program, training_timeline(program))}

    def _year(self, record: TrainingRecord) -> tuple[Program, list[CalendarEvent]]:
        """The same objects for the same changes: a record's state machine is built once per program it is on."""
        key = tuple(sorted((n, r.sequence) for n, r in record.rescheduled.items()))
        if key not in self._years:
            moved = {r.session.number: r.session for r in record.rescheduled.values()}
            program = self.program.model_copy(update={"sessions": [moved.get(s.number, s) for s in self.program.sessions]})
            self._years[key] = (program, training_timeline(program))
        return self._years[key]

    def start(self, record: TrainingRecord, now: datetime) -> Effects[None]:
        """Begin the year, or take it up again, at `now`. A reminder whose moment has passed is skipped (a late
        reminder helps nobody); an attendance deadline that has passed is still followed up."""
        return self._walk(record, now, remind=False)

    def check_attendance(self, record: TrainingRecord, update: AttendanceUpdate, now: datetime) -> None:
        check_attendance(record, self._year(record)[0], update.session, update.status, update.actor, now)

    def record_attendance(self, record: TrainingRecord, update: AttendanceUpdate, now: datetime) -> Effects[TrainingRecord]:
        program = self._year(record)[0]
        unlocked = record_attendance(record, program, update.session, update.status, update.actor, now)
        effects = self._effects(record, now, record, changed=True)
        if unlocked:
            effects.notices.append(notices.coaching_unlocked(record, program))
            effects.messages.extend(_unlocked(pid) for pid in record.partnerships)
        if needs_make_up(record, update.session):
            effects.notices.append(notices.make_up(record, program, update.session, update.status.value))
        return effects

    def receive(self, record: TrainingRecord, message: BaseModel, now: datetime) -> Effects[None]:
        """A message from another process of the cohort."""
        if isinstance(message, PartnershipAdded):
            # The summary shows no partnerships, so there is nothing to publish.
            record.partnerships.append(message.partnership)
            effects = self._effects(record, now, None, changed=False)
            if record.coaching_unlocked:
                effects.messages.append(_unlocked(message.partnership))
            return effects
        if isinstance(message, TrainingWithdrawn):
            # A year that has already ended stays as it ended.
            withdrawing = record.status in OPEN_TRAINING
            program = self._year(record)[0]
            if withdrawing:
                withdraw(record, program, now)
            effects = self._effects(record, now, None, changed=withdrawing)
            if withdrawing:
                effects.notices.extend(notices.session_cancelled(record, program, n, now) for n in self._invited_ahead(record, now))
            return effects
        if isinstance(message, SessionChanged):
            return self._session_changed(record, message, now)
        raise TypeError(f"a training does not take {type(message).__name__}")

    def wake(self, record: TrainingRecord, now: datetime) -> Effects[None]:
        """The calendar: act on every event due by now; after the last one, the year is over."""
        return self._walk(record, now, remind=True)

    def _session_changed(self, record: TrainingRecord, change: SessionChanged, now: datetime) -> Effects[None]:
        """The coach gets the session's updated invite now; its reminders come before its new date.

        What was due by now on the old calendar is done first. On the new one, everything up to now
        counts as done: the moved session has not begun, so that is only its reminders whose moment
        has passed, and the updated invite stands for them."""
        n = change.session.number
        moved = record.rescheduled.get(n)
        if record.status not in OPEN_TRAINING or (moved is not None and moved.sequence >= change.sequence):
            return self._effects(record, now, None, changed=False)  # a year that has ended, or a change already taken
        effects = self._walk(record, now, remind=True)
        record.rescheduled[n] = RescheduledSession(session=change.session, sequence=change.sequence)
        program, calendar = self._year(record)
        record.calendar_done = sum(1 for e in calendar if e.at <= now)
        effects.wake_at = self._effects(record, now, None, changed=False).wake_at
        effects.notices.append(notices.session_changed(record, program, n, change.reason, now))
        return effects

    def _walk(self, record: TrainingRecord, now: datetime, *, remind: bool) -> Effects[None]:
        program = self._year(record)[0]
        sent: list[Notice] = []
        while record.status in OPEN_TRAINING and (event := self._next_event(record)) is not None and event.at <= now:
            record.calendar_done += 1
            if event.kind == CalendarEventKind.reminder:
                if remind:
                    assert event.days_before is not None
                    sent.append(notices.session_reminder(record, program, event.session, event.days_before, now))
            elif event.session not in record.attendance:
                sent.append(notices.attendance_due(record.cohort, record.coordinators, record.coach, program, event.session))
        over = record.status in OPEN_TRAINING and self._next_event(record) is None
        if over:
            finish_year(record, program, now)
            sent.append(notices.training_finished(record, program))
        effects = self._effects(record, now, None, changed=over)
        effects.notices.extend(sent)
        return effects

    def _invited_ahead(self, record: TrainingRecord, now: datetime) -> list[int]:
        """The sessions not begun by `now` whose invites went out: with a reminder, or with a change."""
        program, calendar = self._year(record)
        invited = {e.session for e in calendar[: record.calendar_done] if e.kind == CalendarEventKind.reminder} | set(record.rescheduled)
        return sorted(n for n in invited if program.session_start(n) > now)

    def _next_event(self, record: TrainingRecord) -> CalendarEvent | None:
        calendar = self._year(record)[1]
        return calendar[record.calendar_done] if record.calendar_done < len(calendar) else None

    def _effects(self, record: TrainingRecord, now: datetime, reply: R, *, changed: bool) -> Effects[R]:
        is_open = record.status in OPEN_TRAINING
        event = self._next_event(record)
        effects = Effects(reply=reply, wake_at=event.at if is_open and event is not None else None, done=not is_open)
        if changed:
            record.revision += 1  # so the read model keeps only the newest of writes that land in any order
            effects.summary = summary_of(record, now)
        return effects


def _unlocked(partnership: str) -> Message:
    return Message(Recipient(ProcessKind.partnership, partnership), CoachingUnlocked())
