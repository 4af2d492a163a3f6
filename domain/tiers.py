"""The Tiers Model: a practice scale each collaborating teacher and coach places themselves on, before and after.

The program file names the instrument (`tiers:`): its tiers, lowest first, each with a name
and a descriptor, and optionally the dimensions a person places themselves on separately.
The default is a technology-integration scale; a program replaces it with its own.

A person's tier in a round is the lower median of the tiers they chose across the dimensions
(their one choice, when there is one dimension): a single high or low answer does not move it.
They *moved up* when their post tier is above their pre tier. Answers are the person's and their
coach's alone; anyone else sees how many people moved, and only for a group of at least
`MIN_GROUP` people who answered both rounds, so that no one's answers can be worked out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator, model_validator

from domain.problems import Refused

MIN_GROUP = 5  # the fewest people whose movement is shown to anyone but themselves and their coach
TOO_FEW = "too few to show"
TIERS_MAX = 10
DIMENSIONS_MAX = 12
DESCRIPTOR_MAX_CHARS = 600
OVERALL = "overall"  # the one dimension of an instrument that names none
KEY = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class Round(StrEnum):
    pre = "pre"  # when the person's coaching begins
    post = "post"  # after the last session

    @property
    def label(self) -> str:
        return "before coaching" if self is Round.pre else "after the year"


class Tier(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    descriptor: str = Field(min_length=1, max_length=DESCRIPTOR_MAX_CHARS)


class Dimension(BaseModel):
    key: str
    name: str = Field(min_length=1, max_length=120)

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        if not KEY.match(key):
            raise ValueError("a dimension's key is lowercase letters, digits and dashes, starting with a letter (such as student-use)")
        return key


class TiersInstrument(BaseModel):
    """Tiers lowest first: tier 1 is the first listed."""

    name: str = Field(min_length=1, max_length=120)
    tiers: list[Tier] = Field(min_length=2, max_length=TIERS_MAX)
    dimensions: list[Dimension] = Field(default_factory=list, max_length=DIMENSIONS_MAX)

    @model_validator(mode="after")
    def _distinct(self) -> TiersInstrument:
        keys = [d.key for d in self.dimensions]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"each dimension's key is named once; {', '.join(twice)} is named more than once")
        return self

    @property
    def dimension_keys(self) -> list[str]:
        return [d.key for d in self.dimensions] or [OVERALL]

    def tier_name(self, level: int) -> str:
        return self.tiers[level - 1].name


def default_instrument() -> TiersInstrument:
    """A technology-integration scale, for a program that has not named its own."""
    return TiersInstrument(
        name="Technology integration tiers",
        tiers=[
            Tier(name="Awareness", descriptor="I use technology for my own work; my students rarely use it in lessons."),
            Tier(name="Exploration", descriptor="I try technology in some lessons, mostly to present; students follow along."),
            Tier(name="Integration", descriptor="Technology is part of planned lessons; students use it to practise and show learning."),
            Tier(name="Expansion", descriptor="Students choose tools to research, create and collaborate, beyond the classroom too."),
            Tier(name="Transformation", descriptor="Students use technology to solve real problems; lessons could not happen without it."),
        ],
        dimensions=[
            Dimension(key="planning", name="Planning lessons with technology"),
            Dimension(key="teaching", name="Teaching with technology"),
            Dimension(key="student-use", name="Students' own use of technology"),
        ],
    )


def check_answers(instrument: TiersInstrument, answers: dict[str, int]) -> None:
    """One tier for each dimension, each a tier of the instrument."""
    keys = instrument.dimension_keys
    unknown = sorted(set(answers) - set(keys))
    if unknown:
        raise Refused(f"{', '.join(unknown)} is not a dimension of {instrument.name}; its dimensions are {', '.join(keys)}")
    missing = [k for k in keys if k not in answers]
    if missing:
        raise Refused(f"choose a tier for every dimension; missing: {', '.join(missing)}")
    top = len(instrument.tiers)
    outside = [k for k in keys if not 1 <= answers[k] <= top]
    if outside:
        raise Refused(f"a tier is a number from 1 to {top}; {', '.join(outside)} is not")


def tier_of(answers: dict[str, int]) -> int:
    """The lower median of the tiers chosen."""
    levels = sorted(answers.values())
    return levels[(len(levels) - 1) // 2]


class Movement(BaseModel):
    """How many people of a group answered both rounds, and how many of them moved up at least one tier."""

    group: str
    people: int = 0
    moved_up: int = 0

    @property
    def shown(self) -> bool:
        return self.people >= MIN_GROUP

    @property
    def share(self) -> float | None:
        """The share who moved up, or None for a group too small to show."""
        return self.moved_up / self.people if self.shown else None

    def said(self) -> str:
        share = self.share
        return TOO_FEW if share is None else f"{share:.0%} moved up ({self.moved_up} of {self.people})"


class Pair(BaseModel):
    """One person's answers in both rounds, with the groups they count in (their school, its model)."""

    pre: dict[str, int]
    post: dict[str, int]
    groups: list[str]

    @property
    def moved_up(self) -> bool:
        return tier_of(self.post) > tier_of(self.pre)


def movement(pairs: Iterable[Pair], everyone: str) -> dict[str, Movement]:
    """Movement per group, and over everyone (under the name `everyone`)."""
    found: dict[str, Movement] = {everyone: Movement(group=everyone)}
    for pair in pairs:
        for group in [everyone, *pair.groups]:
            m = found.setdefault(group, Movement(group=group))
            m.people += 1
            m.moved_up += pair.moved_up
    return found
