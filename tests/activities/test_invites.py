"""Calendar invites as calendar software reads them: icalendar, recurring-ical-events and a real CalDAV server.

Every session of the sample program is invited and cancelled; each invite is parsed,
its days expanded, and it is PUT into Radicale (started by the test) and read back,
with the server's own expansion of its days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar, Component
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.invites import calendar_invite
from activities.messages import Sender
from activities.names import SEND_NOTICE
from activities.notifications import Mailer, NoticeActivities, SmtpSettings
from domain import notices
from domain.notices import Notice, NoticeKind
from domain.processes.training import TrainingProcess, TrainingWithdrawn
from domain.program import SESSIONS_PER_YEAR, Program
from store.outbox import Outbox
from tests.activities.conftest import SmtpServer, activity_environment
from tests.activities.radicale import CalDavCalendar, Radicale, running_radicale
from tests.activities.records import COHORT, PACIFIC, program, training
from tests.databases import sqlite_database
from tests.roster_fixtures import ANN, TIA

P = program()
SESSIONS = range(1, SESSIONS_PER_YEAR + 1)
OFFICE = Sender(address="coaching@esd112.test", name="ESD 112 Coaching", reply_to="office@esd112.test")
WITHDRAWN_AT = datetime(2026, 4, 1, 9, 0, tzinfo=PACIFIC)


def reminder(session: int, days_before: int = 7, p: Program = P) -> Notice:
    return notices.session_reminder(training(), p, session, days_before, p.session_start(session) - timedelta(days=days_before))


def cancellation(session: int) -> Notice:
    return notices.session_cancelled(training(), P, session, WITHDRAWN_AT)


EVERY_INVITE = {f"{kind}-{n}": make(n) for n in SESSIONS for kind, make in (("request", reminder), ("cancel", cancellation))}


def ics(notice: Notice, to: str = ANN, office: Sender = OFFICE) -> str:
    assert notice.invite is not None
    return calendar_invite(notice.invite, to, office)


def event_of(text: str) -> Component:
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return event


def local_hours(session: int, day: int = 0) -> tuple[datetime, datetime]:
    """The session's hours on its day `day` (0 is the first), as the program file gives them."""
    s = P.session(session)
    on = s.starts_on + timedelta(days=day)
    return datetime.combine(on, s.starts_at, PACIFIC), datetime.combine(on, s.ends_at, PACIFIC)


def every_day(session: int) -> list[tuple[datetime, datetime]]:
    return [local_hours(session, day) for day in range(P.session(session).days)]


# -- as icalendar reads them ---------------------------------------------------------------------


@pytest.mark.parametrize("name", EVERY_INVITE)
def test_an_invite_is_one_event_in_the_programs_time_zone(name: str) -> None:
    notice = EVERY_INVITE[name]
    session = int(name.split("-")[1])
    calendar = Calendar.from_ical(ics(notice))

    assert str(calendar["METHOD"]) == ("REQUEST" if notice.kind == NoticeKind.session_reminder else "CANCEL")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    [event] = calendar.walk("VEVENT")
    starts, ends = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (starts, ends) == local_hours(session)
    assert str(starts.tzinfo) == str(ends.tzinfo) == "America/Los_Angeles"
    assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "America/Los_Angeles"
    s = P.session(session)
    assert str(event["SUMMARY"]) == f"Peer Coaching 2026: session {session}, {s.title}"
    assert str(event["LOCATION"]) == (s.location or "online")


def test_the_time_zone_survives_the_trip_through_temporal() -> None:
    """Temporal carries a notice as JSON: the invite made after the trip is the one made before it."""
    converter = pydantic_data_converter.payload_converter
    for notice in (reminder(2), cancellation(2)):
        [carried] = converter.from_payloads(converter.to_payloads([notice]), [Notice])
        assert isinstance(carried, Notice)
        assert ics(carried) == ics(notice)
        assert "DTSTART;TZID=America/Los_Angeles:20260706T083000" in ics(carried)


