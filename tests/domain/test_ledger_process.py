"""A school's release ledger as a pure process: each request's clock on one wake-up, booking, and the ledger's end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.notices import Notice, NoticeKind
from domain.problems import Refused
from domain.processes.ledger import (
    Cancellation,
    Decision,
    LedgerProcess,
    MemberAdded,
    PartnershipAtSchool,
    ReleaseAsk,
    YearClosed,
)
from domain.program import Program, TrainingSession
from domain.release import BookingOrder, ReleaseLedgerRecord, ReleaseStatus, decision_deadlines
from domain.roster import Role

PACIFIC = ZoneInfo("America/Los_Angeles")
PRINCIPAL = "pat@hazel.test"
ANN = "ann@hazel.test"  # a coach
TIA = "tia@hazel.test"  # a teacher in Ann's partnership
ZOE = "zoe@hazel.test"  # a teacher the cohort adds later

ASKED = datetime(2026, 10, 5, 17, 0, tzinfo=UTC)  # a Monday, 10:00 at the school
DAY = date(2026, 10, 30)


def program() -> Program:
    sessions = [
        TrainingSession(number=n, title=f"Session {n}", starts_on=date(2026, 4, 20) + timedelta(days=40 * n), location="ESD 112")
        for n in range(1, 9)
    ]
    return Program(name="Peer Coaching", school_year="2026-2027", sessions=sessions)


PROGRAM = program()
PROCESS = LedgerProcess(PROGRAM)


def ledger() -> ReleaseLedgerRecord:
    return ReleaseLedgerRecord(
        cohort="fall",
        school="hazel",
        school_year="2026-2027",
        principal=PRINCIPAL,
        members={ANN: Role.coach, TIA: Role.teacher},
        allowances={Role.coach: 3.0, Role.teacher: 2.0},
        partnerships={"ann--tia": ANN},
        revision=1,  # published at its start
    )


def ask(requester: str = TIA, days: float = 1, on: date = DAY) -> ReleaseAsk:
    return ReleaseAsk(requester=requester, days=days, on=on, purpose="Co-plan the research unit", partnership="ann--tia")


def told(notices: list[Notice]) -> list[tuple[NoticeKind, str]]:
    """(kind, request number) of each notice, in order."""
    return [(n.kind, n.key.rsplit("/", 1)[1]) for n in notices]


def at_seven(day: date) -> datetime:
    """Follow-ups and reminders go out at 7:00 at the schools."""
    return datetime.combine(day, time(7), PACIFIC).astimezone(UTC)


# -- starting -----------------------------------------------------------------------------------


def test_a_new_ledger_publishes_itself_at_start() -> None:
    record = ledger().model_copy(update={"revision": 0})
    effects = PROCESS.start(record, ASKED)
    assert record.revision == 1
    assert effects.summary == record and effects.summary is not record  # a copy: the record goes on changing
    assert (effects.wake_at, effects.done, effects.notices) == (None, False, [])


def test_a_resumed_ledger_publishes_nothing_and_wakes_for_what_is_open() -> None:
    record = ledger()
    PROCESS.request_release(record, ask(), ASKED)
    effects = PROCESS.start(record, ASKED + timedelta(days=1))
    assert effects.summary is None and record.revision == 2
    assert effects.wake_at == at_seven(date(2026, 10, 9))


# -- asking ---------------------------------------------------------------------------------------


def test_a_request_tells_the_principal_and_wakes_for_the_reminder() -> None:
    record = ledger()
    effects = PROCESS.request_release(record, ask(), ASKED)
    request = effects.reply
    assert request.id == "fall/hazel/1" and request.requested_at == ASKED
    assert told(effects.notices) == [(NoticeKind.release_requested, "1")]
    assert effects.notices[0].to == [PRINCIPAL]
    assert effects.summary == record and record.requests == [request] and record.revision == 2
    reminder, _ = decision_deadlines(request, PROGRAM)
    assert effects.wake_at == reminder == at_seven(date(2026, 10, 9))
    assert effects.wake_at.tzinfo == UTC


def test_refusals_come_from_the_domain_and_change_nothing() -> None:
    record = ledger()
    request = PROCESS.request_release(record, ask(), ASKED).reply
    before = record.model_dump()
    with pytest.raises(Refused, match="has 1 day of release time left"):
        PROCESS.check_request(record, ask(days=1.5), ASKED)
    with pytest.raises(Refused, match="only the principal of hazel"):
        PROCESS.check_decision(record, Decision(request_id=request.id, actor=ANN, approve=True))
    with pytest.raises(Refused, match="only the principal of hazel"):
        PROCESS.decide(record, Decision(request_id=request.id, actor=ANN, approve=False), ASKED)
    with pytest.raises(Refused, match="who asked for it"):
        PROCESS.check_cancel(record, Cancellation(request_id=request.id, actor=ANN), ASKED)
    with pytest.raises(Refused, match="only before that day"):
        PROCESS.cancel(record, Cancellation(request_id=request.id, actor=TIA), datetime.combine(DAY, time(9), PACIFIC))
    assert record.model_dump() == before


def test_today_is_the_schools_date() -> None:
    record = ledger()
    evening = datetime(2026, 10, 6, 3, 0, tzinfo=UTC)  # 8 p.m. on October 5 at the school
    assert PROCESS.request_release(record, ask(on=date(2026, 10, 5)), evening).reply.on == date(2026, 10, 5)


# -- each request's clock -----------------------------------------------------------------------


def test_an_undecided_request_is_reminded_then_expires() -> None:
    record = ledger()
    request = PROCESS.request_release(record, ask(), ASKED).reply
    reminder, expiry = decision_deadlines(request, PROGRAM)

    early = PROCESS.wake(record, reminder - timedelta(minutes=1))
    assert (early.notices, early.summary, early.wake_at) == ([], None, reminder)

    reminded = PROCESS.wake(record, reminder)
    assert told(reminded.notices) == [(NoticeKind.release_reminder, "1"), (NoticeKind.release_expiring, "1")]
    assert reminded.notices[0].to == [PRINCIPAL] and reminded.notices[1].to == [TIA]
    assert reminded.notices[1].context["expires_on"] == "Tuesday October 13, 2026"
    assert request.reminded_at == reminder and request.status == ReleaseStatus.requested
    assert reminded.summary is not None and reminded.wake_at == expiry == at_seven(date(2026, 10, 13))

    expired = PROCESS.wake(record, expiry)
    assert told(expired.notices) == [(NoticeKind.release_expired, "1")]
    assert set(expired.notices[0].to) == {TIA, PRINCIPAL}
    assert request.status == ReleaseStatus.expired and record.remaining(TIA) == 2
    assert expired.summary is not None and expired.wake_at is None


def test_one_wake_up_does_every_due_thing_by_time_then_by_request() -> None:
    record = ledger()
    first = PROCESS.request_release(record, ask(TIA, 1), ASKED).reply
    PROCESS.request_release(record, ask(ANN, 1), ASKED + timedelta(hours=1))  # the same 7:00 deadlines as the first
    third = PROCESS.request_release(record, ask(ANN, 1), ASKED + timedelta(days=2)).reply
    late = decision_deadlines(third, PROGRAM)[1] + timedelta(hours=1)
    assert decision_deadlines(third, PROGRAM)[0] < decision_deadlines(first, PROGRAM)[1]  # the third's reminder comes first
    revision = record.revision

    effects = PROCESS.wake(record, late)  # a worker down for ten days: everything due at once, in order

    assert told(effects.notices) == [
        (NoticeKind.release_reminder, "1"),
        (NoticeKind.release_expiring, "1"),
        (NoticeKind.release_reminder, "2"),
        (NoticeKind.release_expiring, "2"),
        (NoticeKind.release_reminder, "3"),
        (NoticeKind.release_expiring, "3"),
        (NoticeKind.release_expired, "1"),
        (NoticeKind.release_expired, "2"),
        (NoticeKind.release_expired, "3"),
    ]
    assert [r.status for r in record.requests] == [ReleaseStatus.expired] * 3
    assert record.revision == revision + 1  # one publish for the lot
    assert effects.wake_at is None


def test_the_wake_up_is_the_earliest_deadline_of_the_open_requests() -> None:
    record = ledger()
    PROCESS.request_release(record, ask(TIA, 1, on=date(2026, 10, 7)), ASKED)
    second = PROCESS.request_release(record, ask(ANN, 1), ASKED).reply
    PROCESS.decide(record, Decision(request_id="fall/hazel/1", actor=PRINCIPAL, approve=True), ASKED)
    effects = PROCESS.booked(record, "fall/hazel/1", "SUB-1", ASKED)
    assert effects.wake_at == PROGRAM.end_of_day(date(2026, 10, 7)) < decision_deadlines(second, PROGRAM)[0]
    assert effects.wake_at is not None and effects.wake_at.tzinfo == UTC


def test_a_decided_or_cancelled_request_is_not_reminded() -> None:
    record = ledger()
    denied = PROCESS.request_release(record, ask(ANN, 1), ASKED).reply
    cancelled = PROCESS.request_release(record, ask(TIA, 1), ASKED).reply
    PROCESS.decide(record, Decision(request_id=denied.id, actor=PRINCIPAL, approve=False), ASKED)
    effects = PROCESS.cancel(record, Cancellation(request_id=cancelled.id, actor=TIA), ASKED)
    assert effects.wake_at is None and effects.notices == []
    assert PROCESS.wake(record, ASKED + timedelta(days=30)).notices == []


# -- the principal decides ---------------------------------------------------------------------


def test_an_approval_orders_cover_then_booking_tells_everyone_and_the_day_is_used_at_its_end() -> None:
    record = ledger()
    request = PROCESS.request_release(record, ask(TIA, 1), ASKED).reply
    revision = record.revision

    approved = PROCESS.decide(record, Decision(request_id=request.id, actor=PRINCIPAL, approve=True, reason="Good plan"), ASKED)

    assert approved.reply is request and request.status == ReleaseStatus.approved
    assert (request.decided_by, request.decided_at, request.reason) == (PRINCIPAL, ASKED, "Good plan")
    [order] = approved.bookings
    assert isinstance(order, BookingOrder)
    assert (order.request.id, order.school, order.principal) == (request.id, "hazel", PRINCIPAL)
    assert approved.notices == [] and approved.summary is None  # told, and shown, once cover is booked
    assert approved.wake_at is None and record.revision == revision
    assert PROCESS.wake(record, ASKED + timedelta(days=60)).notices == []  # a booking under way is waited for, not used

    booked = PROCESS.booked(record, request.id, "SUB-7", ASKED + timedelta(minutes=1))

    assert booked.reply is request and request.status == ReleaseStatus.booked and request.booking == "SUB-7"
    assert told(booked.notices) == [(NoticeKind.substitute_booked, "1"), (NoticeKind.release_decided, "1")]
    assert set(booked.notices[1].to) == {TIA, ANN, PRINCIPAL}  # Ann coaches Tia's partnership
    assert booked.summary is not None and booked.bookings == []
    end_of_day = datetime(2026, 10, 31, 0, 0, tzinfo=PACIFIC).astimezone(UTC)
    assert booked.wake_at == end_of_day

    assert PROCESS.wake(record, end_of_day - timedelta(minutes=1)).summary is None
    used = PROCESS.wake(record, end_of_day)
    assert request.status == ReleaseStatus.used and used.notices == [] and used.summary is not None
    assert used.wake_at is None and record.held(TIA) == 1


def test_a_denial_tells_the_requester_at_once() -> None:
    record = ledger()
    request = PROCESS.request_release(record, ask(TIA, 1), ASKED).reply
    effects = PROCESS.decide(record, Decision(request_id=request.id, actor=PRINCIPAL, approve=False, reason="Testing week"), ASKED)
    assert request.status == ReleaseStatus.denied and effects.bookings == []
    assert told(effects.notices) == [(NoticeKind.release_decided, "1")] and effects.notices[0].to == [TIA]
    assert effects.summary is not None and record.remaining(TIA) == 2


def test_booking_a_request_cancelled_meanwhile_is_refused() -> None:
    record = ledger()
    request = PROCESS.request_release(record, ask(TIA, 1), ASKED).reply
    PROCESS.decide(record, Decision(request_id=request.id, actor=PRINCIPAL, approve=True), ASKED)
    PROCESS.cancel(record, Cancellation(request_id=request.id, actor=TIA), ASKED)
    with pytest.raises(Refused, match="request fall/hazel/1 is cancelled; 'book' is not possible now"):
        PROCESS.booked(record, request.id, "SUB-1", ASKED)


# -- the cohort's messages, and the end ---------------------------------------------------------


def test_the_cohort_adds_members_and_partnerships() -> None:
    record = ledger()
    with pytest.raises(Refused, match="not a coach or collaborating teacher"):
        PROCESS.check_request(record, ask(ZOE), ASKED)

    added = PROCESS.receive(record, MemberAdded(email=ZOE, role=Role.teacher), ASKED)
    partnered = PROCESS.receive(record, PartnershipAtSchool(id="ann--zoe", coach=ANN), ASKED)

    assert record.members[ZOE] == Role.teacher and record.partnerships["ann--zoe"] == ANN
    assert added.summary is not None and partnered.summary is not None and record.revision == 3
    PROCESS.check_request(record, ask(ZOE), ASKED)
    again = PROCESS.receive(record, MemberAdded(email=ZOE, role=Role.teacher), ASKED)
    assert again.summary is None and record.revision == 3  # nothing new to show


def test_a_ledger_takes_only_its_own_messages() -> None:
    with pytest.raises(TypeError, match="a release ledger does not take Decision"):
        PROCESS.receive(ledger(), Decision(request_id="fall/hazel/1", actor=PRINCIPAL, approve=True), ASKED)


def test_a_closed_year_with_nothing_open_is_done() -> None:
    record = ledger()
    effects = PROCESS.receive(record, YearClosed(), ASKED)
    assert effects.done and effects.summary is None and record.year_closed


def test_the_ledger_is_done_only_once_the_year_is_closed_and_no_request_is_open() -> None:
    record = ledger()
    request = PROCESS.request_release(record, ask(TIA, 1), ASKED).reply
    PROCESS.decide(record, Decision(request_id=request.id, actor=PRINCIPAL, approve=True), ASKED)
    assert not PROCESS.receive(record, YearClosed(), ASKED).done  # approved: its cover is being booked
    booked = PROCESS.booked(record, request.id, "SUB-1", ASKED)
    assert not booked.done and booked.wake_at is not None
    used = PROCESS.wake(record, booked.wake_at)
    assert used.done and request.status == ReleaseStatus.used

    late = PROCESS.request_release(record, ask(ANN, 1), ASKED)  # asked as the ledger was ending: it runs its course
    assert not late.done
    reminder_and_expiry = PROCESS.wake(record, ASKED + timedelta(days=30))
    assert reminder_and_expiry.done and late.reply.status == ReleaseStatus.expired


def test_the_same_events_give_the_same_effects() -> None:
    """Pure: a workflow replaying and the simulator playing the same events agree."""

    def play() -> list[object]:
        record = ledger()
        seen: list[object] = []
        for effects in (
            PROCESS.request_release(record, ask(TIA, 1), ASKED),
            PROCESS.request_release(record, ask(ANN, 2, on=date(2026, 10, 9)), ASKED + timedelta(hours=2)),
            PROCESS.decide(record, Decision(request_id="fall/hazel/2", actor=PRINCIPAL, approve=True), ASKED + timedelta(days=1)),
            PROCESS.booked(record, "fall/hazel/2", "SUB-1", ASKED + timedelta(days=1)),
            PROCESS.wake(record, ASKED + timedelta(days=12)),
            PROCESS.receive(record, YearClosed(), ASKED + timedelta(days=12)),
        ):
            seen.append((effects.wake_at, effects.done, effects.notices, effects.bookings, effects.summary))
        return seen

    assert play() == play()
