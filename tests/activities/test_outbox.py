"""The outbox ledger in the program's database (SQLite and PostgreSQL): what was claimed, what was sent, reading it back,
and several workers sharing it."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from domain import notices
from peercoach import cli
from store.database import Database
from store.outbox import Outbox
from tests.activities.records import program
from tests.roster_fixtures import ANN, BOB, COORDINATOR

MONDAY = datetime(2026, 4, 13, 15, 0, tzinfo=UTC)


@pytest.fixture
def outbox(database: Database) -> Outbox:
    return Outbox(database)


def put(outbox: Outbox, key: str, recipient: str, kind: str, at: datetime, sent: bool = True) -> None:
    assert outbox.claim(key, recipient, kind, f"{kind} subject", f"{kind} body", None, at)
    if sent:
        outbox.mark_sent(key, recipient, "outbox")


def listed(outbox: Outbox, **filters: str | int | None) -> list[tuple[str, str]]:
    return [(e.key, e.recipient) for e in outbox.entries(**filters)]  # type: ignore[arg-type]


def test_a_new_outbox_is_empty(outbox: Outbox) -> None:
    assert outbox.entries() == []


def test_claim_records_a_pending_row_and_mark_sent_completes_it(outbox: Outbox) -> None:
    assert outbox.claim("unlocked:c:ann", ANN, "coaching_unlocked", "You can start coaching", "Hi Ann", None, MONDAY)
    [pending] = outbox.entries()
    assert (pending.status, pending.via, pending.attempts, pending.sent_at, pending.created_at) == ("pending", None, 1, None, MONDAY)

    outbox.mark_sent("unlocked:c:ann", ANN, "smtp")
    [sent] = outbox.entries()
    assert (sent.status, sent.via, sent.attempts) == ("sent", "smtp", 1)
    assert sent.sent_at is not None


def test_a_pending_row_may_be_claimed_again_a_sent_one_not(outbox: Outbox) -> None:
    args = ("k", ANN, "make_up", "s", "b", None)
    assert outbox.claim(*args, MONDAY)
    assert outbox.claim(*args, MONDAY + timedelta(minutes=1))  # a retry after a failed send
    outbox.mark_sent("k", ANN, "smtp")
    assert not outbox.claim(*args, MONDAY + timedelta(minutes=2))

    [row] = outbox.entries()
    assert (row.attempts, row.created_at) == (2, MONDAY)  # the first ask is kept


def test_a_second_outbox_on_the_same_database_sees_the_same_ledger(outbox: Outbox, database: Database) -> None:
    put(outbox, "k", ANN, "make_up", MONDAY)

    again = Outbox(database)  # another worker's

    assert listed(again) == [("k", ANN)]
    assert not again.claim("k", ANN, "make_up", "s", "b", None, MONDAY)


def test_the_recipient_is_kept_in_lower_case_so_two_spellings_are_one_notice(outbox: Outbox) -> None:
    put(outbox, "k", ANN.upper(), "make_up", MONDAY)

    assert not outbox.claim("k", ANN, "make_up", "s", "b", None, MONDAY)
    assert listed(outbox) == [("k", ANN)]


def test_workers_sharing_the_database_never_claim_a_notice_once_it_is_sent(database: Database) -> None:
    """Eight workers, each with its own Outbox, send the same notices at once: whichever claims one sends it, and
    no claim that begins after a worker marked it sent succeeds (claims racing before that may: see the module)."""
    workers = [Outbox(database) for _ in range(8)]
    keys = [f"moved:c:ann--tia:{n}" for n in range(10)]
    claims: list[tuple[str, float]] = []  # each claim that said "send", and when it began
    marked: dict[str, float] = {}  # when a worker first had a notice marked sent
    lock, start = threading.Lock(), threading.Barrier(len(workers))

    def work(outbox: Outbox) -> None:
        start.wait()
        for key in keys:
            began = time.monotonic()
            if outbox.claim(key, ANN, "stage_moved", "s", "b", None, MONDAY):
                outbox.mark_sent(key, ANN, "smtp")
                with lock:
                    claims.append((key, began))
                    marked[key] = min(marked.get(key, math.inf), time.monotonic())

    with ThreadPoolExecutor(len(workers)) as pool:
        list(pool.map(work, workers))

    assert marked.keys() == set(keys)
    assert [(key, began) for key, began in claims if began > marked[key]] == []
    assert not any(outbox.claim(key, ANN, "stage_moved", "s", "b", None, MONDAY) for outbox in workers for key in keys)
    rows = workers[0].entries()
    assert {row.status for row in rows} == {"sent"}
    assert {row.key: row.attempts for row in rows} == Counter(key for key, _ in claims)


def test_claims_racing_for_one_notice_count_every_attempt(database: Database) -> None:
    """Concurrent claims of a pending notice (a retry overlapping an attempt that timed out) each count."""
    workers = [Outbox(database) for _ in range(8)]
    start = threading.Barrier(len(workers))

    def claim(outbox: Outbox) -> bool:
        start.wait()
        return outbox.claim("k", ANN, "make_up", "s", "b", None, MONDAY)

    with ThreadPoolExecutor(len(workers)) as pool:
        claimed = list(pool.map(claim, workers))

    assert claimed == [True] * len(workers)
    [row] = workers[0].entries()
    assert (row.status, row.attempts, row.created_at) == ("pending", len(workers), MONDAY)


def test_the_longest_business_key_the_program_makes_fits(outbox: Outbox) -> None:
    cohort, coach = "c" * 60, f"{'a' * 64}@{'d' * 185}.org"  # the longest cohort name and email address
    key = notices.attendance_due(cohort, [COORDINATOR], coach, program(), 8).key

    put(outbox, key, COORDINATOR, "attendance_due", MONDAY)

    assert listed(outbox) == [(key, COORDINATOR)]


@pytest.fixture
def filled(outbox: Outbox) -> Outbox:
    """Claimed out of time order, some still pending."""
    put(outbox, "reminder:c:bob:session-1:7d", BOB, "session_reminder", MONDAY + timedelta(days=2))
    put(outbox, "reminder:c:ann:session-1:7d", ANN, "session_reminder", MONDAY + timedelta(days=2))
    put(outbox, "make-up:c:ann:session-1", ANN, "make_up", MONDAY + timedelta(days=9))
    put(outbox, "make-up:c:ann:session-1", COORDINATOR, "make_up", MONDAY + timedelta(days=9), sent=False)
    put(outbox, "launched:c", COORDINATOR, "cohort_launched", MONDAY)
    put(outbox, "unlocked:c:ann", ANN, "coaching_unlocked", MONDAY + timedelta(days=30, microseconds=1))
    put(outbox, "attendance-due:c:bob:session-1", COORDINATOR, "attendance_due", MONDAY + timedelta(days=30))
    return outbox


def test_entries_come_in_the_order_they_were_asked_for_then_by_key_and_recipient(filled: Outbox) -> None:
    assert listed(filled) == [
        ("launched:c", COORDINATOR),
        ("reminder:c:ann:session-1:7d", ANN),
        ("reminder:c:bob:session-1:7d", BOB),
        ("make-up:c:ann:session-1", ANN),
        ("make-up:c:ann:session-1", COORDINATOR),
        ("attendance-due:c:bob:session-1", COORDINATOR),
        ("unlocked:c:ann", ANN),
    ]
    created = [e.created_at for e in filled.entries()]
    assert created == sorted(created)


def test_entries_for_one_recipient(filled: Outbox) -> None:
    assert listed(filled, recipient=ANN) == [
        ("reminder:c:ann:session-1:7d", ANN),
        ("make-up:c:ann:session-1", ANN),
        ("unlocked:c:ann", ANN),
    ]
    assert listed(filled, recipient="nobody@hazel.test") == []


def test_the_recipient_filter_ignores_case(filled: Outbox) -> None:
    assert listed(filled, recipient=ANN.upper()) == listed(filled, recipient=ANN)


def test_entries_of_one_kind(filled: Outbox) -> None:
    assert listed(filled, kind="make_up") == [("make-up:c:ann:session-1", ANN), ("make-up:c:ann:session-1", COORDINATOR)]
    assert listed(filled, kind="sign_in") == []


def test_entries_for_one_recipient_and_kind(filled: Outbox) -> None:
    assert listed(filled, recipient=COORDINATOR, kind="make_up") == [("make-up:c:ann:session-1", COORDINATOR)]
    assert [e.status for e in filled.entries(recipient=COORDINATOR, kind="make_up")] == ["pending"]
    assert listed(filled, recipient=BOB, kind="make_up") == []


def test_limit_keeps_the_earliest(filled: Outbox) -> None:
    assert listed(filled, limit=2) == listed(filled)[:2]
    assert listed(filled, recipient=ANN, limit=1) == [("reminder:c:ann:session-1:7d", ANN)]


def test_offset_pages_through_them(filled: Outbox) -> None:
    everything = listed(filled)
    pages = [listed(filled, limit=3, offset=start) for start in range(0, len(everything), 3)]

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [entry for page in pages for entry in page] == everything
    assert listed(filled, offset=6) == everything[6:]
    assert listed(filled, recipient=ANN, offset=1, limit=1) == [("make-up:c:ann:session-1", ANN)]


def test_entries_carry_everything_claimed(outbox: Outbox) -> None:
    outbox.claim("reminder:c:ann:session-2:1d", ANN, "session_reminder", "Reminder", "Hi Ann", "BEGIN:VCALENDAR", MONDAY, "<id@esd.test>")

    [entry] = outbox.entries(kind="session_reminder")

    assert entry.model_dump(exclude={"sent_at"}) == {
        "key": "reminder:c:ann:session-2:1d",
        "recipient": ANN,
        "kind": "session_reminder",
        "subject": "Reminder",
        "body": "Hi Ann",
        "invite": "BEGIN:VCALENDAR",
        "status": "pending",
        "via": None,
        "attempts": 1,
        "created_at": MONDAY,
        "message_id": "<id@esd.test>",
        "reply": None,
        "digest": None,
    }
    assert outbox.find("reminder:c:ann:session-2:1d") == [entry]
    assert outbox.find("reminder:c:ann:session-3:1d") == []


def test_an_undeliverable_message_keeps_the_servers_reply_and_is_not_claimed_again(outbox: Outbox) -> None:
    args = ("k", ANN, "make_up", "s", "b", None, MONDAY)
    assert outbox.claim(*args)
    outbox.mark_undeliverable("k", ANN, "550 5.1.1 mailbox unavailable")

    assert not outbox.claim(*args)
    [row] = outbox.entries()
    assert (row.status, row.reply, row.attempts, row.sent_at) == ("undeliverable", "550 5.1.1 mailbox unavailable", 1, None)


def test_the_outbox_command_shows_a_whole_message_and_lists_bodies(outbox: Outbox, database: Database) -> None:
    link = notices.sign_in_link(ANN, "https://peercoach.example.org/sign-in/abc.def", 15, "abc")
    assert outbox.claim(link.key, ANN, "sign_in", "Your sign-in link", f"Use this link:\n{link.context['link']}\n", None, MONDAY, "<id@x>")
    outbox.mark_sent(link.key, ANN, "smtp")
    put(outbox, "unlocked:c:bob", BOB, "coaching_unlocked", MONDAY + timedelta(minutes=1))
    env = {"PEERCOACH_DATABASE_URL": database.url}

    shown = CliRunner().invoke(cli.app, ["outbox", "--show", link.key], env=env)
    listed_with_bodies = CliRunner().invoke(cli.app, ["outbox", "--body"], env=env)
    unknown = CliRunner().invoke(cli.app, ["outbox", "--show", "sign-in:nope"], env=env)

    assert shown.exit_code == 0, shown.output
    for line in (f"To: {ANN}", "Subject: Your sign-in link", "Message-ID: <id@x>", "Status: sent via smtp, 1 attempt"):
        assert line in shown.output
    assert "https://peercoach.example.org/sign-in/abc.def" in shown.output
    assert "coaching_unlocked body" not in shown.output
    assert "https://peercoach.example.org/sign-in/abc.def" in listed_with_bodies.output
    assert "coaching_unlocked body" in listed_with_bodies.output
    assert unknown.exit_code != 0 and "no message has the key 'sign-in:nope'" in str(unknown.exception)
