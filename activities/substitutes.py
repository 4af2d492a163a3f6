"""Booking a substitute for approved release time.

Districts book cover in different systems, so the workflow talks to a small
`SubstituteDesk` interface. The default desk records each booking in the
program's database (the principal is told by the workflow), once per request,
however many workers share that database.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from temporalio import activity

from activities.names import BOOK_SUBSTITUTE
from domain.release import BookingOrder
from store import bookings
from store.bookings import SubstituteBooking
from store.database import Database


class SubstituteDesk(Protocol):
    def book(self, order: BookingOrder) -> str:
        """Book cover for the request and return the booking reference; the same order gives the same reference."""
        ...


class LocalSubstituteDesk:
    def __init__(self, database: Database):
        self.database = database

    def book(self, order: BookingOrder) -> str:
        r = order.request
        return bookings.book(self.database, r.id, order.school, r.requester, r.on, r.days)

    def bookings(self) -> list[SubstituteBooking]:
        return bookings.listed(self.database)


class SubstituteActivities:
    def __init__(self, desk: SubstituteDesk):
        self.desk = desk

    @activity.defn(name=BOOK_SUBSTITUTE)
    async def book_substitute(self, order: BookingOrder) -> str:
        return await asyncio.to_thread(self.desk.book, order)
