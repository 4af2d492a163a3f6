"""Whose sessions and release days a person's calendar feed lists."""

from __future__ import annotations

from datetime import date, datetime

from domain.access import Member
from domain.calendar_feed import Membership, feed
from domain.release import add_request, decide
from domain.roster import Role
from tests.activities.records import COHORT, PACIFIC, ledger, program
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, PRINCIPAL, TIA

AT = datetime(2026, 9, 1, 9, 0, tzinfo=PACIFIC)
P = program()


def member(email: str, role: Role) -> Membership:
    return Membership(cohort=COHORT, program=P, member=Member(email=email, role=role, school=None if role == Role.coordinator else "hazel"))


def test_coaches_and_coordinators_see_every_session_in_the_programs_zone_and_hours() -> None:
    for email, role in ((ANN, Role.coach), (COORDINATOR, Role.coordinator)):
        sessions = feed(email, [member(email, role)], [], AT).sessions
        assert [s.uid for s in sessions] == [f"{COHORT}-session-{n}" for n in range(1, 9)]
        assert {s.timezone for s in sessions} == {"America/Los_Angeles"}
        second = sessions[1]
        assert second.days == 3 and second.starts_at == P.session(2).starts_at and second.ends_at == P.session(2).ends_at


def test_teachers_and_principals_have_no_sessions() -> None:
    assert feed(TIA, [member(TIA, Role.teacher)], [], AT).sessions == []
    assert feed(PRINCIPAL, [member(PRINCIPAL, Role.principal)], [], AT).sessions == []


def test_only_the_persons_own_approved_release_days_and_nothing_of_their_purpose() -> None:
    book = ledger(P)
    book.members[ANN] = Role.coach
    mine = add_request(book, ANN, 1, date(2026, 10, 5), "Observe Tia's private struggles", None, AT, AT.date())
    pending = add_request(book, ANN, 0.5, date(2026, 10, 6), "Co-plan", None, AT, AT.date())
    theirs = add_request(book, TIA, 1, date(2026, 10, 7), "Co-plan", ANN_TIA, AT, AT.date())
    for request in (mine, theirs):
        decide(book, request.id, PRINCIPAL, approve=True, at=AT)

    days = feed(ANN, [member(ANN, Role.coach)], [book], AT).release_days
    assert [(d.on, d.days) for d in days] == [(date(2026, 10, 5), 1)]
    assert pending.id not in days[0].uid and "private" not in days[0].model_dump_json()
    assert [d.on for d in feed(TIA, [member(TIA, Role.teacher)], [book], AT).release_days] == [date(2026, 10, 7)]
