"""Each person's calendar feed (.ics), which Google Calendar and Outlook subscribe to.

The feed is read without signing in: the token in its address is the credential, so an
unknown or replaced token answers 404 and nothing more. The person makes a new address
from their home page (a form, CSRF-checked), which ends the old one at once.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from icalendar import Event

from activities.invites import add_zones, new_calendar, session_event
from domain.calendar_feed import RELEASE_DAY, Feed, Membership, feed
from store import calendar_feeds, members, read_model
from store.database import Database
from web.frame import SignedIn, SignedInCsrfChecked, done, engine

router = APIRouter()
CALENDAR_NAME = "Peer coaching"


def feed_url(web_url: str, token: str) -> str:
    return f"{web_url.rstrip('/')}/calendar/{token}.ics"


def webcal(url: str) -> str:
    """The same address for calendar apps that subscribe on a webcal:// link."""
    return "webcal://" + url.split("://", 1)[1]


async def my_feed_url(request: Request, email: str) -> str:
    e = engine(request)
    token = await asyncio.to_thread(calendar_feeds.token_of, e.database, email, e.sessions.secret, datetime.now(UTC))
    return feed_url(e.settings.web_url, token)


@router.get("/calendar/{token}.ics")
async def calendar(request: Request, token: str) -> Response:
    database = engine(request).database
    email = await asyncio.to_thread(calendar_feeds.owner, database, token)
    if email is None:
        return Response(status_code=404)  # whether it was ever a feed is not said
    entries = await asyncio.to_thread(_feed_of, database, email)
    return Response(_ical(entries), media_type="text/calendar; charset=utf-8")


@router.post("/calendar/rotate", dependencies=[SignedInCsrfChecked])
async def rotate(request: Request, visitor: SignedIn) -> Response:
    e = engine(request)
    await asyncio.to_thread(calendar_feeds.rotate, e.database, visitor.email, e.sessions.secret, datetime.now(UTC))
    return done(request, "/", "A new calendar address is made; the old one no longer works. Subscribe with the new one.")


def _feed_of(database: Database, email: str) -> Feed:
    standings = members.standings(database, email)
    ledgers = [ledger for s in standings for ledger in read_model.ledgers(database, s.cohort)]
    memberships = [Membership(cohort=s.cohort, program=s.program, member=s.member) for s in standings]
    return feed(email, memberships, ledgers, datetime.now(UTC))


def _ical(entries: Feed) -> str:
    calendar = new_calendar()
    calendar.add("x-wr-calname", CALENDAR_NAME)
    for session in entries.sessions:
        calendar.add_component(session_event(session, f"{session.uid}@peercoach"))
    for day in entries.release_days:
        event = Event()
        event.add("uid", f"{day.uid}@peercoach")
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", day.on)  # a date: an all-day event
        event.add("dtend", day.on + timedelta(days=math.ceil(day.days)))
        event.add("summary", RELEASE_DAY)
        calendar.add_component(event)
    add_zones(calendar, entries.sessions)
    return calendar.to_ical().decode()
