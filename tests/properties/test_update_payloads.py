"""Every Update payload the workflows accept, generated: accepted, or refused with a sentence; never a crash.

For each Update (attendance, move, note, release request, decision, cancellation,
and the cohort's new partnership, new participant and withdrawal) a stream of
generated payloads goes to the domain functions the workflow's validator and
handler call. Each payload is either refused with a `Refused` whose reason reads
as a sentence, or accepted; the check the validator runs and the change the
handler makes agree (what the check lets through, the handler does; what it
refuses, the handler refuses too, changing nothing), which is what keeps a
refused Update out of the workflow's history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from domain.cohort import (
    NewParticipant,
    NewPartnership,
    Roll,
    Withdrawal,
    check_new_participant,
    check_new_partnership,
    check_withdrawal,
)
from domain.cycle import NOTE_MAX_CHARS, Stage, add_note, apply_move, check_move, check_note, unlock_coaching
from domain.problems import Refused
from domain.processes.ledger import Cancellation, Decision, ReleaseAsk
from domain.processes.partnership import MoveRequest, NoteRequest
from domain.processes.training import AttendanceUpdate
from domain.release import ReleaseLedgerRecord, add_request, cancel, check_cancel, check_decision, check_request, decide, ledger_of
from domain.roster import Role
from domain.training import Attendance, check_attendance, record_attendance
from tests.activities.records import COHORT, PACIFIC, ledger, partnership, program, training
from tests.properties.inputs import PROPERTY, any_day, any_days_number, any_text, awkward_text, email
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, PRINCIPAL, TIA, small_roster

PROGRAM = program()
WORDS = re.compile(r"[A-Za-z]{2,}")


def readable(refused: Refused) -> None:
    """A sentence a person can act on: words of the program, not an exception's name or a stack."""
    reason = refused.reason
    assert isinstance(reason, str) and reason.strip()
    assert len(WORDS.findall(reason)) >= 3, reason
    assert "Traceback" not in reason and "Error" not in reason.split(" ")[0], reason
    assert all(isinstance(a, str) for a in refused.allowed)


def agree(state: BaseModel, check: Callable[[], object], apply: Callable[[], object]) -> bool:
    """The validator's check and the handler's change agree; a refusal changes nothing. True if accepted."""
    before = state.model_dump()
    try:
        check()
    except Refused as refused:
        readable(refused)
        try:
            apply()
        except Refused as again:
            assert again.reason == refused.reason
        else:
            raise AssertionError(f"the check refused ({refused.reason}) but the handler went ahead")
        assert state.model_dump() == before, "a refused Update changed the record"
        return False
    apply()  # anything raised here would be written to history as a failed Update
    return True


actors = st.one_of(st.sampled_from([ANN, TIA, COORDINATOR, PRINCIPAL, "ted@hazel.test"]), awkward_text, email())
notes = st.one_of(st.none(), any_text, st.just("n" * NOTE_MAX_CHARS), st.just("n" * (NOTE_MAX_CHARS + 1)))
links = st.one_of(
    st.none(),
    any_text,
    st.sampled_from(["https://docs.example.org/plan", "http://[::1", "http://[bad", "https://exa\u2100mple.org/", "javascript:alert(1)"]),
    st.builds(lambda a, b: f"https://{a}/{b}", awkward_text, awkward_text),
)
moments = st.integers(min_value=-30, max_value=450).map(lambda d: PROGRAM.session_start(1) + timedelta(days=d, hours=3))


# -- a coach's training year: record_attendance ----------------------------------------

attendance_updates = st.builds(
    AttendanceUpdate,
    actor=actors,
    session=st.one_of(st.integers(-3, 11), st.integers(), st.sampled_from([5, 5, 5])),
    status=st.sampled_from(list(Attendance)),
)


@settings(PROPERTY, max_examples=300)
@given(updates=st.lists(st.tuples(attendance_updates, moments), min_size=1, max_size=8))
def test_attendance_updates(updates: list[tuple[AttendanceUpdate, datetime]]) -> None:
    record = training()
    for u, at in updates:
        agree(
            record,
            lambda u=u, at=at: check_attendance(record, PROGRAM, u.session, u.status, u.actor, at),  # type: ignore[misc]
            lambda u=u, at=at: record_attendance(record, PROGRAM, u.session, u.status, u.actor, at),  # type: ignore[misc]
        )


# -- a partnership: move and add_note -----------------------------------------------------

move_requests = st.builds(MoveRequest, actor=actors, to=st.sampled_from(list(Stage)), note=notes)
note_requests = st.builds(NoteRequest, author=actors, text=any_text, link=links)


@settings(PROPERTY, max_examples=400)
@given(
    unlocked=st.booleans(),
    requests=st.lists(st.one_of(move_requests, note_requests), min_size=1, max_size=12),
)
def test_moves_and_notes(unlocked: bool, requests: list[MoveRequest | NoteRequest]) -> None:
    record = partnership().model_copy(update={"coaching_unlocked": False})
    at = PROGRAM.session_start(5) + timedelta(days=1)
    if unlocked:
        unlock_coaching(record, at)
    for r in requests:
        at += timedelta(days=1)
        if isinstance(r, MoveRequest):
            agree(
                record,
                lambda r=r: check_move(record, r.actor, r.to, r.note),
                lambda r=r, at=at: apply_move(record, r.actor, r.to, at, r.note),
            )  # type: ignore[misc]
        else:
            agree(
                record,
                lambda r=r: check_note(record, r.author, r.text, r.link),
                lambda r=r, at=at: add_note(record, r.author, r.text, r.link, at),
            )  # type: ignore[misc]
    assert all(len(n.text) <= NOTE_MAX_CHARS for n in record.notes)
    assert all(m.note is None or len(m.note) <= NOTE_MAX_CHARS for m in record.moves)


