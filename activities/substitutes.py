"""Booking a substitute for approved release time.

Districts book cover in different systems, so the workflow talks to a small
`SubstituteDesk` interface. The default desk records each booking in SQLite
in the data directory (the principal is told by the workflow), once per request.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from temporalio import activity

from activities.names import BOOK_SUBSTITUTE
from domain.release import BookingOrder


class SubstituteDesk(Protocol):
    def book(self, order: BookingOrder) -> str:
        """Book cover for the request and return the booking reference; the same order gives the same reference."""
        ...


class LocalSubstituteDesk:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path, timeout=30) as db:
            db.execute(
                "create table if not exists bookings (request_id text primary key, reference text not null, school text not null, "
                "requester text not null, day text not null, days real not null, booked_at text not null)"
            )

    def book(self, order: BookingOrder) -> str:
        r = order.request
        with sqlite3.connect(self.path, timeout=30) as db:
            db.execute(
                "insert into bookings values (?, 'SUB-' || (select count(*) + 1 from bookings), ?, ?, ?, ?, ?) "
                "on conflict (request_id) do nothing",
                (r.id, order.school, r.requester, r.on.isoformat(), r.days, datetime.now(UTC).isoformat()),
            )
            (reference,) = db.execute("select reference from bookings where request_id = ?", (r.id,)).fetchone()
        return str(reference)

    def bookings(self) -> list[dict[str, object]]:
        with sqlite3.connect(self.path, timeout=30) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute("select * from bookings order by booked_at")]


class SubstituteActivities:
    def __init__(self, desk: SubstituteDesk):
        self.desk = desk

    @activity.defn(name=BOOK_SUBSTITUTE)
    async def book_substitute(self, order: BookingOrder) -> str:
        return await asyncio.to_thread(self.desk.book, order)
