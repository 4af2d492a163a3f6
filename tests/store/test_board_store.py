"""The discussion board's threads, posts and follows, on SQLite and PostgreSQL: a thread's life from its opening post to
its lock, who is told of a reply, and whom a post's @ can find."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.board import Tag
from domain.problems import Refused
from domain.roster import parse_roster_csv
from store import board, rosters
from store.database import Database
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, BOB, COORDINATOR, HEADER, TIA, small_roster

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_thread_is_started_replied_to_followed_hidden_and_locked(database: Database) -> None:
    opening = board.start_thread(database, "c", "Co-planning in <October>", [Tag.roadblock], ANN, "Any <b>tips</b>?", AT)
    thread = board.thread(database, opening.thread)
    assert thread is not None and thread.cohort == "c" and thread.tags == [Tag.roadblock] and thread.posts == 1
    assert board.follows(database, thread.id, ANN)  # starting follows

    board.follow(database, thread.id, COORDINATOR, AT)
    board.follow(database, thread.id, COORDINATOR, AT)  # twice is once
    first, told = board.reply(database, thread, BOB, "  Try the Big 6  ", AT + timedelta(minutes=1))
    assert first.body == "Try the Big 6" and told == [ANN, COORDINATOR]  # those who followed before the reply
    assert board.follows(database, thread.id, BOB)  # replying follows
    board.unfollow(database, thread.id, ANN)
    _, told = board.reply(database, thread, COORDINATOR, "Thanks both", AT + timedelta(minutes=2))
    assert told == [COORDINATOR, BOB]

    board.hide(database, first, COORDINATOR, "  Names a   student ", AT + timedelta(minutes=3))
    hidden = board.post(database, first.id)
    assert hidden is not None and (hidden.hidden_by, hidden.hidden_reason, hidden.body) == (COORDINATOR, "Names a student", "Try the Big 6")
    with pytest.raises(Refused, match="hidden already"):
        board.hide(database, first, COORDINATOR, "Again", AT)  # the row says so, though the post in hand does not

    board.lock(database, thread, COORDINATOR, AT + timedelta(minutes=4))
    with pytest.raises(Refused, match="locked by a coordinator"):
        board.reply(database, thread, ANN, "One more", AT + timedelta(minutes=5))  # a reply racing the lock is refused
    with pytest.raises(Refused, match="locked already"):
        board.lock(database, thread, COORDINATOR, AT)
    after = board.thread(database, thread.id)
    assert after is not None and after.locked_by == COORDINATOR and after.posts == 3
    assert [p.body for p in board.posts(database, thread.id)] == ["Any <b>tips</b>?", "Try the Big 6", "Thanks both"]  # kept as written


def test_threads_are_listed_by_place_and_tag_the_liveliest_first(database: Database) -> None:
    quiet = board.start_thread(database, "c", "Quiet", [Tag.whats_working], ANN, "x", AT)
    wide = board.start_thread(database, None, "Program-wide", [Tag.roadblock, Tag.question], ANN, "x", AT + timedelta(minutes=1))
    board.start_thread(database, "d", "Another cohort's", [Tag.roadblock], BOB, "x", AT + timedelta(minutes=2))
    lively = board.thread(database, quiet.thread)
    assert lively is not None
    board.reply(database, lively, BOB, "y", AT + timedelta(minutes=3))

    both = board.threads(database, ["c"], program_wide=True)
    assert [t.title for t in both.rows] == ["Quiet", "Program-wide"] and both.total == 2
    assert [t.title for t in board.threads(database, ["c"], program_wide=False).rows] == ["Quiet"]
    assert [t.title for t in board.threads(database, [], program_wide=True).rows] == ["Program-wide"]
    roadblocks = board.threads(database, ["c", "d"], program_wide=True, tag=Tag.roadblock)
    assert [t.title for t in roadblocks.rows] == ["Another cohort's", "Program-wide"]
    assert board.threads(database, ["c"], program_wide=True, limit=1, offset=1).rows[0].id == wide.thread


def test_a_posts_at_finds_people_of_the_threads_cohort_or_of_every_running_cohort(database: Database) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    other = parse_roster_csv(HEADER + "Oz Other,oz@other.test,coordinator,,ESD,,,,,\n", "other.csv")
    rosters.record_launch(database, "d", program_starting(AT.date()), other, "oz@other.test", AT)
    asked = {"ann coach", "oz other", TIA, "nobody"}
    assert sorted(n.email for n in board.people_named(database, "c", asked)) == [ANN, TIA]
    assert sorted(n.email for n in board.people_named(database, None, asked)) == [ANN, "oz@other.test", TIA]
    assert board.people_named(database, None, set()) == []
    assert board.names(database, [ANN, "oz@other.test"]) == {ANN: "Ann Coach", "oz@other.test": "Oz Other"}
