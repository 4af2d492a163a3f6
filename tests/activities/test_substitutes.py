"""Booking cover for approved release time: the local desk in the program's database (SQLite and PostgreSQL), and the activity."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from activities.names import BOOK_SUBSTITUTE
from activities.substitutes import LocalSubstituteDesk, SubstituteActivities, SubstituteDesk
from domain.release import BookingOrder
from store.database import Database
from tests.activities.conftest import activity_environment
from tests.activities.records import SCHOOL, booking_order, ledger, program
from tests.roster_fixtures import PRINCIPAL, TIA


@pytest.fixture
def desk(database: Database) -> LocalSubstituteDesk:
    return LocalSubstituteDesk(database)


@pytest.fixture
def orders() -> list[BookingOrder]:
    """Three approved requests of Tia's at Hazel, each half a day."""
    book = ledger(program())
    book.allowances = {role: 3.0 for role in book.allowances}
    return [booking_order(book, 0.5, date(2026, 10, day)) for day in (14, 21, 28)]


def test_booking_the_same_request_twice_gives_the_same_reference(desk: LocalSubstituteDesk, orders: list[BookingOrder]) -> None:
    first = desk.book(orders[0])
    again = desk.book(orders[0])

    assert first == again == "SUB-1"
    assert len(desk.bookings()) == 1


def test_distinct_requests_get_distinct_references(desk: LocalSubstituteDesk, orders: list[BookingOrder]) -> None:
    references = [desk.book(o) for o in orders]

    assert references == ["SUB-1", "SUB-2", "SUB-3"]
    assert [desk.book(o) for o in reversed(orders)] == ["SUB-3", "SUB-2", "SUB-1"]


def test_bookings_lists_each_booking_in_the_order_made(desk: LocalSubstituteDesk, orders: list[BookingOrder]) -> None:
    before = datetime.now(UTC)
    for o in (orders[1], orders[0], orders[1]):
        desk.book(o)

    bookings = desk.bookings()

    assert [(b.request_id, b.reference) for b in bookings] == [(orders[1].request.id, "SUB-1"), (orders[0].request.id, "SUB-2")]
    first = bookings[0]
    assert (first.school, first.requester, first.day, first.days) == (SCHOOL, TIA, date(2026, 10, 21), 0.5)
    assert before <= first.booked_at <= datetime.now(UTC)  # an aware moment on both backends


def test_another_workers_desk_on_the_same_database_gives_the_same_references(
    desk: LocalSubstituteDesk, database: Database, orders: list[BookingOrder]
) -> None:
    desk.book(orders[0])

    other = LocalSubstituteDesk(database)

    assert other.book(orders[0]) == "SUB-1"
    assert other.book(orders[1]) == "SUB-2"
    assert len(other.bookings()) == 2


def test_desks_racing_to_book_one_request_book_it_once(database: Database, orders: list[BookingOrder]) -> None:
    """Eight workers' desks book the same request at the same moment (a retry overlapping an attempt that timed out)."""
    desks = [LocalSubstituteDesk(database) for _ in range(8)]
    start = threading.Barrier(len(desks))

    def book(desk: LocalSubstituteDesk) -> str:
        start.wait()
        return desk.book(orders[0])

    with ThreadPoolExecutor(len(desks)) as pool:
        references = list(pool.map(book, desks))

    assert len(set(references)) == 1
    assert [(b.request_id, b.reference) for b in desks[0].bookings()] == [(orders[0].request.id, references[0])]


def test_the_order_names_school_and_principal(orders: list[BookingOrder]) -> None:
    assert {(o.school, o.principal, o.request.status.value) for o in orders} == {(SCHOOL, PRINCIPAL, "approved")}


async def test_book_substitute_activity_books_once_per_request(desk: LocalSubstituteDesk, orders: list[BookingOrder]) -> None:
    local: SubstituteDesk = desk
    activities = SubstituteActivities(local)

    first = await activity_environment(BOOK_SUBSTITUTE).run(activities.book_substitute, orders[0])
    retried = await activity_environment(BOOK_SUBSTITUTE, attempt=2).run(activities.book_substitute, orders[0])
    other = await activity_environment(BOOK_SUBSTITUTE).run(activities.book_substitute, orders[1])

    assert (first, retried, other) == ("SUB-1", "SUB-1", "SUB-2")
    assert [b.request_id for b in desk.bookings()] == [orders[0].request.id, orders[1].request.id]
