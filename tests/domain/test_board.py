"""The discussion board's rules: who reads, posts and moderates where; what a post may be; mentions; hidden posts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from domain import board
from domain.access import Member
from domain.board import POST_MAX_CHARS, REASON_MAX_CHARS, TAGS_MAX, TITLE_MAX_CHARS, Named, Post, Tag, Thread
from domain.problems import Refused
from domain.roster import Role
from tests.conftest import program_starting

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CLOSED = program_starting(datetime(2026, 4, 20).date())
OPEN_TO_TEACHERS = CLOSED.model_copy(update={"teachers_read_program_board": True})


def reach_of(role: Role, program: object = CLOSED, office: bool = False) -> board.Reach:
    member = Member(email="x@hazel.test", role=role, school="hazel", principal_of=["hazel"] if role == Role.principal else [])
    return board.reach([("hazel-2026", member, program)], office)  # type: ignore[list-item]


def test_coaches_read_and_post_in_their_cohort_and_program_wide_but_do_not_moderate() -> None:
    coach = reach_of(Role.coach)
    assert coach.may_read("hazel-2026") and coach.may_post("hazel-2026") and coach.may_read(None) and coach.may_post(None)
    assert not coach.may_moderate("hazel-2026") and not coach.may_moderate(None)
    assert not coach.may_read("other-cohort") and not coach.may_post("other-cohort")


def test_coordinators_moderate_their_cohort_and_program_wide() -> None:
    coordinator = reach_of(Role.coordinator)
    assert coordinator.may_moderate("hazel-2026") and coordinator.may_moderate(None)
    assert not coordinator.may_moderate("other-cohort")


def test_principals_have_no_access_whatever_the_program_says() -> None:
    for program in (CLOSED, OPEN_TO_TEACHERS):
        principal = reach_of(Role.principal, program)
        assert not principal.anywhere
        assert not principal.may_read(None) and not principal.may_post("hazel-2026")


def test_teachers_read_program_wide_threads_only_where_the_program_file_says_so_and_never_post() -> None:
    assert CLOSED.teachers_read_program_board is False  # the default
    closed = reach_of(Role.teacher)
    assert not closed.anywhere
    opened = reach_of(Role.teacher, OPEN_TO_TEACHERS)
    assert opened.may_read(None) and not opened.may_post(None) and not opened.may_moderate(None)
    assert not opened.may_read("hazel-2026")  # a cohort's threads are its coaches' and coordinators'


def test_the_program_office_reads_posts_and_moderates_program_wide() -> None:
    office = board.reach([], in_program_office=True)
    assert office.may_read(None) and office.may_post(None) and office.may_moderate(None)
    assert not office.may_read("hazel-2026")


def test_a_thread_is_kept_tidy_and_every_mistake_is_named() -> None:
    assert board.check_thread("  Co-planning \n in October ", " Any tips? ", ["roadblock", "roadblock"]) == (
        "Co-planning in October",
        "Any tips?",
        [Tag.roadblock],
    )
    refusals = [
        ("", "text", [], "a thread needs a title"),
        ("x" * (TITLE_MAX_CHARS + 1), "text", [], f"at most {TITLE_MAX_CHARS} characters"),
        ("Title", "text", ["gossip"], "'gossip' is not a tag: choose from roadblock, what's working"),
        ("Title", "text", [t.value for t in Tag], f"at most {TAGS_MAX} tags; 4 were chosen"),
        ("Title", "   ", [], "a post needs some text"),
        ("Title", "x" * (POST_MAX_CHARS + 1), [], f"a post is at most {POST_MAX_CHARS} characters"),
    ]
    for title, body, tags, said in refusals:
        with pytest.raises(Refused, match=said):
            board.check_thread(title, body, tags)


def thread(locked: bool = False) -> Thread:
    return Thread(
        id=1, cohort=None, title="T", tags=[], started_by="ann@hazel.test", started_at=AT, last_post_at=AT, posts=1,
        locked_by="cora@esd.test" if locked else None,
    )  # fmt: skip


def post(hidden: bool = False) -> Post:
    return Post(
        id=3, thread=1, author="ann@hazel.test", body="Try <b>this</b>", posted_at=AT,
        hidden_by="cora@esd.test" if hidden else None, hidden_reason="Names a student" if hidden else None,
    )  # fmt: skip


def test_a_locked_thread_takes_no_reply_and_moderation_is_not_done_twice() -> None:
    assert board.check_reply(thread(), " Thanks ") == "Thanks"
    with pytest.raises(Refused, match="locked by a coordinator: it takes no more replies"):
        board.check_reply(thread(locked=True), "Thanks")
    with pytest.raises(Refused, match="locked already"):
        board.check_lock(thread(locked=True))
    with pytest.raises(Refused, match="hidden already"):
        board.check_hide(post(hidden=True), "Again")
    with pytest.raises(Refused, match="say why the post is hidden"):
        board.check_hide(post(), "  ")
    with pytest.raises(Refused, match=f"a reason is at most {REASON_MAX_CHARS} characters"):
        board.check_hide(post(), "x" * (REASON_MAX_CHARS + 1))


def test_a_hidden_post_tells_its_author_why_and_everyone_else_only_that_it_was_hidden() -> None:
    assert board.as_read(post(), "bob@hazel.test").body == "Try <b>this</b>"  # kept as written: pages escape it
    mine = board.as_read(post(hidden=True), "ann@hazel.test")
    assert mine.body == "Try <b>this</b>" and mine.hidden == "A coordinator hid your post from the others: Names a student"
    theirs = board.as_read(post(hidden=True), "bob@hazel.test")
    assert theirs.body is None and theirs.hidden == "Hidden by a coordinator"


PEOPLE = [
    Named(email="ann@hazel.test", name="Ann Coach"),
    Named(email="ann.lee@fort.test", name="Ann Lee"),
    Named(email="cora@esd.test", name="Cora Ordinator"),
    Named(email="bob@hazel.test", name="Bob"),
]


def test_mentions_are_an_address_or_a_full_name_the_longest_that_is_someones() -> None:
    text = "Thanks @Ann Coach, and @cora@esd.test. Mail me at tia@hazel.test (@bob) @nobody @ANN LEE!"
    assert board.mentioned(text, PEOPLE) == ["ann@hazel.test", "cora@esd.test", "bob@hazel.test", "ann.lee@fort.test"]
    candidates = board.mention_candidates(text)
    assert {"ann coach", "cora@esd.test", "bob", "ann lee"} <= candidates
    assert "hazel.test" not in candidates and "tia@hazel.test" not in candidates  # an address is no mention


def test_a_name_two_people_share_asks_for_the_address() -> None:
    twins = [*PEOPLE, Named(email="ann2@fort.test", name="Ann Coach")]
    with pytest.raises(Refused, match=re.escape("@ann coach could be any of 2 people; mention the one you mean by their email address")):
        board.mentioned("@Ann Coach, help", twins)


def test_followers_hear_of_a_reply_except_its_author_and_those_it_mentions() -> None:
    followers = ["ann@hazel.test", "bob@hazel.test", "cora@esd.test", "bob@hazel.test"]
    assert board.told_of_reply(followers, ["cora@esd.test"], "ann@hazel.test") == ["bob@hazel.test"]


def test_only_a_lessons_path_becomes_a_link() -> None:
    found = board.pieces("See /lessons/12, https://x.test/lessons/13 or a/lessons/14 and /lessons/15x.")
    assert [(p.text, p.lesson) for p in found] == [
        ("See ", None),
        ("/lessons/12", 12),
        (", https://x.test/lessons/13 or a/lessons/14 and /lessons/15x.", None),
    ]
