"""Goals and outcomes in the coaching cycle: what each cycle set out to improve, and whether it did.

At initiate the coach and the collaborating teachers name the lesson or unit to improve and
a goal for it (they may sharpen it while they co-plan). At reflect they record the outcome
against the goal (met, partly met, not met) and what shows it. The words stay private to the
partnership, like notes: the read model, the pages of principals and coordinators and the
year-end report carry only how many cycles named a goal and how many met it.
"""

from __future__ import annotations

from datetime import datetime

from domain.cycle import CycleGoal, Outcome, PartnershipRecord, Stage
from domain.problems import Refused

GOAL_MAX_CHARS = 500
NAMED_IN = (Stage.initiate, Stage.co_plan)  # a goal is named at initiate, and may be sharpened while co-planning


def goal_of(record: PartnershipRecord) -> CycleGoal | None:
    """The goal of the cycle the partnership is in, if it named one."""
    return next((g for g in record.goals if g.cycle == record.cycle), None)


def _one_of_them(record: PartnershipRecord, actor: str, what: str) -> None:
    if actor != record.coach and actor not in record.partners:
        raise Refused(f"only the coach and the collaborating teachers of a partnership {what}")


def _text(name: str, text: str) -> None:
    if not text.strip():
        raise Refused(f"say what the {name} is")
    if len(text) > GOAL_MAX_CHARS:
        raise Refused(f"the {name} is at most {GOAL_MAX_CHARS} characters; this one has {len(text)}")


def check_goal(record: PartnershipRecord, actor: str, lesson: str, goal: str) -> None:
    _one_of_them(record, actor, "name its goal")
    if record.stage not in NAMED_IN:
        raise Refused(f"a cycle's goal is named at initiate or while co-planning; the partnership is in {record.stage.label}")
    _text("lesson or unit", lesson)
    _text("goal", goal)


def set_goal(record: PartnershipRecord, actor: str, lesson: str, goal: str, at: datetime) -> CycleGoal:
    """Name (or sharpen) the cycle's goal, in place."""
    check_goal(record, actor, lesson, goal)
    named = CycleGoal(cycle=record.cycle, lesson=lesson.strip(), goal=goal.strip(), set_by=actor, set_at=at)
    record.goals = [g for g in record.goals if g.cycle != record.cycle] + [named]
    return named


def check_outcome(record: PartnershipRecord, actor: str, outcome: Outcome, evidence: str | None) -> None:
    _one_of_them(record, actor, "record how its goal went")
    if record.stage != Stage.reflect:
        raise Refused(f"a cycle's outcome is recorded at reflect; the partnership is in {record.stage.label}")
    if goal_of(record) is None:
        raise Refused(f"cycle {record.cycle} named no goal, so there is no outcome to record against one")
    if evidence is not None and len(evidence) > GOAL_MAX_CHARS:
        raise Refused(f"the evidence is at most {GOAL_MAX_CHARS} characters; this has {len(evidence)}")


def record_outcome(record: PartnershipRecord, actor: str, outcome: Outcome, evidence: str | None, at: datetime) -> CycleGoal:
    """Record how the cycle's goal went (again, if they change their minds while reflecting), in place."""
    check_outcome(record, actor, outcome, evidence)
    goal = goal_of(record)
    assert goal is not None
    goal.outcome, goal.evidence, goal.outcome_by, goal.outcome_at = outcome, (evidence or "").strip() or None, actor, at
    return goal
