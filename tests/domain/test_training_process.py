"""A coach's training year as a process: wake-ups walk the calendar, attendance unlocks coaching, the year ends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.notices import InviteMethod, Notice, NoticeKind
from domain.problems import Refused
from domain.processes.effects import Effects, Message, ProcessKind, Recipient
from domain.processes.partnership import CoachingUnlocked
from domain.processes.training import AttendanceUpdate, PartnershipAdded, TrainingProcess, TrainingWithdrawn, summary_of
from domain.program import SESSIONS_PER_YEAR, CalendarEvent, CalendarEventKind, training_timeline
from domain.training import Attendance, AttendanceEntry, TrainingRecord, TrainingStatus
from tests.domain.test_training import COACH, COORDINATOR, during, fixed_program, training

PROGRAM = fixed_program()
CALENDAR = training_timeline(PROGRAM)
REMINDERS = len(PROGRAM.reminder_days_before) * SESSIONS_PER_YEAR
BEFORE_THE_YEAR = CALENDAR[0].at - timedelta(days=30)
PARTNERSHIPS = ["ann--tia", "ann--ted"]


def process() -> TrainingProcess:
    return TrainingProcess(PROGRAM)


def kinds(notices: list[Notice]) -> list[NoticeKind]:
    return [n.kind for n in notices]


def deadline(session: int) -> CalendarEvent:
    return next(e for e in CALENDAR if e.kind == CalendarEventKind.attendance_due and e.session == session)


def attended(session: int) -> AttendanceEntry:
    return AttendanceEntry(status=Attendance.attended, recorded_by=COORDINATOR, at=during(PROGRAM, session))


def unlocked_message(partnership: str) -> Message:
    return Message(Recipient(ProcessKind.partnership, partnership), CoachingUnlocked())


def walk(p: TrainingProcess, record: TrainingRecord, effects: Effects[None]) -> tuple[list[Notice], list[datetime]]:
    """Wake the process at each moment it asks for until it is done: every notice sent, and when it was woken."""
    sent, woken = list(effects.notices), []
    while not effects.done:
        assert effects.wake_at is not None
        woken.append(effects.wake_at)
        effects = p.wake(record, effects.wake_at)
        sent += effects.notices
    assert effects.wake_at is None
    return sent, woken


# -- the calendar ------------------------------------------------------------------------------


def test_a_year_started_on_time_sends_nothing_and_waits_for_the_first_reminder() -> None:
    record = training()
    effects = process().start(record, BEFORE_THE_YEAR)
    assert effects.notices == [] and effects.messages == [] and effects.summary is None
    assert effects.wake_at == CALENDAR[0].at and not effects.done
    assert record.revision == 0


def test_wake_ups_walk_the_whole_calendar_and_the_year_then_ends() -> None:
    p, record = process(), training()
    sent, woken = walk(p, record, p.start(record, BEFORE_THE_YEAR))

    assert woken == sorted({e.at for e in CALENDAR})  # one wake-up per moment of the calendar
    reminders = [n for n in sent if n.kind == NoticeKind.session_reminder]
    assert len(reminders) == REMINDERS and all(n.invite is not None for n in reminders)
    due = [n for n in sent if n.kind == NoticeKind.attendance_due]
    assert [n.key.rsplit("-", 1)[1] for n in due] == [str(s) for s in range(1, SESSIONS_PER_YEAR + 1)]
    assert all(n.to == record.coordinators for n in due)
    assert sent[-1].kind == NoticeKind.training_finished
    assert record.status == TrainingStatus.incomplete
    assert record.ended_at == CALENDAR[-1].at
    assert record.calendar_done == len(CALENDAR)


def test_each_reminder_goes_out_at_its_moment_before_its_session() -> None:
    p, record = process(), training()
    effects = p.start(record, BEFORE_THE_YEAR)
    for event in CALENDAR[:2]:
        assert effects.wake_at == event.at
        effects = p.wake(record, event.at)
        assert event.kind == CalendarEventKind.reminder
        assert [n.key for n in effects.notices] == [f"reminder:spring:{COACH}:session-{event.session}:{event.days_before}d"]


def test_waking_early_does_nothing() -> None:
    p, record = process(), training()
    p.start(record, BEFORE_THE_YEAR)
    effects = p.wake(record, CALENDAR[0].at - timedelta(seconds=1))
    assert effects.notices == [] and effects.summary is None
    assert effects.wake_at == CALENDAR[0].at
    assert record.calendar_done == 0


def test_an_attendance_deadline_follows_up_only_missing_attendance() -> None:
    p = process()
    record = training(attendance={1: attended(1)}, calendar_done=CALENDAR.index(deadline(1)))
    assert p.wake(record, deadline(1).at).notices == []

    record = training(calendar_done=CALENDAR.index(deadline(1)))
    [notice] = p.wake(record, deadline(1).at).notices
    assert notice.kind == NoticeKind.attendance_due and notice.to == record.coordinators


def test_a_late_launch_skips_past_reminders_but_follows_up_past_deadlines() -> None:
    p = process()
    record = training(attendance={1: attended(1)})
    now = during(PROGRAM, 5)

    effects = p.start(record, now)

    # sessions 2 to 4 are over with no attendance; session 1's was recorded; every reminder so far is late
    assert [n.key for n in effects.notices] == [f"attendance-due:spring:{COACH}:session-{n}" for n in (2, 3, 4)]
    assert effects.wake_at == PROGRAM.attendance_due(5)
    assert record.calendar_done == len([e for e in CALENDAR if e.at <= now])
    assert effects.summary is None and record.status == TrainingStatus.enrolled

    sent, _ = walk(p, record, p.wake(record, effects.wake_at))
    assert len([n for n in sent if n.kind == NoticeKind.session_reminder]) == 3 * len(PROGRAM.reminder_days_before)  # sessions 6 to 8
    assert len([n for n in sent if n.kind == NoticeKind.attendance_due]) == 4  # sessions 5 to 8


def test_a_launch_after_the_year_follows_up_and_ends_it_at_once() -> None:
    record = training()
    now = CALENDAR[-1].at + timedelta(days=1)
    effects = process().start(record, now)
    assert kinds(effects.notices) == [NoticeKind.attendance_due] * SESSIONS_PER_YEAR + [NoticeKind.training_finished]
    assert effects.done and effects.wake_at is None
    assert record.status == TrainingStatus.incomplete and record.ended_at == now
    assert effects.summary == summary_of(record, now) and record.revision == 1


def test_taking_a_year_up_again_does_not_repeat_what_is_behind_it() -> None:
    p, record = process(), training()
    p.start(record, BEFORE_THE_YEAR)
    for event in CALENDAR[:4]:
        p.wake(record, event.at)
    assert record.calendar_done == 4

    again = process().start(record, CALENDAR[4].at - timedelta(seconds=1))
    assert again.notices == [] and again.wake_at == CALENDAR[4].at


def test_a_year_with_coaching_unlocked_completes() -> None:
    p, record = process(), training()
    p.start(record, BEFORE_THE_YEAR)
    p.record_attendance(record, AttendanceUpdate(actor=COORDINATOR, session=5, status=Attendance.attended), during(PROGRAM, 5))
    record.calendar_done = len(CALENDAR) - 1

    effects = p.wake(record, CALENDAR[-1].at)

    assert kinds(effects.notices) == [NoticeKind.attendance_due, NoticeKind.training_finished]
    assert record.status == TrainingStatus.completed and effects.done
    assert effects.summary is not None and effects.summary.status == TrainingStatus.completed  # type: ignore[attr-defined]


# -- attendance ----------------------------------------------------------------------------------


def test_attending_the_unlock_session_tells_the_coach_and_every_partnership() -> None:
    p, record = process(), training(partnerships=PARTNERSHIPS)
    at = during(PROGRAM, 5)
    p.start(record, at - timedelta(hours=2))

    effects = p.record_attendance(record, AttendanceUpdate(actor=COORDINATOR, session=5, status=Attendance.attended), at)

    assert effects.reply is record and record.status == TrainingStatus.coaching
    assert kinds(effects.notices) == [NoticeKind.coaching_unlocked]
    assert effects.messages == [unlocked_message(pid) for pid in PARTNERSHIPS]
    assert effects.summary == summary_of(record, at) and record.revision == 1
    assert effects.wake_at == PROGRAM.attendance_due(5) and not effects.done


@pytest.mark.parametrize("status", [Attendance.absent, Attendance.excused])
def test_a_missed_session_asks_for_a_make_up(status: Attendance) -> None:
    p, record = process(), training(partnerships=PARTNERSHIPS)
    effects = p.record_attendance(record, AttendanceUpdate(actor=COORDINATOR, session=5, status=status), during(PROGRAM, 5))
    assert [n.key for n in effects.notices] == [f"make-up:spring:{COACH}:session-5"]
    assert effects.messages == []
    assert effects.summary is not None and effects.summary.attendance == {5: status}  # type: ignore[attr-defined]

    made_up = p.record_attendance(record, AttendanceUpdate(actor=COORDINATOR, session=5, status=Attendance.made_up), during(PROGRAM, 6))
    assert kinds(made_up.notices) == [NoticeKind.coaching_unlocked]
    assert made_up.messages == [unlocked_message(pid) for pid in PARTNERSHIPS]


def test_refused_attendance_changes_nothing() -> None:
    p, record = process(), training()
    update = AttendanceUpdate(actor=COACH, session=5, status=Attendance.attended)
    before = record.model_dump()
    with pytest.raises(Refused, match="only a coordinator"):
        p.check_attendance(record, update, during(PROGRAM, 5))
    with pytest.raises(Refused, match="only a coordinator"):
        p.record_attendance(record, update, during(PROGRAM, 5))
    early = AttendanceUpdate(actor=COORDINATOR, session=5, status=Attendance.attended)
    with pytest.raises(Refused, match="attendance can be recorded once it has started"):
        p.check_attendance(record, early, PROGRAM.session_start(5) - timedelta(seconds=1))
    assert record.model_dump() == before


# -- messages from the cohort ----------------------------------------------------------------------


def test_a_partnership_added_before_coaching_unlocks_waits_for_it() -> None:
    p, record = process(), training()
    effects = p.receive(record, PartnershipAdded(partnership="ann--tia"), during(PROGRAM, 2))
    assert effects.messages == [] and effects.notices == [] and effects.summary is None
    assert record.partnerships == ["ann--tia"]

    unlocking = p.record_attendance(record, AttendanceUpdate(actor=COORDINATOR, session=5, status=Attendance.attended), during(PROGRAM, 5))
    assert unlocking.messages == [unlocked_message("ann--tia")]


def test_a_partnership_added_once_coaching_is_unlocked_is_told_at_once() -> None:
    p, record = process(), training(partnerships=["ann--tia"])
    p.record_attendance(record, AttendanceUpdate(actor=COORDINATOR, session=5, status=Attendance.attended), during(PROGRAM, 5))
    effects = p.receive(record, PartnershipAdded(partnership="ann--ted"), during(PROGRAM, 6))
    assert effects.messages == [unlocked_message("ann--ted")]
    assert record.partnerships == ["ann--tia", "ann--ted"]


def test_withdrawal_ends_the_calendar() -> None:
    p, record = process(), training(partnerships=PARTNERSHIPS)
    p.start(record, BEFORE_THE_YEAR)
    at = during(PROGRAM, 3)

    effects = p.receive(record, TrainingWithdrawn(), at)

    assert record.status == TrainingStatus.withdrawn and record.ended_at == at
    assert effects.done and effects.wake_at is None
    assert effects.notices == [] and effects.messages == []
    assert effects.summary == summary_of(record, at)
    later = p.wake(record, CALENDAR[-1].at)
    assert later.notices == [] and later.done and record.status == TrainingStatus.withdrawn


@pytest.mark.parametrize("status", [TrainingStatus.completed, TrainingStatus.incomplete, TrainingStatus.withdrawn])
def test_an_ended_year_stays_as_it_ended(status: TrainingStatus) -> None:
    record = training(status=status, calendar_done=len(CALENDAR))
    effects = process().receive(record, TrainingWithdrawn(), CALENDAR[-1].at)
    assert record.status == status and effects.done and effects.summary is None and record.revision == 0


def test_withdrawing_cancels_the_invites_of_sessions_ahead() -> None:
    p, record = process(), training()
    effects = p.start(record, BEFORE_THE_YEAR)
    at = PROGRAM.session_start(3) - timedelta(hours=1)
    reminders: list[Notice] = []
    while effects.wake_at is not None and effects.wake_at <= at:
        effects = p.wake(record, effects.wake_at)
        reminders += [n for n in effects.notices if n.kind == NoticeKind.session_reminder]
    invited = {n.invite.uid: n.invite for n in reminders if n.invite is not None}

    effects = p.receive(record, TrainingWithdrawn(), at)

    # sessions 2 to 4 are on three days in a row: session 2 has begun, session 4's first reminder is out
    assert [n.key for n in effects.notices] == [f"cancelled:spring:{COACH}:session-{s}" for s in (3, 4)]
    for notice in effects.notices:
        assert notice.kind == NoticeKind.session_cancelled and notice.to == [COACH] and notice.invite is not None
        cancel, request = notice.invite, invited[notice.invite.uid]  # the same event in the coach's calendar
        assert cancel.method == InviteMethod.cancel and request.method == InviteMethod.request
        assert cancel.sequence == request.sequence + 1 == 1
        assert cancel.made_at == at
        assert (cancel.starts_on, cancel.starts_at, cancel.ends_at) == (request.starts_on, request.starts_at, request.ends_at)
    assert p.receive(record, TrainingWithdrawn(), at + timedelta(hours=1)).notices == []  # told once
