"""Offerings and their applications in the database, as the enrollment workflow last published them.

Each row moves only forward by the workflow's revision, so a late or retried write changes nothing.
The essay is written beside the application's record by its own activity, before the workflow
answers the applicant, and no publish touches it.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import select

from domain.applications import Application, ApplicationStatus
from domain.enrollment import SiteDecision
from domain.offering import Offering
from domain.offering_record import OfferingSummary, Window
from store import tables
from store.database import Database, insert
from store.read_model import forward


class OfferingState(BaseModel):
    """An offering as the office's pages read it."""

    offering: Offering
    deadline: date
    window: Window
    decisions: dict[str, SiteDecision]
    launched: dict[str, str]
    revision: int


def publish(database: Database, summary: OfferingSummary) -> bool:
    s = summary
    state = OfferingState(
        offering=s.offering, deadline=s.deadline, window=s.window, decisions=s.decisions, launched=s.launched, revision=s.revision
    )
    with database.begin() as db:
        row = {"id": s.offering.id, "name": s.offering.name, "state": state.model_dump(mode="json"), "revision": s.revision}
        written = forward(db, tables.offerings, row, ["id"])
        for a in s.applications:
            forward(db, tables.applications, _row(s.offering.id, a), ["id"])
        return written


def _row(offering: str, a: Application) -> dict[str, object]:
    return {
        "id": a.id,
        "offering": offering,
        "number": a.number,
        "email": a.email,
        "status": a.status.value,
        "record": a.model_dump(mode="json"),
        "revision": a.revision,
    }


def record_essay(database: Database, offering: str, application: Application, why: str) -> None:
    """The essay, with the application's first record: the row exists from here on, and a publish only moves it forward."""
    with database.begin() as db:
        statement = insert(db, tables.applications).values(_row(offering, application) | {"why": why})
        db.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"why": statement.excluded.why}))


def offering(database: Database, offering_id: str) -> OfferingState | None:
    with database.begin() as db:
        row = db.execute(select(tables.offerings.c.state).where(tables.offerings.c.id == offering_id)).first()
    return None if row is None else OfferingState.model_validate(row.state)


def offerings(database: Database) -> list[OfferingState]:
    with database.begin() as db:
        rows = db.execute(select(tables.offerings.c.state).order_by(tables.offerings.c.id)).all()
    return [OfferingState.model_validate(r.state) for r in rows]


def applications(database: Database, offering_id: str, status: ApplicationStatus | None = None) -> list[Application]:
    """The offering's applications in application order."""
    a = tables.applications.c
    query = select(a.record).where(a.offering == offering_id)
    if status is not None:
        query = query.where(a.status == status.value)
    with database.begin() as db:
        return [Application.model_validate(r.record) for r in db.execute(query.order_by(a.number))]


def application(database: Database, application_id: str) -> tuple[Application, str | None] | None:
    """One application and its essay (for the office, and for the applicant on their status page)."""
    a = tables.applications.c
    with database.begin() as db:
        row = db.execute(select(a.record, a.why).where(a.id == application_id)).first()
    return None if row is None else (Application.model_validate(row.record), row.why)
