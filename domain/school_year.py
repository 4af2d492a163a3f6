"""What a school's year keeps for the question "did coaching work": its plan, who self-assesses, year-2 decisions.

The school's process (`domain/processes/school.py`) holds this record. Self-assessment answers
are not here: they are sealed in the database as they arrive, and the record keeps only who has
answered each round, which is all its reminders need.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.plans import SchoolPlan
from domain.tiers import Round
from domain.year_two import YearTwoDecision, coach_subject, partnership_subject


class SchoolPartnership(BaseModel):
    coach: str
    partners: list[str]
    ended: bool = False  # withdrawn: nobody in it is asked anything more for it


class SchoolYearRecord(BaseModel):
    cohort: str
    school: str
    school_name: str
    principal: str
    coordinators: list[str]
    coaches: list[str]
    partnerships: dict[str, SchoolPartnership] = Field(default_factory=dict)
    left: list[str] = Field(default_factory=list)  # people withdrawn from the cohort
    launched_at: datetime
    joined: dict[str, datetime] = Field(default_factory=dict)  # people who joined after the launch, and when
    plan: SchoolPlan | None = None
    assessed: dict[Round, list[str]] = Field(default_factory=lambda: {r: list[str]() for r in Round})
    decisions: dict[str, YearTwoDecision] = Field(default_factory=dict)  # by subject
    done_steps: list[str] = Field(default_factory=list)  # the reminders and escalations already sent
    revision: int = 0

    def assessing(self) -> list[str]:
        """Who self-assesses: the school's coaches and the teachers of its partnerships, while they take part."""
        people = set(self.coaches)
        for p in self.partnerships.values():
            if not p.ended:
                people.update(p.partners)
        return sorted(people - set(self.left))

    def subjects(self) -> list[str]:
        """What the principal decides year 2 for: each partnership, and each coach, still taking part."""
        partnerships = [partnership_subject(pid) for pid, p in sorted(self.partnerships.items()) if not p.ended]
        coaches = [coach_subject(c) for c in sorted(self.coaches) if c not in self.left]
        return partnerships + coaches

    def undecided(self) -> list[str]:
        return [s for s in self.subjects() if s not in self.decisions]

    def coach_of(self, email: str) -> list[str]:
        """The coaches whose partnerships `email` is a collaborating teacher in."""
        return sorted({p.coach for p in self.partnerships.values() if email in p.partners})


class SchoolYearSummary(BaseModel):
    """What the pages show of a school's year: the plan and the decisions whole, the self-assessments as counts."""

    cohort: str
    school: str
    plan: SchoolPlan | None
    decisions: list[YearTwoDecision]
    assessing: int
    assessed: dict[Round, int]
    revision: int


def summary_of(record: SchoolYearRecord) -> SchoolYearSummary:
    return SchoolYearSummary(
        cohort=record.cohort,
        school=record.school,
        plan=record.plan,
        decisions=[record.decisions[s] for s in sorted(record.decisions)],
        assessing=len(record.assessing()),
        assessed={r: len(people) for r, people in record.assessed.items()},
        revision=record.revision,
    )
