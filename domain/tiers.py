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
GIVES_AWAY = "not shown: with the other figures it would give away a smaller group's"
EVERYONE = "cohort"  # the group of everyone in the cohort
MODEL = "model:"  # the groups of a school model are named model:<its name>
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
    withheld: bool = False  # large enough, but with the other figures shown it would give a smaller group's away

    @property
    def shown(self) -> bool:
        return self.people >= MIN_GROUP and not self.withheld

    @property
    def share(self) -> float | None:
        """The share who moved up, or None for a group too small to show."""
        return self.moved_up / self.people if self.shown else None

    def said(self) -> str:
        share = self.share
        if share is None:
            return GIVES_AWAY if self.withheld and self.people >= MIN_GROUP else TOO_FEW
        return f"{share:.0%} moved up ({self.moved_up} of {self.people})"


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


def shown_movement(groups: dict[str, int], parts: list[tuple[str, list[str]]]) -> set[str]:
    """Which groups' movement may be shown, given each group's people (`groups`) and the ways groups split into
    others (`parts`: a group and the groups that together make it up, each person in exactly one).

    A group under MIN_GROUP is not shown. Nor is a count that, taken from its whole, leaves the movement of
    fewer than MIN_GROUP people: when a whole is shown and the people of its parts not shown number 1 to 4,
    the smallest part still shown is held back too (the whole, when none is), until no difference gives anyone away.
    """
    shown = {g for g, people in groups.items() if people >= MIN_GROUP}
    changed = True
    while changed:
        changed = False
        for whole, pieces in parts:
            if whole not in shown:
                continue
            hidden = sum(groups.get(p, 0) for p in pieces if p not in shown)
            if 0 < hidden < MIN_GROUP:
                still = sorted((groups[p], p) for p in pieces if p in shown)
                shown.discard(still[0][1] if still else whole)
                changed = True
    return shown


def shown_groups(counted: dict[str, Movement], schools: dict[str, str]) -> set[str]:
    """The groups whose movement may be shown: the cohort (`EVERYONE`), its schools (by id, each with its model) and
    its school models (`MODEL` + name), each of them split into the others as the roster splits people."""
    models = sorted({f"{MODEL}{m}" for m in schools.values()})
    # Everyone counted is in some part of the cohort, even a group no school of the roll names: no difference leaves them out.
    elsewhere = [g for g in counted if g != EVERYONE and g not in models and g not in schools]
    people = {g: counted[g].people if g in counted else 0 for g in [EVERYONE, *models, *schools, *elsewhere]}
    in_models = [*models, *(g for g in elsewhere if g.startswith(MODEL))]
    parts = [(EVERYONE, [*schools, *(g for g in elsewhere if not g.startswith(MODEL))]), (EVERYONE, in_models)]
    parts += [(m, [s for s, model in schools.items() if f"{MODEL}{model}" == m]) for m in models]
    return shown_movement(people, parts)


def withhold_differences(counted: dict[str, Movement], schools: dict[str, str]) -> dict[str, Movement]:
    """The same counts, with every group that `shown_groups` holds back marked withheld: what any page or command shows."""
    shown = shown_groups(counted, schools)
    return {g: m.model_copy(update={"withheld": g not in shown}) for g, m in counted.items()}
