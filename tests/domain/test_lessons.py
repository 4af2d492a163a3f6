"""The lesson library's rules: who publishes from which cycle, what a lesson must say, who agrees and who features,
what the library's readers see, and what a search looks for; every refusal says what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import access
from domain import lessons as rules
from domain.access import Member
from domain.cohort import PartnershipSummary
from domain.cycle import CycleGoal, Outcome
from domain.lessons import Agreement, Facet, Lesson, LessonStatus
from domain.problems import Refused
from domain.roster import Role

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
ANN, TIA, TOM, BOB = "ann@hazel.test", "tia@hazel.test", "tom@hazel.test", "bob@hazel.test"
TWO_DONE = PartnershipSummary(id="ann--tia", coach=ANN, partners=[TIA, TOM], school="hazel", cycles_completed=2)


def _text(**changed: object) -> rules.LessonText:
    asked: dict[str, object] = {
        "title": "  Research   with databases ",
        "grades": ["5", "4", "4"],
        "subjects": ["Science"],
        "technology": [],
        "standards": "",
        "summary": "Students compare\r\ntwo sources.",
        "links": "",
    }
    return rules.checked_text(**(asked | changed))  # type: ignore[arg-type]


def _lesson(status: LessonStatus = LessonStatus.draft, agreed: tuple[str, ...] = ()) -> Lesson:
    return Lesson(
        id=7,
        cohort="c",
        partnership="ann--tia",
        cycle=1,
        coach=ANN,
        coach_name="Ann Coach",
        school_name="Hazel",
        program="Peer Coaching",
        school_year="2026-2027",
        status=status,
        text=_text(),
        agreements=[Agreement(teacher=t, agreed_at=AT if t in agreed else None) for t in (TIA, TOM)],
        created_at=AT,
    )


def test_the_coach_publishes_once_from_each_completed_cycle() -> None:
    assert rules.publishable_cycles(TWO_DONE, [1]) == [2]
    rules.check_publish(TWO_DONE, ANN, 2, [1])
    for person, cycle, published, reason in (
        (TIA, 2, [], "only the partnership's coach publishes a lesson"),
        (BOB, 2, [], "only the partnership's coach publishes a lesson"),
        (ANN, 1, [1], "cycle 1 has a lesson already"),
        (ANN, 3, [], r"cycle 3 is not a completed cycle of this partnership \(2 completed\)"),
        (ANN, 0, [], "cycle 0 is not a completed cycle"),
    ):
        with pytest.raises(Refused, match=reason):
            rules.check_publish(TWO_DONE, person, cycle, published)
    assert rules.is_theirs(TWO_DONE, TOM) and not rules.is_theirs(TWO_DONE, BOB)
    with pytest.raises(Refused, match="seen by its coach and collaborating teachers"):
        rules.check_theirs(TWO_DONE, BOB)


def test_the_form_starts_from_the_cycles_goal_and_outcome_never_its_evidence() -> None:
    goal = CycleGoal(cycle=1, lesson="Grade 4 research unit", goal="Cite two sources", set_by=TIA, set_at=AT)
    assert rules.prefilled(goal) == {"title": "Grade 4 research unit", "summary": "Goal: Cite two sources"}
    goal.outcome, goal.evidence = Outcome.partly_met, "private-evidence"
    assert rules.prefilled(goal)["summary"] == "Goal: Cite two sources\nOutcome: the goal was partly met"
    assert rules.prefilled(None) == {"title": "", "summary": ""}


def test_a_lesson_says_what_it_is_in_the_librarys_words() -> None:
    text = _text(links="Slide deck https://example.org/slides\n\nhttps://example.org/plain\n", technology=["Chromebooks"])
    assert (text.title, text.grades, text.summary) == ("Research with databases", ["4", "5"], "Students compare\ntwo sources.")
    assert [(link.title, link.link) for link in text.links] == [
        ("Slide deck", "https://example.org/slides"),
        ("https://example.org/plain", "https://example.org/plain"),
    ]
    for changed, reason in (
        ({"title": " "}, "write the lesson's title"),
        ({"title": "x" * (rules.TITLE_MAX_CHARS + 1)}, f"title is at most {rules.TITLE_MAX_CHARS} characters"),
        ({"summary": ""}, "write the lesson's summary"),
        ({"summary": "x" * (rules.SUMMARY_MAX_CHARS + 1)}, f"summary is at most {rules.SUMMARY_MAX_CHARS} characters"),
        ({"standards": "x" * (rules.STANDARDS_MAX_CHARS + 1)}, f"standards is at most {rules.STANDARDS_MAX_CHARS}"),
        ({"grades": []}, "choose at least one grade level"),
        ({"grades": ["13"]}, "'13' is not a grade level of the library; choose from: K, 1"),
        ({"subjects": []}, "choose at least one subject"),
        ({"technology": ["Fax machine"]}, "'Fax machine' is not a technology of the library"),
        ({"links": "javascript:alert(1)"}, "a link must be a web address starting with http"),
        ({"links": "\n".join(f"https://example.org/{n}" for n in range(rules.LINKS_MAX + 1))}, f"at most {rules.LINKS_MAX} links"),
    ):
        with pytest.raises(Refused, match=reason):
            _text(**changed)
    assert rules.check_attachments(["a", "b", "a"], ["a", "b"]) == ["a", "b"]
    with pytest.raises(Refused, match="zz is not one of this partnership's artifacts"):
        rules.check_attachments(["a", "zz"], ["a"])
    many = [str(n) for n in range(rules.ATTACHMENTS_MAX + 1)]
    with pytest.raises(Refused, match=f"at most {rules.ATTACHMENTS_MAX} artifacts"):
        rules.check_attachments(many, many)


def test_every_teacher_agrees_before_it_is_published_and_only_a_published_lesson_is_featured() -> None:
    draft = _lesson()
    assert draft.waiting_for == [TIA, TOM] and draft.with_whom == "with 2 collaborating teachers"
    rules.check_agree(draft, TIA)
    for lesson, person, reason in (
        (draft, ANN, "only the partnership's collaborating teachers agree"),
        (draft, BOB, "only the partnership's collaborating teachers agree"),
        (_lesson(agreed=(TIA,)), TIA, "you agreed already"),
        (_lesson(LessonStatus.published, (TIA, TOM)), TOM, "is published already"),
    ):
        with pytest.raises(Refused, match=reason):
            rules.check_agree(lesson, person)
    with pytest.raises(Refused, match="only a published lesson is featured"):
        rules.check_feature(draft)
    rules.check_feature(_lesson(LessonStatus.published, (TIA, TOM)))


def test_the_library_is_the_whole_programs_and_a_draft_its_partnerships() -> None:
    coach, coordinator = Member(email=BOB, role=Role.coach), Member(email="cora@esd.test", role=Role.coordinator)
    assert access.may_read_library([coach], False) and access.may_read_library([], True)
    assert not access.may_read_library([], False)
    assert access.may_feature_lessons([coordinator], False) and access.may_feature_lessons([], True)
    assert not access.may_feature_lessons([coach], False)
    assert access.may_see_lesson(True, BOB, ANN, [TIA])
    assert access.may_see_lesson(False, TIA, ANN, [TIA]) and access.may_see_lesson(False, ANN, ANN, [TIA])
    assert not access.may_see_lesson(False, BOB, ANN, [TIA])


def test_a_search_looks_for_the_words_typed_and_nothing_typed_is_syntax() -> None:
    assert rules.search_words('"Volcanoes" OR NEAR(grade-4 AND the ^x*') == ["volcanoes", "near", "grade", "4", "x"]
    assert rules.search_words("the and of") == [] and rules.search_words(None) == []
    assert len(rules.search_words(" ".join(f"w{n}" for n in range(30)))) == rules.SEARCH_WORDS_MAX
    with pytest.raises(Refused, match=f"a search is at most {rules.SEARCH_MAX_CHARS} characters"):
        rules.search_words("x" * (rules.SEARCH_MAX_CHARS + 1))
    assert rules.checked_filter(Facet.grade, "K") == "K" and rules.checked_filter(Facet.subject, "") is None
    with pytest.raises(Refused, match="'Potions' is not a subject of the library"):
        rules.checked_filter(Facet.subject, "Potions")
