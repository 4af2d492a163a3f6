"""What a list is narrowed to: the same query parameters for its page and its downloads.

A list page's filter form sends every field, empty ones too ("any school"), so an
empty value means "not narrowed". The links to the page's CSV and XLSX carry the
same parameters, so a download holds the rows the list shows, all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Query

from domain.cycle import Stage
from domain.notices import NoticeKind
from domain.roster import EMAIL_MAX, Role
from store.outbox import DIGESTED, HELD, PENDING, SENT, TURNED_OFF, UNDELIVERABLE

SEARCH_MAX = 100  # what people type to find a name, an address or a subject; no list's text is longer to search for

Search = Annotated[str, Query(max_length=SEARCH_MAX)]
Stalled = Literal["", "yes", "no"]


def _kept(**values: str | None) -> str:
    """The query string of the filters that narrow the list ("" when none does)."""
    return urlencode({name: value for name, value in values.items() if value})


@dataclass(frozen=True)
class PartnershipFilter:
    q: str | None = None
    school: str | None = None
    coach: str | None = None
    stage: Stage | None = None
    stalled: bool | None = None

    @property
    def query(self) -> str:
        stalled = None if self.stalled is None else ("yes" if self.stalled else "no")
        return _kept(q=self.q, school=self.school, coach=self.coach, stage=self.stage and self.stage.value, stalled=stalled)

    @property
    def narrowed(self) -> bool:
        return bool(self.query)


def partnership_filter(
    q: Search = "",
    school: Annotated[str, Query(max_length=200)] = "",
    coach: Annotated[str, Query(max_length=EMAIL_MAX)] = "",
    stage: Stage | Literal[""] = "",
    stalled: Stalled = "",
) -> PartnershipFilter:
    return PartnershipFilter(
        q=q.strip() or None,
        school=school or None,
        coach=coach.strip().lower() or None,
        stage=stage or None,
        stalled=None if not stalled else stalled == "yes",
    )


def building_filter(q: Search = "", stage: Stage | Literal[""] = "", stalled: Stalled = "") -> PartnershipFilter:
    """A building's partnerships (its page is the school's: the school is in the path) by text, stage and stall."""
    return partnership_filter(q, "", "", stage, stalled)


@dataclass(frozen=True)
class PeopleFilter:
    q: str | None = None
    role: Role | None = None
    school: str | None = None

    @property
    def query(self) -> str:
        return _kept(q=self.q, role=self.role and self.role.value, school=self.school)


def people_filter(q: Search = "", role: Role | Literal[""] = "", school: Annotated[str, Query(max_length=200)] = "") -> PeopleFilter:
    return PeopleFilter(q=q.strip() or None, role=role or None, school=school or None)


MAIL_STATUSES = (PENDING, SENT, UNDELIVERABLE, HELD, DIGESTED, TURNED_OFF)


@dataclass(frozen=True)
class OutboxFilter:
    q: str | None = None
    kind: NoticeKind | None = None
    status: str | None = None

    @property
    def query(self) -> str:
        return _kept(q=self.q, kind=self.kind and self.kind.value, status=self.status)


def outbox_filter(q: Search = "", kind: NoticeKind | Literal[""] = "", status: Annotated[str, Query(max_length=40)] = "") -> OutboxFilter:
    if status and status not in MAIL_STATUSES:
        raise HTTPException(422, f"unknown status {status!r}; a message is one of: {', '.join(MAIL_STATUSES)}")
    return OutboxFilter(q=q.strip() or None, kind=kind or None, status=status or None)


PartnershipFilters = Annotated[PartnershipFilter, Depends(partnership_filter)]
BuildingFilters = Annotated[PartnershipFilter, Depends(building_filter)]
PeopleFilters = Annotated[PeopleFilter, Depends(people_filter)]
OutboxFilters = Annotated[OutboxFilter, Depends(outbox_filter)]
