"""A coach's training year: attendance, make-ups, unlocking coaching, and how the year ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.cohort import TrainingSummary
from domain.problems import Refused
from domain.program import SESSIONS_PER_YEAR, Program, TrainingSession
from domain.training import (
    Attendance,
    AttendanceEntry,
    TrainingRecord,
    TrainingStatus,
    check_attendance,
    finish_year,
    needs_make_up,
    record_attendance,
    withdraw,
)

COACH = "ann@hazel.test"
COORDINATOR = "cora@esd.test"
SECOND_COORDINATOR = "cole@esd.test"
YEAR_END = datetime(2028, 6, 30, tzinfo=UTC)
MISSED = [Attendance.absent, Attendance.excused]
PRESENT = [Attendance.attended, Attendance.made_up]
SESSIONS = range(1, SESSIONS_PER_YEAR + 1)


# a fixed calendar in the sample's rhythm (the sample file's dates move from year to year)
SESSION_DAYS = [date(2027, 4, 27), date(2027, 7, 13), date(2027, 7, 14), date(2027, 7, 15)]
SESSION_DAYS += [date(2027, 9, 21), date(2027, 10, 19), date(2028, 2, 8), date(2028, 5, 16)]


def fixed_program() -> Program:
    return Program(
        name="Teacher Librarian Peer Coaching",
        school_year="2027-2028",
        timezone="America/Los_Angeles",
        sessions=[TrainingSession(number=n, title=f"Session {n}", starts_on=day) for n, day in enumerate(SESSION_DAYS, start=1)],
    )


@pytest.fixture(scope="module")
def program() -> Program:
    return fixed_program()


def training(**fields: object) -> TrainingRecord:
    return TrainingRecord(
        cohort="spring", coach=COACH, name="Ann Coach", school="hazel", coordinators=[COORDINATOR, SECOND_COORDINATOR], **fields
    )


def during(program: Program, session: int, days: float = 0) -> datetime:
    """An hour into a session, plus `days`."""
    return program.session_start(session) + timedelta(hours=1, days=days)


def refused(record: TrainingRecord, program: Program, session: int, status: Attendance, actor: str, at: datetime) -> str:
    before = record.model_dump()
    with pytest.raises(Refused) as refusal:
        record_attendance(record, program, session, status, actor, at)
    assert record.model_dump() == before
    return refusal.value.reason


# -- the sample calendar ---------------------------------------------------------------------


def test_coaching_unlocks_after_session_5_by_default(program: Program) -> None:
    assert program.coaching_unlocks_after == 5
    assert program.session_start(5) == datetime(2027, 9, 21, 15, 30, tzinfo=UTC)  # 08:30 in Vancouver, WA


def test_a_new_training_year_is_enrolled_and_locked() -> None:
    record = training()
    assert record.status == TrainingStatus.enrolled
    assert not record.coaching_unlocked
    assert record.attendance == {}


# -- attendance -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Attendance.attended, Attendance.excused, Attendance.absent])
@pytest.mark.parametrize("session", [1, 4, 6, 8])
def test_a_coordinator_records_each_status_for_any_session(program: Program, session: int, status: Attendance) -> None:
    record = training()
    at = during(program, session)

    unlocked = record_attendance(record, program, session, status, COORDINATOR, at)

    assert unlocked is False
    assert record.attendance == {session: AttendanceEntry(status=status, recorded_by=COORDINATOR, at=at)}
    assert record.status == TrainingStatus.enrolled
    assert record.unlocked_at is None


def test_any_coordinator_of_the_cohort_records(program: Program) -> None:
    record = training()
    record_attendance(record, program, 1, Attendance.attended, SECOND_COORDINATOR, during(program, 1))
    assert record.attendance[1].recorded_by == SECOND_COORDINATOR


@pytest.mark.parametrize("actor", [COACH, "pat@hazel.test", "tia@hazel.test", "someone@else.test"])
def test_only_coordinators_record_attendance(program: Program, actor: str) -> None:
    record = training()
    reason = refused(record, program, 1, Attendance.attended, actor, during(program, 1))
    assert reason == "only a coordinator of the cohort records attendance"


@pytest.mark.parametrize("session", [0, 9, -1])
def test_there_are_only_eight_sessions(program: Program, session: int) -> None:
    reason = refused(training(), program, session, Attendance.attended, COORDINATOR, YEAR_END)
    assert reason == f"there is no session {session}; sessions are 1 to 8"


@pytest.mark.parametrize("session", SESSIONS)
def test_attendance_cannot_be_recorded_before_the_session_starts(program: Program, session: int) -> None:
    record = training()
    just_before = program.session_start(session) - timedelta(seconds=1)
    reason = refused(record, program, session, Attendance.attended, COORDINATOR, just_before)
    starts_on = program.session(session).starts_on
    assert reason == f"session {session} starts on {starts_on}; attendance can be recorded once it has started"


def test_attendance_can_be_recorded_from_the_moment_the_session_starts(program: Program) -> None:
    record = training()
    start = program.session_start(2)
    record_attendance(record, program, 2, Attendance.attended, COORDINATOR, start)
    assert record.attendance[2].at == start


def test_the_start_is_in_the_programs_time_zone(program: Program) -> None:
    # session 1 starts 2027-04-27 08:30 in Los Angeles, which is 15:30 UTC
    record = training()
    refused(record, program, 1, Attendance.attended, COORDINATOR, datetime(2027, 4, 27, 15, 29, tzinfo=UTC))
    record_attendance(record, program, 1, Attendance.attended, COORDINATOR, datetime(2027, 4, 27, 15, 30, tzinfo=UTC))
    assert record.attendance[1].status == Attendance.attended


def test_checking_without_a_time_skips_only_the_start_check(program: Program) -> None:
    record = training()
    check_attendance(record, program, 8, Attendance.attended, COORDINATOR, None)  # session 8 is a year away
    with pytest.raises(Refused, match="only a coordinator"):
        check_attendance(record, program, 8, Attendance.attended, COACH, None)
    with pytest.raises(Refused, match="can be made up"):
        check_attendance(record, program, 8, Attendance.made_up, COORDINATOR, None)
    with pytest.raises(Refused, match="there is no session 9"):
        check_attendance(record, program, 9, Attendance.attended, COORDINATOR, None)
    assert record.attendance == {}


def test_a_coordinator_may_correct_a_recorded_status(program: Program) -> None:
    record = training()
    record_attendance(record, program, 2, Attendance.absent, COORDINATOR, during(program, 2))
    record_attendance(record, program, 2, Attendance.attended, SECOND_COORDINATOR, during(program, 2, days=1))
    assert record.attendance[2] == AttendanceEntry(
        status=Attendance.attended, recorded_by=SECOND_COORDINATOR, at=during(program, 2, days=1)
    )


# -- unlocking coaching ----------------------------------------------------------------------


def test_attending_the_unlock_session_unlocks_coaching(program: Program) -> None:
    record = training()
    at = during(program, 5)

    assert record_attendance(record, program, 5, Attendance.attended, COORDINATOR, at) is True

    assert record.status == TrainingStatus.coaching
    assert record.coaching_unlocked
    assert record.unlocked_at == at


@pytest.mark.parametrize("session", [1, 2, 3, 4, 6, 7, 8])
def test_attending_any_other_session_does_not_unlock(program: Program, session: int) -> None:
    record = training()
    assert record_attendance(record, program, session, Attendance.attended, COORDINATOR, during(program, session)) is False
    assert record.status == TrainingStatus.enrolled
    assert not record.coaching_unlocked


def test_attending_every_session_but_the_unlock_one_keeps_coaching_locked(program: Program) -> None:
    record = training()
    for session in [1, 2, 3, 4, 6, 7, 8]:
        record_attendance(record, program, session, Attendance.attended, COORDINATOR, during(program, session))
    record_attendance(record, program, 5, Attendance.absent, COORDINATOR, during(program, 5))
    assert record.status == TrainingStatus.enrolled
    assert record.unlocked_at is None


@pytest.mark.parametrize("status", MISSED)
def test_missing_the_unlock_session_does_not_unlock(program: Program, status: Attendance) -> None:
    record = training()
    assert record_attendance(record, program, 5, status, COORDINATOR, during(program, 5)) is False
    assert record.status == TrainingStatus.enrolled
    assert needs_make_up(record, 5)


@pytest.mark.parametrize("status", MISSED)
def test_making_up_the_unlock_session_unlocks_coaching(program: Program, status: Attendance) -> None:
    record = training()
    record_attendance(record, program, 5, status, COORDINATOR, during(program, 5))
    made_up_at = during(program, 5, days=10)

    assert record_attendance(record, program, 5, Attendance.made_up, COORDINATOR, made_up_at) is True

    assert record.attendance[5] == AttendanceEntry(status=Attendance.made_up, recorded_by=COORDINATOR, at=made_up_at)
    assert record.status == TrainingStatus.coaching
    assert record.unlocked_at == made_up_at
    assert not needs_make_up(record, 5)


def test_unlocking_happens_once(program: Program) -> None:
    record = training()
    first = during(program, 5)
    record_attendance(record, program, 5, Attendance.attended, COORDINATOR, first)
    assert record_attendance(record, program, 5, Attendance.attended, COORDINATOR, during(program, 5, days=1)) is False
    assert record_attendance(record, program, 6, Attendance.attended, COORDINATOR, during(program, 6)) is False
    assert record.status == TrainingStatus.coaching
    assert record.unlocked_at == first


def test_attendance_keeps_being_recorded_while_coaching(program: Program) -> None:
    record = training()
    record_attendance(record, program, 5, Attendance.attended, COORDINATOR, during(program, 5))
    record_attendance(record, program, 6, Attendance.absent, COORDINATOR, during(program, 6))
    record_attendance(record, program, 6, Attendance.made_up, COORDINATOR, during(program, 6, days=5))
    assert record.status == TrainingStatus.coaching
    assert record.attendance[6].status == Attendance.made_up


@pytest.mark.parametrize("unlock_session", [1, 3, 8])
def test_the_programs_unlock_session_is_honoured(program: Program, unlock_session: int) -> None:
    custom = program.model_copy(update={"coaching_unlocks_after": unlock_session})
    record = training()
    for session in SESSIONS:
        if session == unlock_session:
            continue
        assert record_attendance(record, custom, session, Attendance.attended, COORDINATOR, during(custom, session)) is False
    assert record.status == TrainingStatus.enrolled

    at = during(custom, unlock_session)
    assert record_attendance(record, custom, unlock_session, Attendance.attended, COORDINATOR, at) is True
    assert record.status == TrainingStatus.coaching
    assert record.unlocked_at == at


def test_a_make_up_of_the_programs_unlock_session_unlocks(program: Program) -> None:
    custom = program.model_copy(update={"coaching_unlocks_after": 3})
    record = training()
    record_attendance(record, custom, 3, Attendance.excused, COORDINATOR, during(custom, 3))
    assert record_attendance(record, custom, 5, Attendance.attended, COORDINATOR, during(custom, 5)) is False
    assert record.status == TrainingStatus.enrolled
    assert record_attendance(record, custom, 3, Attendance.made_up, COORDINATOR, during(custom, 5, days=1)) is True
    assert record.status == TrainingStatus.coaching


# -- make-ups ----------------------------------------------------------------------------------


def test_a_session_never_recorded_cannot_be_made_up(program: Program) -> None:
    reason = refused(training(), program, 3, Attendance.made_up, COORDINATOR, during(program, 3))
    assert reason == f"only a session {COACH} missed (absent or excused) can be made up"


def test_an_attended_session_cannot_be_made_up(program: Program) -> None:
    record = training()
    record_attendance(record, program, 3, Attendance.attended, COORDINATOR, during(program, 3))
    reason = refused(record, program, 3, Attendance.made_up, COORDINATOR, during(program, 3, days=2))
    assert reason == f"only a session {COACH} missed (absent or excused) can be made up"


def test_a_session_cannot_be_made_up_twice(program: Program) -> None:
    record = training()
    record_attendance(record, program, 3, Attendance.absent, COORDINATOR, during(program, 3))
    record_attendance(record, program, 3, Attendance.made_up, COORDINATOR, during(program, 3, days=2))
    reason = refused(record, program, 3, Attendance.made_up, COORDINATOR, during(program, 3, days=3))
    assert reason == f"only a session {COACH} missed (absent or excused) can be made up"


@pytest.mark.parametrize("status", [Attendance.attended, *MISSED])
def test_a_made_up_session_is_not_recorded_over(program: Program, status: Attendance) -> None:
    record = training()
    record_attendance(record, program, 3, Attendance.absent, COORDINATOR, during(program, 3))
    record_attendance(record, program, 3, Attendance.made_up, COORDINATOR, during(program, 3, days=2))
    reason = refused(record, program, 3, status, COORDINATOR, during(program, 3, days=3))
    assert reason == f"{COACH} already made up session 3"


@pytest.mark.parametrize(
    ("entry", "needed"),
    [(None, False), (Attendance.attended, False), (Attendance.excused, True), (Attendance.absent, True), (Attendance.made_up, False)],
)
def test_needs_make_up(program: Program, entry: Attendance | None, needed: bool) -> None:
    record = training()
    if entry is not None:
        record.attendance[2] = AttendanceEntry(status=entry, recorded_by=COORDINATOR, at=during(program, 2))
    assert needs_make_up(record, 2) is needed


# -- the end of the year -----------------------------------------------------------------------


def test_finishing_after_coaching_unlocked_completes_the_year(program: Program) -> None:
    record = training()
    record_attendance(record, program, 5, Attendance.attended, COORDINATOR, during(program, 5))
    finish_year(record, program, YEAR_END)
    assert record.status == TrainingStatus.completed
    assert record.ended_at == YEAR_END
    assert record.coaching_unlocked


def test_finishing_without_unlocking_leaves_the_year_incomplete(program: Program) -> None:
    record = training()
    record_attendance(record, program, 5, Attendance.absent, COORDINATOR, during(program, 5))
    finish_year(record, program, YEAR_END)
    assert record.status == TrainingStatus.incomplete
    assert record.ended_at == YEAR_END
    assert not record.coaching_unlocked


@pytest.mark.parametrize("status", [TrainingStatus.enrolled, TrainingStatus.coaching])
def test_a_coach_may_withdraw_while_the_year_is_open(program: Program, status: TrainingStatus) -> None:
    unlocked_at = during(program, 5) if status == TrainingStatus.coaching else None
    record = training(status=status, unlocked_at=unlocked_at)
    withdrawn_at = datetime(2027, 11, 2, tzinfo=UTC)

    withdraw(record, program, withdrawn_at)

    assert record.status == TrainingStatus.withdrawn
    assert record.ended_at == withdrawn_at
    assert record.unlocked_at == unlocked_at
    assert not record.coaching_unlocked  # a coach who withdrew is not coaching, whenever coaching unlocked


@pytest.mark.parametrize("status", [TrainingStatus.completed, TrainingStatus.incomplete, TrainingStatus.withdrawn])
def test_an_ended_year_cannot_be_withdrawn(program: Program, status: TrainingStatus) -> None:
    ended = datetime(2028, 5, 20, tzinfo=UTC)
    record = training(status=status, ended_at=ended)
    before = record.model_dump()
    with pytest.raises(Refused, match=f"{COACH}'s training year is already {status.value}"):
        withdraw(record, program, YEAR_END)
    assert record.model_dump() == before


@pytest.mark.parametrize(
    ("status", "unlocked"),
    [
        (TrainingStatus.enrolled, False),
        (TrainingStatus.coaching, True),
        (TrainingStatus.completed, True),
        (TrainingStatus.incomplete, False),
        (TrainingStatus.withdrawn, False),
    ],
)
def test_coaching_unlocked_means_the_same_on_a_record_and_its_summary(status: TrainingStatus, unlocked: bool) -> None:
    record = training(status=status)
    summary = TrainingSummary(coach=record.coach, name=record.name, school=record.school, status=status)
    assert record.coaching_unlocked is summary.coaching_unlocked is unlocked


@pytest.mark.parametrize("status", [TrainingStatus.completed, TrainingStatus.incomplete, TrainingStatus.withdrawn])
@pytest.mark.parametrize("attendance", [Attendance.attended, Attendance.absent, Attendance.made_up])
def test_no_attendance_once_the_year_has_ended(program: Program, status: TrainingStatus, attendance: Attendance) -> None:
    record = training(status=status, ended_at=datetime(2027, 10, 1, tzinfo=UTC))
    record.attendance[6] = AttendanceEntry(status=Attendance.absent, recorded_by=COORDINATOR, at=during(program, 6))
    reason = refused(record, program, 6, attendance, COORDINATOR, during(program, 6, days=1))
    assert reason == f"{COACH}'s training year is {status.value}; attendance can no longer be recorded"


def test_a_whole_year_with_a_make_up(program: Program) -> None:
    record = training()
    for session in SESSIONS:
        status = Attendance.excused if session in (2, 5) else Attendance.attended
        record_attendance(record, program, session, status, COORDINATOR, during(program, session))
        if session == 5:
            assert record.status == TrainingStatus.enrolled
    record_attendance(record, program, 5, Attendance.made_up, COORDINATOR, during(program, 8))
    finish_year(record, program, YEAR_END)

    assert record.status == TrainingStatus.completed
    assert record.unlocked_at == during(program, 8)
    assert {n: e.status for n, e in record.attendance.items()} == {
        1: Attendance.attended,
        2: Attendance.excused,
        3: Attendance.attended,
        4: Attendance.attended,
        5: Attendance.made_up,
        6: Attendance.attended,
        7: Attendance.attended,
        8: Attendance.attended,
    }
    assert [n for n in SESSIONS if needs_make_up(record, n)] == [2]
