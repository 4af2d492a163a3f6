"""Sessions and used sign-in links, on both backends: ending a session is immediate, a link works once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from store import tables
from store.database import Database
from store.sessions import SESSION_HOURS, end_session, end_sessions_of, link_used, signed_in_as, start_session, use_link

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_session_reads_back_until_it_is_ended(database: Database) -> None:
    start_session(database, "sid-ann", "ann@hazel.test", NOW)
    assert signed_in_as(database, "sid-ann", NOW + timedelta(hours=1)) == "ann@hazel.test"
    end_session(database, "sid-ann", NOW + timedelta(hours=2))
    assert signed_in_as(database, "sid-ann", NOW + timedelta(hours=2)) is None
    assert signed_in_as(database, "sid-never-started", NOW) is None


def test_a_session_expires_after_its_hours(database: Database) -> None:
    start_session(database, "sid-ann", "ann@hazel.test", NOW)
    last_moment = NOW + timedelta(hours=SESSION_HOURS) - timedelta(seconds=1)
    assert signed_in_as(database, "sid-ann", last_moment) == "ann@hazel.test"
    assert signed_in_as(database, "sid-ann", NOW + timedelta(hours=SESSION_HOURS)) is None


def test_the_table_keeps_no_session_id(database: Database) -> None:
    start_session(database, "sid-ann", "ann@hazel.test", NOW)
    with database.begin() as db:
        (row,) = db.execute(select(tables.web_sessions)).all()
    assert "sid-ann" not in row.sid_hash and len(row.sid_hash) == 64


def test_ending_a_persons_sessions_ends_every_one_and_no_one_elses(database: Database) -> None:
    for sid in ("laptop", "phone", "copied"):
        start_session(database, sid, "ann@hazel.test", NOW)
    start_session(database, "bob's", "bob@hazel.test", NOW)
    end_session(database, "copied", NOW)

    assert end_sessions_of(database, "ann@hazel.test", NOW + timedelta(minutes=5)) == 2  # the ended one is not counted again
    assert [signed_in_as(database, sid, NOW + timedelta(minutes=6)) for sid in ("laptop", "phone", "copied")] == [None, None, None]
    assert signed_in_as(database, "bob's", NOW + timedelta(minutes=6)) == "bob@hazel.test"


def test_a_sign_in_link_is_used_once_only(database: Database) -> None:
    assert not link_used(database, "link-1")
    assert use_link(database, "link-1", "ann@hazel.test", NOW)
    assert link_used(database, "link-1")
    assert not use_link(database, "link-1", "ann@hazel.test", NOW + timedelta(seconds=1))


def test_two_requests_racing_to_use_one_link_let_one_through(database: Database) -> None:
    for attempt in range(5):
        assert sorted(_race_to_use(database, f"link-{attempt}")) == [False, True], f"attempt {attempt}"


def _race_to_use(database: Database, link: str) -> list[bool]:
    """Two threads, each on its own connection, use the same link at the same moment."""
    start = threading.Barrier(2)
    outcomes: list[bool] = []

    def use() -> None:
        start.wait()
        outcomes.append(use_link(database, link, "ann@hazel.test", NOW))

    racers = [threading.Thread(target=use) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    return outcomes
