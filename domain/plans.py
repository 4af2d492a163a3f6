"""A school's coaching plan: the improvement goals its coaching serves, who the coaches work with, their roles,
and how the staff will hear of it.

The school's coaches write it with the principal, and the principal endorses it as part of the
building's professional development plan. A change to an endorsed plan needs endorsing again.
Partnerships link to a plan goal by naming it as their school goal; the coordinator sees which
schools have an endorsed plan and which goals have partnerships working on them. A plan is the
school's, not a partnership's: the principal and coordinators read it whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.problems import Refused

PLAN_GOALS_MAX = 8
PLAN_GOAL_MAX_CHARS = 300
PLAN_TEXT_MAX_CHARS = 3000


class PlanStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"  # the coaches asked the principal to endorse it
    endorsed = "endorsed"


class PlanGoal(BaseModel):
    key: str  # g1, g2, ...: the goal's place when it was first written, kept while its words change
    text: str


class PlanDraft(BaseModel):
    """The plan as a writer sends it."""

    actor: str
    goals: list[str]
    assignments: str  # who the coaches work with: the partnership assignments
    roles: str  # the coaches' roles and responsibilities
    communication: str  # how they will tell the staff
    submit: bool = False  # ask the principal to endorse it now


class SchoolPlan(BaseModel):
    goals: list[PlanGoal]
    assignments: str
    roles: str
    communication: str
    status: PlanStatus = PlanStatus.draft
    version: int = 1
    written_by: str
    written_at: datetime
    endorsed_by: str | None = None
    endorsed_at: datetime | None = None

    @property
    def endorsed(self) -> bool:
        return self.status == PlanStatus.endorsed


SECTIONS = {
    "assignments": "who the coaches work with",
    "roles": "the coaches' roles and responsibilities",
    "communication": "how the staff will hear of it",
}


def check_writer(actor: str, coaches: Iterable[str], principal: str) -> None:
    if actor != principal and actor not in coaches:
        raise Refused("a school's coaching plan is written by its coaches and its principal")


def check_draft(draft: PlanDraft, coaches: Iterable[str], principal: str) -> None:
    check_writer(draft.actor, coaches, principal)
    goals = [g.strip() for g in draft.goals if g.strip()]
    if not goals:
        raise Refused("name at least one school improvement goal the coaching serves")
    if len(goals) > PLAN_GOALS_MAX:
        raise Refused(f"a plan names at most {PLAN_GOALS_MAX} goals; this one names {len(goals)}")
    for n, goal in enumerate(goals, 1):
        if len(goal) > PLAN_GOAL_MAX_CHARS:
            raise Refused(f"goal {n} is {len(goal)} characters; a goal is at most {PLAN_GOAL_MAX_CHARS}")
    if len({_same(g) for g in goals}) < len(goals):
        raise Refused("each goal is named once; two goals say the same")
    for field, said in SECTIONS.items():
        text = getattr(draft, field).strip()
        if not text:
            raise Refused(f"say {said}")
        if len(text) > PLAN_TEXT_MAX_CHARS:
            raise Refused(f"{said} is {len(text)} characters; each part of the plan is at most {PLAN_TEXT_MAX_CHARS}")


def written(plan: SchoolPlan | None, draft: PlanDraft, at: datetime) -> SchoolPlan:
    """The plan as the draft leaves it. A goal whose words stay keeps its key; a changed plan needs endorsing again."""
    kept = {_same(g.text): g.key for g in plan.goals} if plan else {}
    used = {int(g.key[1:]) for g in plan.goals} if plan else set()
    goals = []
    for text in (g.strip() for g in draft.goals if g.strip()):
        key = kept.get(_same(text))
        if key is None:
            n = max(used, default=0) + 1
            used.add(n)
            key = f"g{n}"
        goals.append(PlanGoal(key=key, text=text))
    return SchoolPlan(
        goals=goals,
        assignments=draft.assignments.strip(),
        roles=draft.roles.strip(),
        communication=draft.communication.strip(),
        status=PlanStatus.submitted if draft.submit else PlanStatus.draft,
        version=plan.version + 1 if plan else 1,
        written_by=draft.actor,
        written_at=at,
    )


def check_endorsement(plan: SchoolPlan | None, actor: str, principal: str) -> None:
    if actor != principal:
        raise Refused("only the school's principal endorses its coaching plan")
    if plan is None:
        raise Refused("the school has no coaching plan yet; its coaches write it with you first")
    if plan.endorsed:
        raise Refused(f"you endorsed this plan on {plan.endorsed_at:%B %-d, %Y}; it needs endorsing again only once it changes")


def _same(text: str) -> str:
    return " ".join(text.lower().split())


def serves(goal: PlanGoal, school_goal: str | None) -> bool:
    """A partnership works on a plan goal when it names the goal (by its words or its key) as its school goal."""
    return school_goal is not None and _same(school_goal) in (_same(goal.text), goal.key)


class GoalCoverage(BaseModel):
    goal: PlanGoal
    partnerships: int


def coverage(plan: SchoolPlan, school_goals: Iterable[str | None]) -> list[GoalCoverage]:
    """How many partnerships work on each goal of the plan."""
    named = list(school_goals)
    return [GoalCoverage(goal=g, partnerships=sum(serves(g, s) for s in named)) for g in plan.goals]