def test_the_organizer_is_the_program_office_and_the_attendee_the_recipient() -> None:
    event = event_of(ics(reminder(3)))
    assert str(event["ORGANIZER"]) == "mailto:office@esd112.test"  # where a reply to the message goes
    assert event["ORGANIZER"].params["CN"] == "ESD 112 Coaching"
    assert str(event["ATTENDEE"]) == f"mailto:{ANN}"
    assert dict(event["ATTENDEE"].params) == {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}

    without_reply_to = event_of(ics(reminder(3), office=Sender(address="coaching@esd112.test", name="ESD 112 Coaching")))
    assert str(without_reply_to["ORGANIZER"]) == "mailto:coaching@esd112.test"

    cancelled = event_of(ics(cancellation(3)))
    assert dict(cancelled["ATTENDEE"].params) == {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT"}  # no answer asked for


def test_the_uid_names_the_session_and_the_person() -> None:
    def uid(notice: Notice, to: str = ANN) -> str:
        return str(event_of(ics(notice, to))["UID"])

    assert uid(reminder(2)) == f"{COHORT}-session-2-{ANN}@peercoach"
    assert uid(reminder(2, 1)) == uid(reminder(2, 7))  # both reminders are the one event in Ann's calendar
    assert uid(reminder(2), TIA) != uid(reminder(2))
    assert len({uid(reminder(n)) for n in SESSIONS}) == SESSIONS_PER_YEAR


def test_dtstamp_is_when_the_invite_was_made_and_a_retry_makes_the_same_invite() -> None:
    notice = reminder(4)
    event = event_of(ics(notice))
    made_at = P.session_start(4) - timedelta(days=7)
    assert event.decoded("DTSTAMP") == made_at
    assert event["DTSTAMP"].to_ical() == made_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()  # in UTC (RFC 5545)
    assert event.decoded("DTSTAMP") != event.decoded("DTSTART")
    assert ics(notice) == ics(notice)
    assert event_of(ics(cancellation(4))).decoded("DTSTAMP") == WITHDRAWN_AT


# -- several days ------------------------------------------------------------------------------


def test_a_session_of_three_days_is_one_event_each_day_with_the_programs_hours() -> None:
    sent = ics(reminder(2))
    assert "\r\nRRULE:FREQ=DAILY;COUNT=3\r\n" in sent
    calendar = Calendar.from_ical(sent)

    days = recurring_ical_events.of(calendar).between(date(2026, 7, 1), date(2026, 8, 1))

    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in days] == every_day(2)
    assert [e.decoded("DTSTART").date() for e in days] == [date(2026, 7, 6), date(2026, 7, 7), date(2026, 7, 8)]
    assert {(e.decoded("DTSTART").strftime("%H:%M"), e.decoded("DTEND").strftime("%H:%M")) for e in days} == {("08:30", "15:30")}


def test_a_session_across_the_end_of_daylight_saving_time_keeps_its_local_hours() -> None:
    """Daylight saving time ends on Sunday November 1, 2026: the session still starts at 8:30 each day."""
    p = program()
    p.sessions[5].starts_on, p.sessions[5].days = date(2026, 10, 31), 3
    calendar = Calendar.from_ical(ics(reminder(6, p=p)))

    days = recurring_ical_events.of(calendar).between(date(2026, 10, 1), date(2026, 12, 1))

    starts = [e.decoded("DTSTART") for e in days]
    assert [s.astimezone(PACIFIC).strftime("%b %d %H:%M") for s in starts] == ["Oct 31 08:30", "Nov 01 08:30", "Nov 02 08:30"]
    assert [s.astimezone(UTC).hour for s in starts] == [15, 16, 16]


# -- in a CalDAV server --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    with running_radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server


@pytest.fixture
def calendar(radicale: Radicale) -> CalDavCalendar:
    return radicale.new_calendar()


