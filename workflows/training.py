"""One coach's training year: durable timers walk the eight-session calendar.

Reminders go out before each session (with a calendar invite); attendance comes
in through the `record_attendance` Update; if a session's attendance is still
missing after its end plus the grace period, the coordinator is followed up.
When the unlock session is attended or made up, the coach's partnerships are
told that coaching may begin.

Its latest summary (status and attendance) is published to the read model, which
the doors answer from. The cohort needs to hear nothing from it: the year ends on
the calendar.
"""

from __future__ import annotations

import contextlib

from pydantic import BaseModel
from temporalio import workflow

from activities.names import PUBLISH_TRAINING, TrainingPublished
from workflows.dispatch import Dispatch
from workflows.ids import partnership_id
from workflows.refusals import refusals

with workflow.unsafe.imports_passed_through():
    from domain import notices
    from domain.cohort import TrainingSummary
    from domain.program import CalendarEvent, CalendarEventKind, Program, training_timeline
    from domain.training import (
        OPEN_TRAINING,
        Attendance,
        TrainingRecord,
        check_attendance,
        finish_year,
        needs_make_up,
        record_attendance,
    )
    from domain.training import (
        withdraw as leave_training,
    )


class TrainingInput(BaseModel):
    record: TrainingRecord
    program: Program


class AttendanceUpdate(BaseModel):
    actor: str
    session: int
    status: Attendance


@workflow.defn
class TrainingWorkflow:
    @workflow.init
    def __init__(self, input: TrainingInput) -> None:
        self.record = input.record
        self.program = input.program
        self.dispatch = Dispatch()

    @workflow.run
    async def run(self, input: TrainingInput) -> TrainingRecord:
        for event in training_timeline(self.program):
            wait = event.at - workflow.now()
            if wait.total_seconds() > 0:
                with contextlib.suppress(TimeoutError):  # the moment came; withdrawal ends the wait early
                    await workflow.wait_condition(lambda: self.record.status not in OPEN_TRAINING, timeout=wait)
            elif event.kind == CalendarEventKind.reminder:
                continue  # launched after this reminder's moment: a late reminder helps nobody
            if self.record.status not in OPEN_TRAINING:
                break
            self._on_calendar(event)
        if self.record.status in OPEN_TRAINING:
            finish_year(self.record, self.program, workflow.now())
            self.dispatch.notify(notices.training_finished(self.record, self.program))
            self._announce()
        await self.dispatch.settled()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.record

    def _on_calendar(self, event: CalendarEvent) -> None:
        if event.kind == CalendarEventKind.reminder:
            assert event.days_before is not None
            self.dispatch.notify(notices.session_reminder(self.record, self.program, event.session, event.days_before))
        elif event.session not in self.record.attendance:
            self.dispatch.notify(
                notices.attendance_due(self.record.cohort, self.record.coordinators, self.record.coach, self.program, event.session)
            )

    @workflow.update
    def record_attendance(self, update: AttendanceUpdate) -> TrainingRecord:
        with refusals():
            unlocked = record_attendance(self.record, self.program, update.session, update.status, update.actor, workflow.now())
        if unlocked:
            self.dispatch.notify(notices.coaching_unlocked(self.record, self.program))
            for pid in self.record.partnerships:
                self._tell(pid)
        if needs_make_up(self.record, update.session):
            self.dispatch.notify(notices.make_up(self.record, self.program, update.session, update.status.value))
        self._announce()
        return self.record

    @record_attendance.validator
    def _validate_attendance(self, update: AttendanceUpdate) -> None:
        with refusals():
            check_attendance(self.record, self.program, update.session, update.status, update.actor, workflow.now())

    @workflow.signal
    def withdraw(self) -> None:
        if self.record.status in OPEN_TRAINING:
            leave_training(self.record, self.program, workflow.now())
            self._announce()

    @workflow.signal
    def partnership_added(self, pid: str) -> None:
        """The cohort started a partnership for this coach: it begins as soon as coaching is unlocked."""
        self.record.partnerships.append(pid)
        if self.record.coaching_unlocked:
            self._tell(pid)

    @workflow.query
    def details(self) -> TrainingRecord:
        return self.record

    @workflow.query
    def resume_input(self) -> TrainingInput:
        """The input that resumes this training where it stands. Its calendar skips past reminders; a past
        session whose attendance is still missing is followed up again, which the outbox sends only once."""
        return TrainingInput(record=self.record, program=self.program)

    def _tell(self, pid: str) -> None:
        self.dispatch.signal(partnership_id(self.record.cohort, pid), "coaching_unlocked")

    def _announce(self) -> None:
        r = self.record
        r.revision += 1
        summary = TrainingSummary(
            coach=r.coach,
            name=r.name,
            school=r.school,
            status=r.status,
            attendance={n: e.status for n, e in r.attendance.items()},
            as_of=workflow.now(),
            revision=r.revision,
        )
        self.dispatch.publish(PUBLISH_TRAINING, TrainingPublished(cohort=r.cohort, summary=summary))
