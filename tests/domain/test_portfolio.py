"""A coach's portfolio: what of a partnership is the coach's to put in, what the coach may choose, whom they may share
it with, and who may read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import portfolio
from domain.cycle import Outcome, PartnershipRecord, Stage, add_note, apply_move
from domain.goals import record_outcome, set_goal
from domain.portfolio import (
    PLAN,
    READERS_MAX,
    SUMMARY_MAX_CHARS,
    ArtifactEntry,
    Offer,
    PlanEntry,
    Portfolio,
    artifact_key,
    assembled,
    check_chosen,
    check_reader,
    check_summary,
    cycle_key,
    cycles_of,
    may_keep,
    may_read,
)
from domain.problems import Refused
from domain.roster import Person, Role

AT = datetime(2027, 10, 4, 15, 0, tzinfo=UTC)
COACH, TEACHER, PRINCIPAL, COORDINATOR = "ann@hazel.test", "tia@hazel.test", "pat@hazel.test", "cora@esd.test"
CYCLE = (Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect)


def partnership() -> PartnershipRecord:
    return PartnershipRecord(
        cohort="c",
        id="ann--tia",
        school="hazel",
        coach=COACH,
        partners=[TEACHER],
        focus="Research projects",
        coordinators=[COORDINATOR],
        principal=PRINCIPAL,
        coaching_unlocked=True,
    )


def two_cycles() -> PartnershipRecord:
    """Cycle 1 closed with a goal met and notes from both; cycle 2 begun, with the teacher's note only."""
    record, at = partnership(), AT
    for stage in CYCLE:
        at += timedelta(days=1)
        apply_move(record, COACH, stage, at, note="coach-move-note" if stage == Stage.observe else None)
        if stage == Stage.initiate:
            set_goal(record, TEACHER, "Grade 4 research unit", "Students cite two sources", at)
            add_note(record, TEACHER, "teacher-words-1", None, at)
            add_note(record, COACH, "coach-words-1", "https://example.org/plan", at)
    record_outcome(record, COACH, Outcome.met, "Every essay cites two", at)
    apply_move(record, COACH, Stage.initiate, at + timedelta(days=1), note="coach-closing-reflection")
    add_note(record, TEACHER, "teacher-words-2", None, at + timedelta(days=2))
    add_note(record, COACH, "coach-words-2", None, at + timedelta(days=2))
    return record


