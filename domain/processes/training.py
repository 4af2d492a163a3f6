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
from domain.program import CalendarEvent, CalendarEventKind, Program, training_timeline
from domain.training import (
    OPEN_TRAINING,
    Attendance,
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
    def __init__(self, program: Program):
        self.program = program
        self.calendar = training_timeline(program)

    def start(self, record: TrainingRecord, now: datetime) -> Effects[None]:
        """Begin the year, or take it up again, at `now`. A reminder whose moment has passed is skipped (a late
        reminder helps nobody); an attendance deadline that has passed is still followed up."""
        return self._walk(record, now, remind=False)

    def check_attendance(self, record: TrainingRecord, update: AttendanceUpdate, now: datetime) -> None:
        check_attendance(record, self.program, update.session, update.status, update.actor, now)

    def record_attendance(self, record: TrainingRecord, update: AttendanceUpdate, now: datetime) -> Effects[TrainingRecord]:
        unlocked = record_attendance(record, self.program, update.session, update.status, update.actor, now)
        effects = self._effects(record, now, record, changed=True)
        if unlocked:
            effects.notices.append(notices.coaching_unlocked(record, self.program))
            effects.messages.extend(_unlocked(pid) for pid in record.partnerships)
        if needs_make_up(record, update.session):
            effects.notices.append(notices.make_up(record, self.program, update.session, update.status.value))
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
            if withdrawing:
                withdraw(record, self.program, now)
            effects = self._effects(record, now, None, changed=withdrawing)
            if withdrawing:
                effects.notices.extend(notices.session_cancelled(record, self.program, n, now) for n in self._invited_ahead(record, now))
            return effects
        raise TypeError(f"a training does not take {type(message).__name__}")

    def wake(self, record: TrainingRecord, now: datetime) -> Effects[None]:
        """The calendar: act on every event due by now; after the last one, the year is over."""
        return self._walk(record, now, remind=True)

    def _walk(self, record: TrainingRecord, now: datetime, *, remind: bool) -> Effects[None]:
        sent: list[Notice] = []
        while record.status in OPEN_TRAINING and (event := self._next_event(record)) is not None and event.at <= now:
            record.calendar_done += 1
            if event.kind == CalendarEventKind.reminder:
                if remind:
                    assert event.days_before is not None
                    sent.append(notices.session_reminder(record, self.program, event.session, event.days_before, now))
            elif event.session not in record.attendance:
                sent.append(notices.attendance_due(record.cohort, record.coordinators, record.coach, self.program, event.session))
        over = record.status in OPEN_TRAINING and self._next_event(record) is None
        if over:
            finish_year(record, self.program, now)
            sent.append(notices.training_finished(record, self.program))
        effects = self._effects(record, now, None, changed=over)
        effects.notices.extend(sent)
        return effects

    def _invited_ahead(self, record: TrainingRecord, now: datetime) -> list[int]:
        """The sessions not begun by `now` whose reminders, each with an invite, have begun to come due."""
        reminded = {e.session for e in self.calendar[: record.calendar_done] if e.kind == CalendarEventKind.reminder}
        return sorted(n for n in reminded if self.program.session_start(n) > now)

    def _next_event(self, record: TrainingRecord) -> CalendarEvent | None:
        return self.calendar[record.calendar_done] if record.calendar_done < len(self.calendar) else None

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