# -- a school's release days: request_release, decide, cancel -----------------------------

TODAY = date(2026, 9, 1)
asks = st.builds(
    ReleaseAsk,
    requester=st.one_of(st.sampled_from([ANN, TIA, PRINCIPAL]), actors),
    days=any_days_number,
    on=st.one_of(any_day, st.integers(-3, 400).map(lambda d: TODAY + timedelta(days=d))),
    purpose=st.one_of(any_text, st.just("p" * 500), st.just("p" * 501)),
    partnership=st.one_of(st.none(), st.just(ANN_TIA), awkward_text),
)
request_ids = st.one_of(st.integers(1, 4).map(lambda n: f"{COHORT}/hazel/{n}"), awkward_text)
decisions = st.builds(
    Decision,
    request_id=request_ids,
    actor=st.one_of(st.just(PRINCIPAL), actors),
    approve=st.booleans(),
    reason=st.one_of(st.none(), any_text),
)
cancellations = st.builds(Cancellation, request_id=request_ids, actor=actors)


def on_ledger(book: ReleaseLedgerRecord, payload: ReleaseAsk | Decision | Cancellation, day: int) -> None:
    today = TODAY + timedelta(days=day)
    at = datetime.combine(today, datetime.min.time(), PACIFIC) + timedelta(hours=10)
    if isinstance(payload, ReleaseAsk):
        a = payload
        agree(
            book,
            lambda: check_request(book, a.requester, a.days, a.on, a.purpose, today, a.partnership),
            lambda: add_request(book, a.requester, a.days, a.on, a.purpose, a.partnership, at, today),
        )
    elif isinstance(payload, Decision):
        d = payload
        agree(
            book,
            lambda: check_decision(book, d.request_id, d.actor, d.reason),
            lambda: decide(book, d.request_id, d.actor, d.approve, at, d.reason),
        )
    else:
        c = payload
        agree(book, lambda: check_cancel(book, c.request_id, c.actor, today), lambda: cancel(book, c.request_id, c.actor, today))


@settings(PROPERTY, max_examples=400)
@given(payloads=st.lists(st.tuples(st.one_of(asks, decisions, cancellations), st.integers(0, 20)), min_size=1, max_size=10))
def test_release_requests_decisions_and_cancellations(payloads: list[tuple[Any, int]]) -> None:
    book = ledger(PROGRAM)
    for day, (payload, later) in enumerate(payloads):
        on_ledger(book, payload, day + later)
    for person in book.members:
        assert book.held(person) <= book.allowance(person), "two requests overspent the allowance"
    for request in book.requests:
        assert request.days > 0 and (request.days * 2).is_integer() and len(request.purpose) <= 500


@settings(PROPERTY, max_examples=300)
@given(text=st.one_of(any_text, request_ids, st.sampled_from(["a/b/c", "a/b/1", "//1", "a/b/1/2"])))
def test_what_a_door_reads_from_a_person(text: str) -> None:
    """Stage names and request ids typed at the command line or the web: a value or a sentence."""
    for parse in (Stage.parse, ledger_of):
        try:
            parse(text)
        except Refused as refused:
            readable(refused)


# -- a running cohort: start_partnership, add_participant, withdraw_participant -------------

cohort_actors = st.one_of(st.sampled_from([COORDINATOR, ANN, TIA, "bob@hazel.test"]), actors)
roster_emails = st.sampled_from([ANN, TIA, "bob@hazel.test", "ted@hazel.test", PRINCIPAL, COORDINATOR])
new_partnerships = st.builds(
    NewPartnership,
    actor=cohort_actors,
    coach=st.one_of(roster_emails, actors),
    partners=st.lists(st.one_of(roster_emails, actors), max_size=3),
    focus=any_text,
    school_goal=st.one_of(st.none(), any_text),
)
new_participants = st.builds(
    NewParticipant,
    actor=cohort_actors,
    name=any_text,
    email=st.one_of(email("hazel.test"), roster_emails, actors),
    role=st.sampled_from(list(Role)),
    school=st.one_of(st.just("hazel"), st.just("Hazel"), awkward_text),
)
withdrawals = st.builds(Withdrawal, actor=cohort_actors, email=st.one_of(roster_emails, actors))


@settings(PROPERTY, max_examples=400)
@given(payloads=st.lists(st.one_of(new_partnerships, new_participants, withdrawals), min_size=1, max_size=8))
def test_changes_to_a_running_cohort(payloads: list[NewPartnership | NewParticipant | Withdrawal]) -> None:
    roster = small_roster()
    roll = Roll(
        cohort="hazel-2026",
        coordinators=roster.coordinators,
        unlocks_after=PROGRAM.coaching_unlocks_after,
        people={p.email: p for p in roster.people},
        unlocked=[ANN],
        schools=[s.id for s in roster.schools],
        taken=[p.id for p in roster.partnerships],
    )
    for payload in payloads:
        try:
            if isinstance(payload, NewPartnership):
                found = check_new_partnership(roll, payload)
                assert found.partners and found.coach in roll.people and found.id not in roll.taken
                roll.taken.append(found.id)
            elif isinstance(payload, NewParticipant):
                person = check_new_participant(roll, payload)
                assert person.email not in roll.people
                roll.people[person.email] = person
            else:
                roll.withdrawn.append(check_withdrawal(roll, payload).email)
        except Refused as refused:
            readable(refused)
    assert len(roll.withdrawn) == len(set(roll.withdrawn))