def refusal(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        call(*args)
    return refused.value.reason


def test_a_cycle_carries_the_coachs_words_and_the_goal_recorded_together_never_a_teachers_note() -> None:
    first, second = cycles_of(two_cycles(), COACH)
    assert (first.key, first.complete, second.key, second.complete) == (cycle_key("ann--tia", 1), True, "cycle:ann--tia:2", False)
    assert first.goal is not None and (first.goal.goal, first.goal.outcome, first.goal.evidence) == (
        "Students cite two sources",
        Outcome.met,
        "Every essay cites two",
    )
    assert [r.text for r in first.reflections] == ["coach-words-1", "coach-move-note", "coach-closing-reflection"]
    assert first.reflections[0].link == "https://example.org/plan"
    assert [r.text for r in second.reflections] == ["coach-words-2"]
    assert second.goal is None and second.ended is None
    for cycle in (first, second):
        dumped = cycle.model_dump_json()
        assert "teacher-words" not in dumped and TEACHER not in dumped  # the teacher is counted, never named
        assert cycle.with_whom == "with a collaborating teacher"


def test_only_the_partnerships_coach_has_its_cycles_and_a_cycle_not_begun_is_not_offered() -> None:
    assert cycles_of(two_cycles(), TEACHER) == []
    assert cycles_of(partnership(), COACH) == []  # waiting: no cycle has begun


def test_the_artifacts_on_offer_are_the_ones_the_coach_added() -> None:
    def added_by(who: str, n: int) -> ArtifactEntry:
        return ArtifactEntry(
            key=artifact_key(f"a{n}"),
            id=f"a{n}",
            partnership="ann--tia",
            cycle=1,
            stage=Stage.initiate,
            kind="link",
            title=f"t{n}",
            added_by=who,
            added_at=AT,
        )

    assert [a.id for a in portfolio.artifacts_of_coach([added_by(COACH, 1), added_by(TEACHER, 2)], COACH)] == ["a1"]


def test_the_summary_has_a_limit_and_is_kept_without_a_browsers_line_ends() -> None:
    assert check_summary("  One.\r\n\r\nTwo.  ") == "One.\n\nTwo."
    assert check_summary("   ") is None
    assert check_summary("x" * SUMMARY_MAX_CHARS) == "x" * SUMMARY_MAX_CHARS
    assert refusal(check_summary, "x" * (SUMMARY_MAX_CHARS + 1)) == (
        f"the summary is at most {SUMMARY_MAX_CHARS} characters; this one has {SUMMARY_MAX_CHARS + 1}. Shorten it and save again"
    )


def test_only_what_is_on_offer_may_be_chosen_and_it_is_shown_in_the_offers_order() -> None:
    record = two_cycles()
    offer = Offer(
        plan=PlanEntry(school="Hazel", goals=["Literacy"], roles="r", communication="c", status="endorsed"),
        cycles=cycles_of(record, COACH),
    )
    check_chosen([PLAN, "cycle:ann--tia:1"], offer)
    assert "cycle:bob--ted:1, artifact:zz: not among your school's plan" in refusal(
        check_chosen, ["cycle:ann--tia:1", "cycle:bob--ted:1", "artifact:zz"], offer
    )
    assert "plan" in refusal(check_chosen, [PLAN], Offer(cycles=offer.cycles))  # a school without a plan offers none
    assert portfolio.chosen_in_order(["cycle:ann--tia:2", PLAN, "cycle:ann--tia:2"], offer) == [PLAN, "cycle:ann--tia:2"]

    shell = Portfolio(cohort="c", program="P", school_year="2027-2028", coach=COACH, coach_name="Ann")
    built = assembled(shell, offer, ["cycle:ann--tia:2", "artifact:removed-since"])
    assert built.plan is None and [c.cycle for c in built.cycles] == [2] and built.artifacts == []
    assert built.titles == {"ann--tia": "Research projects"} and not built.empty
    assert assembled(shell, offer, []).empty


def test_a_reader_is_someone_of_the_cohort_named_once() -> None:
    principal = Person(name="Pat", email=PRINCIPAL, role=Role.principal, school="hazel")
    assert check_reader(COACH, "  Pat@Hazel.test ", principal, []) == PRINCIPAL
    assert refusal(check_reader, COACH, "", None, []) == "say whose email address to share your portfolio with"
    assert refusal(check_reader, COACH, "not an address", None, []) == "'not an address' is not an email address; check it and try again"
    assert refusal(check_reader, COACH, COACH, None, []) == "you always see your own portfolio; name someone else to share it with"
    assert refusal(check_reader, COACH, "hr@elsewhere.test", None, []) == (
        "hr@elsewhere.test is not in this cohort; a portfolio is shared only with people of the program still in it"
    )
    assert refusal(check_reader, COACH, PRINCIPAL, principal, [PRINCIPAL]) == f"{PRINCIPAL} already reads your portfolio"
    full = [f"r{n}@hazel.test" for n in range(READERS_MAX)]
    assert "at most" in refusal(check_reader, COACH, PRINCIPAL, principal, full)


def test_the_coach_and_the_readers_they_named_may_read_it_nobody_else_whatever_their_role() -> None:
    assert may_read(COACH, [], COACH)
    assert may_read(COACH, [PRINCIPAL], PRINCIPAL)
    assert not may_read(COACH, [PRINCIPAL], COORDINATOR)
    assert not may_read(COACH, [], PRINCIPAL)
    assert may_keep(Role.coach) and not any(may_keep(r) for r in (Role.teacher, Role.principal, Role.coordinator))


def test_a_link_is_made_clickable_only_if_it_is_a_web_address() -> None:
    assert portfolio.web_address(" https://example.org/a ") == "https://example.org/a"
    assert portfolio.web_address("javascript:alert(1)") is None
    assert portfolio.web_address("https://") is None and portfolio.web_address(None) is None