@pytest.mark.parametrize("name", EVERY_INVITE)
def test_each_invite_goes_into_a_caldav_server_and_comes_back_with_the_same_times(calendar: CalDavCalendar, name: str) -> None:
    session = int(name.split("-")[1])
    sent = ics(EVERY_INVITE[name])

    assert calendar.put(f"session-{session}", sent).status_code == 201

    stored = event_of(calendar.get(f"session-{session}"))
    assert (stored.decoded("DTSTART"), stored.decoded("DTEND")) == local_hours(session)
    assert str(stored["UID"]) == str(event_of(sent)["UID"])
    first, last = every_day(session)[0][0], every_day(session)[-1][1]
    expanded = calendar.occurrences(first - timedelta(days=1), last + timedelta(days=1))
    assert expanded == [(str(stored["UID"]), start, end) for start, end in every_day(session)]


def test_a_withdrawal_cancels_the_same_event_in_the_calendar(calendar: CalDavCalendar) -> None:
    """Ann withdraws the day after session 2's first reminder: the invite she has for it is cancelled."""
    process, record = TrainingProcess(P), training()
    effects = process.start(record, P.session_start(1) - timedelta(days=30))
    withdrawn_at = P.session_start(2) - timedelta(days=6)
    invited: dict[str, str] = {}
    while effects.wake_at is not None and effects.wake_at <= withdrawn_at:
        effects = process.wake(record, effects.wake_at)
        invited |= {str(event_of(ics(n))["UID"]): ics(n) for n in effects.notices if n.invite is not None}

    [cancelled] = process.receive(record, TrainingWithdrawn(), withdrawn_at).notices

    sent = ics(cancelled)
    request, cancel = event_of(invited[str(event_of(sent)["UID"])]), event_of(sent)
    assert str(Calendar.from_ical(sent)["METHOD"]) == "CANCEL"
    assert (str(cancel["UID"]), cancel.decoded("SEQUENCE"), str(cancel["STATUS"])) == (str(request["UID"]), 1, "CANCELLED")
    assert (request.decoded("SEQUENCE"), str(request["STATUS"])) == (0, "CONFIRMED")
    assert cancel.decoded("DTSTAMP") == withdrawn_at

    # a calendar app applies the cancellation to the event it keeps: the same resource, now cancelled
    assert calendar.put("session-2", invited[str(cancel["UID"])]).status_code == 201
    assert calendar.put("session-2", sent).status_code in (201, 204)
    stored = event_of(calendar.get("session-2"))
    assert (str(stored["STATUS"]), stored.decoded("SEQUENCE")) == ("CANCELLED", 1)
    assert (stored.decoded("DTSTART"), stored.decoded("DTEND")) == local_hours(2)


# -- by mail -----------------------------------------------------------------------------------------


def calendar_part(message: EmailMessage) -> str:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = part.get_content()
    assert isinstance(content, str)
    assert part.get_param("method") == str(Calendar.from_ical(content)["METHOD"])  # RFC 6047
    return content


async def test_an_invite_by_mail_names_its_recipient_and_the_program_office(smtp_server: SmtpServer, tmp_path: Path) -> None:
    settings = SmtpSettings(
        host="127.0.0.1",
        port=smtp_server.port,
        sender="coaching@esd112.test",
        sender_name="ESD 112 Coaching",
        reply_to="office@esd112.test",
    )
    activities = NoticeActivities(Outbox(sqlite_database(tmp_path)), Mailer(settings))

    for notice in (reminder(2), cancellation(3)):
        await activity_environment(SEND_NOTICE).run(activities.send_notice, notice)

    invite, cancel = (calendar_part(m) for m in smtp_server.inbox.to(ANN))
    assert invite == ics(reminder(2)) and cancel == ics(cancellation(3))
    event = event_of(invite)
    assert (str(event["ATTENDEE"]), str(event["ORGANIZER"])) == (f"mailto:{ANN}", "mailto:office@esd112.test")
    assert str(Calendar.from_ical(cancel)["METHOD"]) == "CANCEL"
