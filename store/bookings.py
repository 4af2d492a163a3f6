"""Substitute bookings made by the local desk: one per release request, whichever worker books it.

The reference is SUB-<number>, the row's own number, so two workers on two machines
never hand out the same one, and booking a request again (a retried activity, two
workers racing) gives back the reference it already has.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import select

from store.database import Database, insert
from store.tables import substitute_bookings


class SubstituteBooking(BaseModel):
    reference: str
    request_id: str
    school: str
    requester: str
    day: date
    days: float
    booked_at: datetime


def book(database: Database, request_id: str, school: str, requester: str, day: date, days: float) -> str:
    """The request's booking reference, booking it first if no worker has yet."""
    row = {"request_id": request_id, "school": school, "requester": requester, "day": day, "days": days, "booked_at": datetime.now(UTC)}
    booked = select(substitute_bookings.c.number).where(substitute_bookings.c.request_id == request_id)
    with database.begin() as db:
        # Looked up first: on PostgreSQL an insert that meets the request's row still uses up a number.
        number = db.execute(booked).scalar_one_or_none()
        if number is None:
            # Two workers may both get here: the unique request_id lets one row in, and both read that row.
            db.execute(insert(db, substitute_bookings).values(row).on_conflict_do_nothing(index_elements=["request_id"]))
            number = db.execute(booked).scalar_one()
    return _reference(number)


def listed(database: Database) -> list[SubstituteBooking]:
    """Every booking, in the order they were made."""
    with database.begin() as db:
        rows = db.execute(select(substitute_bookings).order_by(substitute_bookings.c.number)).mappings()
        return [SubstituteBooking(reference=_reference(row["number"]), **row) for row in rows]


def _reference(number: int) -> str:
    return f"SUB-{number}"
