"""What an offering's enrollment workflow keeps: the deadline as it stands, every application (without its essay),
the sites decided and the cohorts launched from them. The office's view and applicants' status pages read the
database's copy (`store/applications.py`), which the workflow publishes as it changes.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.applications import Application, ApplicationStatus
from domain.enrollment import SiteDecision
from domain.next_year import Concluded
from domain.offering import Offering


class Window(StrEnum):
    not_open = "not open"
    open = "open"
    closed = "closed"  # the deadline passed and the sites were decided


class Extension(BaseModel):
    deadline: date
    reason: str
    by: str
    at: datetime


class OfferingRecord(BaseModel):
    offering: Offering
    office: list[str]  # who runs it: told when it closes, and the coordinators of the cohorts it launches
    deadline: date  # the offering's, or the last extension's
    window: Window = Window.not_open
    extensions: list[Extension] = Field(default_factory=list)
    applications: list[Application] = Field(default_factory=list)
    decisions: dict[str, SiteDecision] = Field(default_factory=dict)  # by site id
    launched: dict[str, str] = Field(default_factory=dict)  # site id -> the cohort launched from it
    concluded: list[Concluded] = Field(default_factory=list)  # last year's coaches not going on, thanked at the start
    steps_taken: list[str] = Field(default_factory=list)
    started_at: datetime
    revision: int = 0

    def application(self, application_id: str) -> Application:
        for a in self.applications:
            if a.id == application_id:
                return a
        raise KeyError(application_id)

    def by_email(self, email: str) -> Application | None:
        """This email's application, unless it was withdrawn (someone who withdrew may apply again)."""
        email = email.strip().lower()
        return next((a for a in self.applications if a.email.lower() == email and a.status != ApplicationStatus.withdrawn), None)

    def at_site(self, site: str, status: ApplicationStatus) -> list[Application]:
        return [a for a in self.applications if a.site == site and a.status == status]


class OfferingSummary(BaseModel):
    """What the database keeps of the record after a change: the offering's state and the applications that changed."""

    offering: Offering
    deadline: date
    window: Window
    decisions: dict[str, SiteDecision]
    launched: dict[str, str]
    revision: int
    applications: list[Application]

    def in_parts(self, size: int) -> list[OfferingSummary]:
        """The same summary with its applications a part at a time (at least one part, for the offering's own row)."""
        chunks = [self.applications[i : i + size] for i in range(0, len(self.applications), size)] or [[]]
        return [self.model_copy(update={"applications": chunk}) for chunk in chunks]


def summary_of(record: OfferingRecord, changed: list[Application]) -> OfferingSummary:
    r = record
    return OfferingSummary(
        offering=r.offering,
        deadline=r.deadline,
        window=r.window,
        decisions=r.decisions,
        launched=r.launched,
        revision=r.revision,
        applications=changed,
    )
