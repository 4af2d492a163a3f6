"""A cycle's goal, named at initiate, and its outcome, recorded at reflect: who may, when, and what others see of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.cycle import Outcome, PartnershipRecord, Stage, apply_move, building_view
from domain.goals import GOAL_MAX_CHARS, goal_of, record_outcome, set_goal
from domain.problems import Refused
from domain.processes.partnership import summary_of
from tests.conftest import program_starting

AT = datetime(2027, 10, 4, 15, 0, tzinfo=UTC)
COACH, TEACHER, PRINCIPAL = "ann@hazel.test", "tia@hazel.test", "pat@hazel.test"
WORDS = "marker-goal-words-4410"


def partnership(stage: Stage = Stage.initiate) -> PartnershipRecord:
    record = PartnershipRecord(
        cohort="c",
        id="ann--tia",
        school="hazel",
        coach=COACH,
        partners=[TEACHER],
        focus="Research projects",
        coordinators=["cora@esd.test"],
        principal=PRINCIPAL,
        coaching_unlocked=True,
    )
    path = [Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect]
    for s in path[: path.index(stage) + 1]:
        apply_move(record, COACH, s, AT)
    return record


def refusal(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        call(*args)
    return refused.value.reason


def test_the_coach_or_a_teacher_names_the_goal_at_initiate_and_may_sharpen_it_while_co_planning() -> None:
    record = partnership()
    set_goal(record, TEACHER, "Grade 4 research unit", "Students cite two sources", AT)
    apply_move(record, COACH, Stage.co_plan, AT)
    sharper = set_goal(record, COACH, "Grade 4 research unit", "Every student cites two primary sources", AT)
    assert record.goals == [sharper] and goal_of(record) == sharper and sharper.cycle == 1


def test_a_goal_is_refused_with_the_reason() -> None:
    assert refusal(set_goal, partnership(), PRINCIPAL, "Unit", "Goal", AT) == (
        "only the coach and the collaborating teachers of a partnership name its goal"
    )
    assert "the partnership is in model" in refusal(set_goal, partnership(Stage.modeling), COACH, "Unit", "Goal", AT)
    assert refusal(set_goal, partnership(), COACH, " ", "Goal", AT) == "say what the lesson or unit is"
    assert f"at most {GOAL_MAX_CHARS} characters" in refusal(set_goal, partnership(), COACH, "Unit", "x" * (GOAL_MAX_CHARS + 1), AT)


def test_the_outcome_is_recorded_at_reflect_against_the_cycles_goal() -> None:
    record = partnership()
    set_goal(record, COACH, "Unit", "Goal", AT)
    assert "recorded at reflect" in refusal(record_outcome, record, COACH, Outcome.met, None, AT)
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        apply_move(record, COACH, stage, AT)
    record_outcome(record, TEACHER, Outcome.partly_met, "Half the class", AT)
    recorded = record_outcome(record, COACH, Outcome.met, "  Every student's essay cites two sources ", AT)
    assert (recorded.outcome, recorded.evidence, recorded.outcome_by) == (Outcome.met, "Every student's essay cites two sources", COACH)
    assert (record.goals_named, record.goals_met) == (1, 1)

    apply_move(record, COACH, Stage.initiate, AT)  # a new cycle: no goal yet
    assert goal_of(record) is None and record.cycle == 2
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        apply_move(record, COACH, stage, AT)
    assert refusal(record_outcome, record, COACH, Outcome.met, None, AT) == (
        "cycle 2 named no goal, so there is no outcome to record against one"
    )


def test_others_see_how_many_goals_were_named_and_met_never_their_words() -> None:
    record = partnership()
    set_goal(record, COACH, WORDS, WORDS, AT)
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        apply_move(record, COACH, stage, AT)
    record_outcome(record, COACH, Outcome.met, WORDS, AT)
    summary, view = summary_of(record, AT, program_starting(AT.date())), building_view(record)
    assert (summary.goals_named, summary.goals_met) == (1, 1) == (view.goals_named, view.goals_met)
    assert WORDS not in summary.model_dump_json() and WORDS not in view.model_dump_json()
