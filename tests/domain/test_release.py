"""Release time: asking for substitute days, the principal's decision, and what happens after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from statemachine.exceptions import TransitionNotAllowed

from domain.problems import Refused
from domain.release import (
    PURPOSE_MAX_CHARS,
    SYSTEM,
    ReleaseLedgerRecord,
    ReleaseMachine,
    ReleaseRequest,
    ReleaseStatus,
    add_request,
    book,
    cancel,
    cancellable,
    check_cancel,
    check_decision,
    check_request,
    coach_to_tell,
    days_text,
    decide,
    expire,
    use,
)
from domain.roster import Role

NOW = datetime(2027, 5, 1, 16, tzinfo=UTC)
TODAY = date(2027, 5, 1)
SOON = date(2027, 5, 12)

PRINCIPAL = "pat@hazel.test"
ANN = "ann@hazel.test"  # a coach
BOB = "bob@hazel.test"  # a coach
TIA = "tia@hazel.test"  # a teacher in Ann's partnership
TED = "ted@hazel.test"  # a teacher in no partnership
COORDINATOR = "cora@esd.test"


def ledger(coach_days: float = 2.0, teacher_days: float = 1.5) -> ReleaseLedgerRecord:
    return ReleaseLedgerRecord(
        cohort="spring",
        school="hazel",
        school_year="2027-2028",
        principal=PRINCIPAL,
        members={ANN: Role.coach, BOB: Role.coach, TIA: Role.teacher, TED: Role.teacher},
        allowances={Role.coach: coach_days, Role.teacher: teacher_days},
        partnerships={"ann--tia": ANN, "bob--ted": BOB},
    )


def ask(record: ReleaseLedgerRecord, requester: str = ANN, days: float = 1, partnership: str | None = None) -> ReleaseRequest:
    return add_request(record, requester, days, SOON, "Co-plan the research unit", partnership, NOW, TODAY)


def refused_request(
    record: ReleaseLedgerRecord, requester: str, days: float, on: date = SOON, purpose: str = "Plan", partnership: str | None = None
) -> str:
    before = record.model_dump()
    with pytest.raises(Refused) as checked:
        check_request(record, requester, days, on, purpose, TODAY, partnership)
    with pytest.raises(Refused) as added:
        add_request(record, requester, days, on, purpose, partnership, NOW, TODAY)
    assert added.value.reason == checked.value.reason
    assert record.model_dump() == before
    return checked.value.reason


def walk(record: ReleaseLedgerRecord, request: ReleaseRequest, path: list[str]) -> None:
    """Take a request along a path of steps: approve, deny, expire, book, use, cancel."""
    for step in path:
        if step in ("approve", "deny"):
            decide(record, request.id, PRINCIPAL, step == "approve", NOW)
        elif step == "cancel":
            cancel(record, request.id, request.requester, TODAY)
        else:
            program_move(record, request.id, step)


def program_move(record: ReleaseLedgerRecord, request_id: str, event: str) -> ReleaseRequest:
    """What the program does on its own: expire, book or use."""
    if event == "book":
        return book(record, request_id, "SUB-1")
    return {"expire": expire, "use": use}[event](record, request_id)


def refused_move(record: ReleaseLedgerRecord, request_id: str, event: str) -> str:
    before = record.model_dump()
    with pytest.raises(Refused) as refusal:
        program_move(record, request_id, event)
    assert record.model_dump() == before
    return refusal.value.reason


def refused_cancel(record: ReleaseLedgerRecord, request_id: str, actor: str, today: date = TODAY) -> str:
    before = record.model_dump()
    with pytest.raises(Refused) as checked:
        check_cancel(record, request_id, actor, today)
    with pytest.raises(Refused) as refusal:
        cancel(record, request_id, actor, today)
    assert record.model_dump() == before
    assert refusal.value.reason == checked.value.reason
    return refusal.value.reason


# -- asking --------------------------------------------------------------------------------------


def test_a_request_is_recorded_and_holds_its_days() -> None:
    record = ledger()
    request = add_request(record, TIA, 1.5, SOON, "  Observe a lesson  ", "ann--tia", NOW, TODAY)

    assert request == ReleaseRequest(
        id="spring/hazel/1",
        requester=TIA,
        role=Role.teacher,
        days=1.5,
        on=SOON,
        purpose="Observe a lesson",
        partnership="ann--tia",
        requested_at=NOW,
    )
    assert request.status == ReleaseStatus.requested
    assert record.requests == [request]
    assert record.held(TIA) == 1.5
    assert record.remaining(TIA) == 0


def test_request_ids_count_up_within_the_school() -> None:
    record = ledger()
    assert [ask(record, who, 0.5).id for who in (ANN, BOB, TIA)] == ["spring/hazel/1", "spring/hazel/2", "spring/hazel/3"]


@pytest.mark.parametrize("days", [0.5, 1, 1.5, 2])
def test_release_time_comes_in_half_days(days: float) -> None:
    record = ledger()
    assert ask(record, ANN, days).days == days
    assert record.remaining(ANN) == 2 - days


@pytest.mark.parametrize("days", [0, -0.5, -1, 0.25, 0.75, 1.2, 0.1])
def test_other_amounts_are_refused(days: float) -> None:
    reason = refused_request(ledger(), ANN, days)
    assert reason == f"release time is asked for in half days (0.5, 1, 1.5 ...), not {days}"


@pytest.mark.parametrize(
    ("requester", "days", "message"),
    [
        (ANN, 2.5, f"{ANN} has 2 days of release time left for 2027-2028 (of 2 days); 2.5 days is too many"),
        (ANN, 3, f"{ANN} has 2 days of release time left for 2027-2028 (of 2 days); 3 days is too many"),
        (TIA, 2, f"{TIA} has 1.5 days of release time left for 2027-2028 (of 1.5 days); 2 days is too many"),
    ],
)
def test_more_than_the_allowance_is_refused_saying_what_is_left(requester: str, days: float, message: str) -> None:
    assert refused_request(ledger(), requester, days) == message


def test_the_whole_allowance_may_be_asked_for_at_once() -> None:
    record = ledger()
    ask(record, ANN, 2)
    assert record.remaining(ANN) == 0


def test_pending_requests_hold_days_so_two_requests_cannot_overspend() -> None:
    record = ledger()
    ask(record, ANN, 1.5)
    reason = refused_request(record, ANN, 1)
    assert reason == f"{ANN} has 0.5 days of release time left for 2027-2028 (of 2 days); 1 day is too many"
    ask(record, ANN, 0.5)
    reason = refused_request(record, ANN, 0.5)
    assert reason == f"{ANN} has 0 days of release time left for 2027-2028 (of 2 days); 0.5 days is too many"


def test_one_persons_requests_do_not_use_anothers_allowance() -> None:
    record = ledger()
    ask(record, ANN, 2)
    assert record.remaining(BOB) == 2
    assert ask(record, BOB, 2).status == ReleaseStatus.requested


def test_a_role_without_an_allowance_has_no_days() -> None:
    record = ledger()
    record.allowances = {Role.coach: 2.0}
    assert record.allowance(TIA) == 0
    assert refused_request(record, TIA, 0.5) == f"{TIA} has 0 days of release time left for 2027-2028 (of 0 days); 0.5 days is too many"


def test_today_is_the_earliest_day_to_ask_for() -> None:
    record = ledger()
    assert add_request(record, ANN, 1, TODAY, "Plan", None, NOW, TODAY).on == TODAY


@pytest.mark.parametrize("on", [TODAY - timedelta(days=1), date(2026, 12, 1)])
def test_a_past_day_is_refused(on: date) -> None:
    assert refused_request(ledger(), ANN, 1, on=on) == f"{on} has already passed; ask for a day from {TODAY} on"


@pytest.mark.parametrize("requester", [PRINCIPAL, COORDINATOR, "zed@elsewhere.test", ANN.upper()])
def test_only_coaches_and_teachers_of_the_school_ask(requester: str) -> None:
    assert refused_request(ledger(), requester, 1) == f"{requester} is not a coach or collaborating teacher at hazel"


@pytest.mark.parametrize("purpose", ["", "   ", "\n"])
def test_a_purpose_is_required(purpose: str) -> None:
    assert refused_request(ledger(), ANN, 1, purpose=purpose) == "say what the release time is for (a purpose)"


def test_a_purpose_has_a_maximum_length() -> None:
    record = ledger()
    add_request(record, ANN, 0.5, SOON, "p" * PURPOSE_MAX_CHARS, None, NOW, TODAY)
    assert (
        refused_request(record, ANN, 0.5, purpose="p" * (PURPOSE_MAX_CHARS + 1)) == f"a purpose is at most {PURPOSE_MAX_CHARS} characters"
    )


def test_a_request_may_name_one_of_the_schools_partnerships() -> None:
    assert ask(ledger(), TIA, 1, partnership="ann--tia").partnership == "ann--tia"
    assert refused_request(ledger(), TIA, 1, partnership="zed--tia") == "there is no partnership zed--tia at hazel"


@pytest.mark.parametrize("days", [float("inf"), float("nan")])
def test_non_numbers_of_days_are_refused(days: float) -> None:
    with pytest.raises(Refused, match="half days"):
        check_request(ledger(), ANN, days, SOON, "Plan", TODAY)


# -- the principal decides -------------------------------------------------------------------------


@pytest.mark.parametrize("approve", [True, False])
def test_the_principal_decides(approve: bool) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    decided_at = NOW + timedelta(days=1)
    assert check_decision(record, request.id, PRINCIPAL) is request

    decided = decide(record, request.id, PRINCIPAL, approve, decided_at, "Subs are short that week" if not approve else None)

    assert decided is request
    assert request.status == (ReleaseStatus.approved if approve else ReleaseStatus.denied)
    assert (request.decided_by, request.decided_at) == (PRINCIPAL, decided_at)
    assert request.reason == (None if approve else "Subs are short that week")
    assert record.remaining(ANN) == (1 if approve else 2)


@pytest.mark.parametrize("actor", [ANN, TIA, COORDINATOR, "zed@elsewhere.test"])
def test_only_the_principal_decides(actor: str) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    before = record.model_dump()
    message = f"only the principal of hazel ({PRINCIPAL}) decides its release requests"
    with pytest.raises(Refused, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_decision(record, request.id, actor)
    for approve in (True, False):
        with pytest.raises(Refused) as refusal:
            decide(record, request.id, actor, approve, NOW)
        assert refusal.value.reason == message
    assert record.model_dump() == before


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("second", [True, False])
def test_a_request_is_decided_once(first: bool, second: bool) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    decide(record, request.id, PRINCIPAL, first, NOW)
    before = record.model_dump()
    status = "approved" if first else "denied"
    with pytest.raises(Refused, match=f"request spring/hazel/1 is already {status}"):
        decide(record, request.id, PRINCIPAL, second, NOW + timedelta(hours=1))
    assert record.model_dump() == before


@pytest.mark.parametrize("state", ["expired", "cancelled", "booked", "used"])
def test_a_request_that_moved_on_cannot_be_decided(state: str) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    walk(
        record,
        request,
        {"expired": ["expire"], "cancelled": ["cancel"], "booked": ["approve", "book"], "used": ["approve", "book", "use"]}[state],
    )
    with pytest.raises(Refused, match=f"request spring/hazel/1 is already {state}"):
        check_decision(record, request.id, PRINCIPAL)


def test_an_unknown_request_is_refused() -> None:
    record = ledger()
    with pytest.raises(Refused, match="there is no release request spring/hazel/9"):
        decide(record, "spring/hazel/9", PRINCIPAL, True, NOW)
    with pytest.raises(Refused, match="there is no release request spring/hazel/9"):
        cancel(record, "spring/hazel/9", ANN, TODAY)


# -- after the decision: expire, book, use, cancel --------------------------------------------


def test_approved_then_booked_then_used() -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    decide(record, request.id, PRINCIPAL, True, NOW)

    assert book(record, request.id, "SUB-2027-0042") is request
    assert request.status == ReleaseStatus.booked
    assert request.booking == "SUB-2027-0042"

    assert use(record, request.id) is request
    assert request.status == ReleaseStatus.used
    assert record.held(ANN) == 1
    assert record.remaining(ANN) == 1


def test_an_undecided_request_expires() -> None:
    record = ledger()
    request = ask(record, ANN, 2)
    assert record.remaining(ANN) == 0
    assert expire(record, request.id) is request
    assert request.status == ReleaseStatus.expired
    assert record.remaining(ANN) == 2


@pytest.mark.parametrize("event", ["expire", "book", "use"])
@pytest.mark.parametrize("actor", [ANN, PRINCIPAL, COORDINATOR])
def test_only_the_program_expires_books_and_uses(event: str, actor: str) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    walk(record, request, {"expire": [], "book": ["approve"], "use": ["approve", "book"]}[event])
    before = request.model_dump()
    with pytest.raises(TransitionNotAllowed):  # the machine's guard: these moves are the program's own
        ReleaseMachine(request).send(event, actor=actor, booking="SUB-9")
    assert request.model_dump() == before


@pytest.mark.parametrize(
    ("event", "details", "check"),
    [
        ("approve", {"actor": ANN}, lambda r, i: check_decision(r, i, ANN)),
        (
            "deny",
            {"actor": PRINCIPAL, "reason": "r" * (PURPOSE_MAX_CHARS + 1)},
            lambda r, i: check_decision(r, i, PRINCIPAL, "r" * (PURPOSE_MAX_CHARS + 1)),
        ),
        ("cancel", {"actor": PRINCIPAL, "today": TODAY}, lambda r, i: check_cancel(r, i, PRINCIPAL, TODAY)),
        ("cancel", {"actor": ANN, "today": SOON}, lambda r, i: check_cancel(r, i, ANN, SOON)),
    ],
)
def test_the_machine_refuses_a_persons_move_as_the_check_does(event: str, details: dict[str, Any], check: Any) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    with pytest.raises(Refused) as checked:
        check(record, request.id)
    with pytest.raises(Refused) as sent:
        ReleaseMachine(request).send(event, request=request, ledger=record, **details)
    assert sent.value.reason == checked.value.reason
    assert request.status == ReleaseStatus.requested


@pytest.mark.parametrize(
    ("path", "event"),
    [
        ([], "book"),
        ([], "use"),
        (["approve"], "expire"),
        (["approve"], "use"),
        (["approve", "book"], "expire"),
        (["approve", "book"], "book"),
        (["deny"], "expire"),
        (["deny"], "book"),
        (["expire"], "expire"),
        (["expire"], "book"),
        (["approve", "book", "use"], "use"),
        (["approve", "book", "use"], "expire"),
    ],
)
def test_moves_out_of_order_are_refused(path: list[str], event: str) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    walk(record, request, path)
    status = request.status.value
    assert refused_move(record, request.id, event) == f"request spring/hazel/1 is {status}; '{event}' is not possible now"


@pytest.mark.parametrize("path", [[], ["approve"], ["approve", "book"]])
def test_the_requester_cancels_before_the_day(path: list[str]) -> None:
    record = ledger()
    request = ask(record, TIA, 1.5, partnership="ann--tia")
    walk(record, request, path)
    assert record.remaining(TIA) == 0

    cancel(record, request.id, TIA, TODAY)

    assert request.status == ReleaseStatus.cancelled
    assert record.remaining(TIA) == 1.5


@pytest.mark.parametrize("actor", [PRINCIPAL, ANN, COORDINATOR, SYSTEM])
def test_only_the_requester_cancels(actor: str) -> None:
    record = ledger()
    request = ask(record, TIA, 1, partnership="ann--tia")
    reason = refused_cancel(record, request.id, actor)
    assert reason == f"only {TIA}, who asked for it, may cancel request spring/hazel/1"


@pytest.mark.parametrize("days_after", [0, 1])
def test_a_request_cannot_be_cancelled_on_or_after_its_day(days_after: int) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    reason = refused_cancel(record, request.id, ANN, SOON + timedelta(days=days_after))
    assert reason == f"request spring/hazel/1 is for {SOON}; it can be cancelled only before that day"


@pytest.mark.parametrize("path", [["deny"], ["expire"], ["cancel"], ["approve", "book", "use"]])
def test_a_finished_request_cannot_be_cancelled(path: list[str]) -> None:
    record = ledger()
    request = ask(record, ANN, 1)
    walk(record, request, path)
    status = request.status.value
    assert refused_cancel(record, request.id, ANN) == f"request spring/hazel/1 is already {status}"


def test_denied_expired_and_cancelled_days_go_back_to_the_allowance() -> None:
    record = ledger(coach_days=3)
    denied, expired, cancelled = ask(record, ANN, 1), ask(record, ANN, 1), ask(record, ANN, 1)
    assert record.remaining(ANN) == 0
    assert refused_request(record, ANN, 0.5).startswith(f"{ANN} has 0 days")

    decide(record, denied.id, PRINCIPAL, False, NOW)
    assert record.remaining(ANN) == 1
    expire(record, expired.id)
    assert record.remaining(ANN) == 2
    cancel(record, cancelled.id, ANN, TODAY)
    assert record.remaining(ANN) == 3

    again = ask(record, ANN, 3)
    assert again.id == "spring/hazel/4"
    assert record.remaining(ANN) == 0


def test_approved_booked_and_used_days_stay_spent() -> None:
    record = ledger(coach_days=3)
    approved, booked, used = ask(record, ANN, 1), ask(record, ANN, 1), ask(record, ANN, 1)
    for request in (approved, booked, used):
        decide(record, request.id, PRINCIPAL, True, NOW)
    book(record, booked.id, "SUB-1")
    book(record, used.id, "SUB-2")
    use(record, used.id)
    assert [r.status for r in record.requests] == [ReleaseStatus.approved, ReleaseStatus.booked, ReleaseStatus.used]
    assert record.held(ANN) == 3
    assert record.remaining(ANN) == 0


# -- who hears about it -------------------------------------------------------------------------


def test_a_coach_requester_hears_about_their_own_request() -> None:
    record = ledger()
    assert coach_to_tell(record, ask(record, ANN, 1)) == ANN
    assert coach_to_tell(record, ask(record, BOB, 1, partnership="ann--tia")) == BOB


def test_a_teachers_request_is_told_to_the_partnerships_coach() -> None:
    record = ledger()
    assert coach_to_tell(record, ask(record, TIA, 1, partnership="ann--tia")) == ANN
    assert coach_to_tell(record, ask(record, TED, 1, partnership="bob--ted")) == BOB


def test_a_teachers_request_for_no_partnership_tells_no_coach() -> None:
    record = ledger()
    assert coach_to_tell(record, ask(record, TED, 1)) is None


@pytest.mark.parametrize(
    ("days", "text"), [(0, "0 days"), (0.5, "0.5 days"), (1, "1 day"), (1.0, "1 day"), (1.5, "1.5 days"), (2.0, "2 days")]
)
def test_days_text(days: float, text: str) -> None:
    assert days_text(days) == text


def test_cancellable_lists_what_check_cancel_allows() -> None:
    book = ledger()
    r = ask(book, TIA)
    assert cancellable(book, TIA, TODAY) == {r.id}
    assert cancellable(book, TIA, SOON) == set()  # the day itself: too late
    assert cancellable(book, ANN, TODAY) == set()  # only the requester
