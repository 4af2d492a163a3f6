"""A program offering: one year's application window, fee, scholarships, regional sites and what a school commits to.

The program office keeps it in a YAML file (see `samples/offering.yaml`). A site runs when
enough people are accepted for it (its minimum), and takes at most its maximum. Scholarships
come from funds, each with its rule for who gets one. A school commits release days, common
planning time and a share of a coach's time when its principal endorses an application.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from domain.problems import InvalidInput, Problem
from domain.program import SESSIONS_PER_YEAR
from domain.yaml_files import parse_yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
SLUG_RULE = "lowercase letters, digits and dashes, such as esd-112"


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"an id is {SLUG_RULE}")
    return value


class Site(BaseModel):
    """A regional centre where the training is delivered if enough people enroll."""

    id: str
    name: str = Field(min_length=1, max_length=200)
    region: str = Field(min_length=1, max_length=100)
    minimum: int = Field(ge=1, le=1000)
    maximum: int | None = Field(default=None, ge=1, le=1000)
    nearby: list[str] = Field(default_factory=list)  # the sites its applicants are offered, nearest first, if it does not run

    _id = field_validator("id")(_slug)

    @model_validator(mode="after")
    def _minimum_within_maximum(self) -> Site:
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError(f"the maximum ({self.maximum}) is below the minimum ({self.minimum})")
        return self


class Fee(BaseModel):
    amount: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    currency: str

    @field_validator("currency")
    @classmethod
    def _code(cls, currency: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise ValueError(f"{currency!r} is not a currency code; write its three capital letters (ISO 4217), such as USD or CAD")
        return currency


class AwardRule(StrEnum):
    one_per_region = "one_per_region"  # the first eligible applicant of each region, in application order
    first_come = "first_come"  # eligible applicants in application order until the fund is spent
    office_choice = "office_choice"  # the office names who gets one

    @property
    def label(self) -> str:
        return {"one_per_region": "one per region", "first_come": "first come", "office_choice": "the office's choice"}[self.value]


class ScholarshipFund(BaseModel):
    id: str
    offered_by: str = Field(min_length=1, max_length=200)
    count: int = Field(ge=1, le=10_000)
    amount: Decimal = Field(gt=0, max_digits=9, decimal_places=2)
    rule: AwardRule
    members_only: bool = False  # only applicants who say they are members of the offering body

    _id = field_validator("id")(_slug)


class SchoolCommitment(BaseModel):
    """What a school commits when its principal endorses an application."""

    release_days_per_teacher: float = Field(ge=0, le=30)
    planning_time: str = Field(min_length=1, max_length=300)
    coach_fte: float = Field(gt=0, le=1)


class Offering(BaseModel):
    id: str
    name: str = Field(min_length=1, max_length=200)
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    timezone: str = "America/Los_Angeles"
    opens: date
    deadline: date  # applications close at the end of this day, at the schools
    fee: Fee
    sites: list[Site] = Field(min_length=1)
    scholarships: list[ScholarshipFund] = Field(default_factory=list)
    commitment: SchoolCommitment
    reminder_days: int = Field(default=7, ge=1, le=60)  # applicants and principals are reminded this long before the deadline
    second_year_sessions: list[int] = Field(default_factory=lambda: list(range(1, SESSIONS_PER_YEAR + 1)))

    _id = field_validator("id")(_slug)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    @field_validator("second_year_sessions")
    @classmethod
    def _sessions(cls, numbers: list[int]) -> list[int]:
        if any(not 1 <= n <= SESSIONS_PER_YEAR for n in numbers):
            raise ValueError(f"sessions are numbered 1 to {SESSIONS_PER_YEAR}")
        return sorted(set(numbers))

    @model_validator(mode="after")
    def _consistent(self) -> Offering:
        if self.deadline < self.opens:
            raise ValueError(f"the deadline ({self.deadline}) is before the window opens ({self.opens})")
        for kind, ids in (("site", [s.id for s in self.sites]), ("scholarship fund", [f.id for f in self.scholarships])):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"each {kind} id is used once; {', '.join(twice)} is used more than once")
        known = {s.id for s in self.sites}
        for s in self.sites:
            unknown = [n for n in s.nearby if n not in known or n == s.id]
            if unknown:
                raise ValueError(f"site {s.id} names {', '.join(unknown)} as nearby, which is not another site of the offering")
        return self

    def site(self, site_id: str) -> Site:
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    @property
    def regions(self) -> list[str]:
        return sorted({s.region for s in self.sites})

    def fund(self, fund_id: str) -> ScholarshipFund:
        for f in self.scholarships:
            if f.id == fund_id:
                return f
        raise KeyError(fund_id)

    def opens_at(self) -> datetime:
        return datetime.combine(self.opens, time(0), ZoneInfo(self.timezone))

    def closes_at(self, deadline: date | None = None) -> datetime:
        """The end of the deadline's day at the schools (or of an extended deadline)."""
        return datetime.combine((deadline or self.deadline) + timedelta(days=1), time(0), ZoneInfo(self.timezone))


def parse_offering(raw: Any, file: str) -> Offering:
    if not isinstance(raw, dict):
        raise InvalidInput([Problem(file, None, None, "expected a mapping with id, name, school_year, opens, deadline, fee, sites")])
    try:
        return Offering.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput([_problem(file, err) for err in exc.errors()]) from None


def load_offering(text: str, file: str) -> Offering:
    return parse_offering(parse_yaml(text, file), file)


def _problem(file: str, err: Any) -> Problem:
    """A pydantic error as the office reads it: where in the file (sites[2].minimum), and what to change."""
    where = ""
    for part in err["loc"]:
        where += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    message = str(err["msg"]).removeprefix("Value error, ")
    return Problem(file, None, where or None, message)
