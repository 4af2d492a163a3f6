"""A notice's calendar invite (RFC 5545), sent as a scheduling message (RFC 5546).

The invite is made for each recipient as it is sent: the recipient is its attendee, and
its UID names the session and the recipient, so both reminders of a session are one
event in their calendar and a cancellation removes that event. Its organizer is the
program office as the district's mail names it: a calendar app sends the answer where a
reply to the message would go (the Reply-To, else the From). A session's hours are wall
times in the program's time zone, written with the zone's definition (VTIMEZONE); a
session of several days is one event repeated daily, each day from its start to its end.
Each person's calendar feed (web/calendar_feed.py) lists sessions as the same events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vRecur

from activities.messages import Sender, one_line
from domain.notices import Invite, InviteMethod

PRODID = "-//Peer Coaching Program//peercoach//EN"


def calendar_invite(invite: Invite, attendee: str, office: Sender) -> str:
    cancel = invite.method == InviteMethod.cancel
    event = session_event(invite, f"{invite.uid}-{attendee}@peercoach")
    event.add("sequence", invite.sequence)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("organizer", _address(office.reply_to or office.address, CN=one_line(office.name)))
    answer = {} if cancel else {"PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}
    event.add("attendee", _address(attendee, CUTYPE="INDIVIDUAL", ROLE="REQ-PARTICIPANT", **answer))

    calendar = new_calendar()
    calendar.add("method", invite.method.value)
    calendar.add_component(event)
    add_zones(calendar, [invite])
    return calendar.to_ical().decode()


def session_event(invite: Invite, uid: str) -> Event:
    """A session as an event: its hours on its first day, repeated daily for a session of several days."""
    zone = ZoneInfo(invite.timezone)
    event = Event()
    event.add("uid", one_line(uid))
    event.add("dtstamp", invite.made_at.astimezone(UTC))  # the notice's, so a retried send makes the same invite
    event.add("dtstart", datetime.combine(invite.starts_on, invite.starts_at, zone))
    event.add("dtend", datetime.combine(invite.starts_on, invite.ends_at, zone))
    if invite.days > 1:  # each day of the session from starts_at to ends_at, not one event across the nights
        event.add("rrule", {"freq": "daily", "count": invite.days})
    if invite.rrule and invite.until:  # a recurring meeting: UNTIL is in UTC when DTSTART has a zone (RFC 5545)
        until = datetime.combine(invite.until, invite.ends_at, zone).astimezone(UTC)
        event.add("rrule", vRecur.from_ical(invite.rrule) | {"UNTIL": [until]})
        for day in invite.exdates:
            event.add("exdate", datetime.combine(day, invite.starts_at, zone))
    event.add("summary", one_line(invite.summary))
    event.add("location", one_line(invite.location))
    return event


def new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    return calendar


def add_zones(calendar: Calendar, sessions: list[Invite]) -> None:
    """RFC 5545: a TZID used is defined in the file; the zone's changes in the sessions' years keep it short."""
    if not sessions:
        return
    first = min(s.starts_on for s in sessions)
    last = max(s.until or s.starts_on + timedelta(days=s.days - 1) for s in sessions)
    calendar.add_missing_timezones(date(first.year, 1, 1), date(last.year + 1, 1, 1))


def _address(email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{one_line(email)}")
    for name, value in params.items():
        address.params[name] = value
    return address
