"""A coordinator moves a session that has not begun: checked like the program file, and every coach's calendar follows."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from domain.cohort import year_ends
from domain.notices import InviteMethod, NoticeKind
from domain.problems import Refused
from domain.processes.cohort import EVERY_TRAINING
from domain.processes.training import SessionChanged, TrainingProcess, TrainingWithdrawn
from domain.program import TrainingSession
from domain.session_change import REASON_MAX_CHARS, SessionChange, SessionEdit, changed_program
from tests.domain.test_cohort_process import launched
from tests.domain.test_training import COORDINATOR, fixed_program, training

PROGRAM = fixed_program()
SESSION_6 = PROGRAM.session(6)  # Tuesday October 19, 2027
BEFORE_6 = PROGRAM.session_start(6) - timedelta(days=20)


def moved_6(**edit: object) -> TrainingSession:
    return SessionEdit.model_validate(edit).applied_to(SESSION_6)


def change(session: TrainingSession, reason: str = "the venue flooded") -> SessionChange:
    return SessionChange(actor=COORDINATOR, session=session, reason=reason)


def refusal(session: TrainingSession, reason: str = "the venue flooded", now=BEFORE_6) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        changed_program(PROGRAM, change(session, reason), now)
    return refused.value.reason


# -- the rules ---------------------------------------------------------------------------------


def test_a_session_moves_to_a_new_date_hours_and_place_and_the_rest_stay() -> None:
    new = moved_6(starts_on=date(2027, 10, 26), starts_at=time(15, 30), ends_at=time(17), location="Library, room 2")
    program = changed_program(PROGRAM, change(new), BEFORE_6)
    assert program.session(6) == new
    assert [s for s in program.sessions if s.number != 6] == [s for s in PROGRAM.sessions if s.number != 6]
    assert program.session_start(6).isoformat() == "2027-10-26T15:30:00-07:00"


def test_a_move_is_refused_with_the_reason_and_nothing_changes() -> None:
    before = PROGRAM.model_dump()
    assert "only a session that has not begun" in refusal(moved_6(location="Gym"), now=PROGRAM.session_start(6))
    assert refusal(SESSION_6).startswith("session 6 already is on Tuesday October 19, 2027 at 08:30")
    assert "session 7 starts 2028-02-08 but session 6 runs until 2028-03-01" in refusal(moved_6(starts_on=date(2028, 3, 1)))
    assert "ends at 08:00, before it starts at 08:30" in refusal(moved_6(ends_at=time(8)))
    assert "which has passed" in refusal(moved_6(starts_on=date(2027, 9, 28)), now=date_time(2027, 10, 1))
    assert refusal(moved_6(location="Gym"), reason="  ").startswith("say why the session moves")
    assert f"keep it to {REASON_MAX_CHARS}" in refusal(moved_6(location="Gym"), reason="x" * (REASON_MAX_CHARS + 1))
    assert PROGRAM.model_dump() == before


def date_time(year: int, month: int, day: int):  # type: ignore[no-untyped-def]
    return PROGRAM.end_of_day(date(year, month, day)) - timedelta(hours=12)


def test_an_edit_that_names_nothing_or_an_impossible_value_is_refused_in_words() -> None:
    with pytest.raises(Refused, match="say what changes"):
        SessionEdit().applied_to(SESSION_6)
    with pytest.raises(Refused, match="days: Input should be less than or equal to 10"):
        moved_6(days=11)


# -- the cohort --------------------------------------------------------------------------------


def test_the_cohort_records_the_move_counts_it_and_tells_every_training() -> None:
    process, record = launched()
    program = record.state.program
    six, eight = program.session(6), program.session(8)
    now = program.session_start(6) - timedelta(days=20)
    later = eight.model_copy(update={"starts_on": eight.starts_on + timedelta(days=14)})
    moves = [six.model_copy(update={"location": "Gym"}), six.model_copy(update={"location": "Library"}), later]
    for session, sequence in zip(moves, [1, 2, 1], strict=True):
        effects = process.change_session(record, change(session), now)
        [message] = effects.messages
        assert message.to.key == EVERY_TRAINING and isinstance(message.event, SessionChanged)
        assert message.event.sequence == sequence
    assert record.state.program.session(6).location == "Library"
    assert record.session_changes == {6: 2, 8: 1}
    assert effects.wake_at == year_ends(record.state.program) == year_ends(program) + timedelta(days=14)
    not_a_coordinator = change(moves[0]).model_copy(update={"actor": "ann@hazel.test"})
    with pytest.raises(Refused, match="only a coordinator of the cohort moves training sessions"):
        process.check_session_change(record, not_a_coordinator, now)


# -- a coach's calendar ------------------------------------------------------------------------


def test_a_coach_gets_the_updated_invite_and_reminders_for_the_new_date() -> None:
    process, record = TrainingProcess(PROGRAM), training()
    process.start(record, BEFORE_6)
    moved = moved_6(starts_on=date(2027, 11, 2), location="Library")
    effects = process.receive(record, SessionChanged(session=moved, sequence=1, reason="the venue flooded"), BEFORE_6)
    [notice] = effects.notices
    assert notice.kind == NoticeKind.session_changed and notice.context["reason"] == "the venue flooded"
    assert notice.invite is not None and notice.invite.sequence == 1 and notice.invite.starts_on == date(2027, 11, 2)
    assert notice.invite.method == InviteMethod.request

    # The same change told twice (a retried activity) is taken once.
    assert process.receive(record, SessionChanged(session=moved, sequence=1, reason="again"), BEFORE_6).notices == []

    # The reminders of session 6 now come before its new date, as new messages carrying the updated invite.
    reminders = []
    effects = process.wake(record, BEFORE_6)
    while effects.wake_at is not None and effects.wake_at < PROGRAM.session_start(7):
        effects = process.wake(record, effects.wake_at)
        reminders += [n for n in effects.notices if n.kind == NoticeKind.session_reminder]
    assert [(n.key, n.invite.sequence, n.invite.starts_on) for n in reminders if n.invite and n.context["session"] == 6] == [
        ("reminder:spring:ann@hazel.test:session-6.1:7d", 1, date(2027, 11, 2)),
        ("reminder:spring:ann@hazel.test:session-6.1:1d", 1, date(2027, 11, 2)),
    ]


def test_a_move_inside_the_reminder_window_sends_no_late_reminder_and_a_withdrawal_cancels_the_moved_invite() -> None:
    process, record = TrainingProcess(PROGRAM), training()
    now = PROGRAM.session_start(6) - timedelta(days=3)  # the 7-day reminder went out
    sent = process.start(record, BEFORE_6).notices
    effects = process.wake(record, now)
    sent += effects.notices
    assert [n.key for n in sent if n.kind == NoticeKind.session_reminder] == ["reminder:spring:ann@hazel.test:session-6:7d"]

    moved = moved_6(starts_on=SESSION_6.starts_on + timedelta(days=1))  # now two days away: its 7-day reminder has passed
    effects = process.receive(record, SessionChanged(session=moved, sequence=1, reason="a snow day"), now)
    assert [n.kind for n in effects.notices] == [NoticeKind.session_changed]
    assert effects.wake_at == PROGRAM.session_start(6) + timedelta(days=1) - timedelta(days=1)  # its 1-day reminder

    [cancelled] = process.receive(record, TrainingWithdrawn(), now).notices
    assert cancelled.kind == NoticeKind.session_cancelled and cancelled.invite is not None
    assert (cancelled.invite.method, cancelled.invite.sequence, cancelled.invite.starts_on) == (InviteMethod.cancel, 2, moved.starts_on)
