"""Awkward text in names, notes, purposes and titles comes out inert in emails and calendar invites.

Every kind of notice is built by the domain from generated text (right-to-left
marks, combining accents, emoji, NUL and other control characters, oversized
notes, `<script>` and `\\r\\nBcc:` attempts), rendered by `activities/messages.py`
and, for a share of them, sent through `send_notice` to a real aiosmtpd server.
What arrives has exactly the headers the program sets (one Subject, the one
recipient, no Bcc), its HTML part has only the layout's own tags (what people
typed is escaped), carries the text as written in its plain-text part, and its .ics parses with
icalendar into one event with only the program's properties.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from activities.invites import calendar_invite
from activities.messages import SUBJECT_MAX, Sender, one_line, render
from activities.names import SEND_NOTICE
from activities.notifications import Mailer, NoticeActivities
from domain import notices
from domain.cycle import NOTE_MAX_CHARS, Stage, apply_move
from domain.notices import Notice
from domain.release import add_request, decide, expire
from domain.roster import EMAIL
from store.outbox import Outbox
from tests.activities.conftest import SmtpServer, activity_environment, free_port, parse
from tests.activities.records import ledger, partnership, program, training
from tests.databases import sqlite_database
from tests.properties.inputs import PROPERTY, any_text, awkward_text
from tests.roster_fixtures import ANN, PRINCIPAL, TIA

SENT = itertools.count()
HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"}
LAYOUT_TAGS = {"!DOCTYPE", "html", "head", "meta", "title", "body", "div", "p", "br", "a"}
EVENT_PROPERTIES = {"UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "RRULE", "SUMMARY", "LOCATION", "STATUS", "ORGANIZER", "ATTENDEE"}
CALENDAR_PROPERTIES = {"PRODID", "VERSION", "METHOD"}


@st.composite
def awkward_notices(draw: st.DrawFn) -> Notice:
    """One notice of a kind that carries what people typed, built by the domain from generated text."""
    text = any_text if draw(st.booleans()) else awkward_text
    p = program(name=draw(text) or "P")
    p.sessions[1].title = draw(text) or "T"
    p.sessions[1].location = draw(text)
    kind = draw(st.sampled_from(["reminder", "moved", "requested", "decided", "expired", "make_up", "finished", "stall", "due"]))
    record = training(name=draw(text))
    if kind == "reminder":
        return notices.session_reminder(record, p, 2, draw(st.sampled_from([7, 1])), p.session_start(1))
    if kind == "make_up":
        return notices.make_up(record, p, 2, "absent")
    if kind == "finished":
        return notices.training_finished(record, p)
    if kind == "due":
        return notices.attendance_due("hazel-2026", [PRINCIPAL], ANN, p, 2)
    if kind in ("moved", "stall"):
        moving = partnership().model_copy(update={"focus": draw(text)})
        if kind == "stall":
            return notices.stall(moving, "follow_up", [ANN, TIA], 21)
        note = draw(text)[:NOTE_MAX_CHARS]
        return notices.stage_moved(moving, apply_move(moving, ANN, Stage.initiate, p.session_start(6), note))
    book = ledger(p)
    at = p.session_start(6)
    request = add_request(book, TIA, 0.5, date(2026, 10, 14), (draw(text).strip() or "x")[:500], None, at, at.date())
    if kind == "requested":
        return notices.release_requested(book, request)
    if kind == "expired":
        expire(book, request.id)
        return notices.release_expired(book, request)
    decide(book, request.id, PRINCIPAL, draw(st.booleans()), at + timedelta(hours=1), draw(text)[:500])
    return notices.release_decided(book, request, ANN)


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def assert_inert_invite(ics: str, summary: str, location: str) -> None:
    calendar = Calendar.from_ical(ics)
    assert set(calendar.keys()) == CALENDAR_PROPERTIES
    assert sorted(c.name for c in calendar.subcomponents) == ["VEVENT", "VTIMEZONE"]
    [event] = calendar.walk("VEVENT")
    assert set(event.keys()) == EVENT_PROPERTIES
    assert str(event["SUMMARY"]) == one_line(summary)
    assert str(event["LOCATION"]) == one_line(location)
    unfolded = ics.replace("\r\n ", "").split("\r\n")  # RFC 5545 folds long lines with CRLF and a space
    assert unfolded.count("BEGIN:VEVENT") == 1


@settings(PROPERTY, max_examples=500)
@given(notice=awkward_notices())
def test_a_rendered_message_keeps_what_people_typed_out_of_its_headers(notice: Notice) -> None:
    subject, body = render(notice)

    assert subject.isprintable() and "\n" not in subject and len(subject) <= SUBJECT_MAX
    assert subject == subject.strip()
    assert body.strip()
    if notice.invite is not None:
        assert_inert_invite(calendar_invite(notice.invite, ANN, Sender()), notice.invite.summary, notice.invite.location)


# -- through a real SMTP server -----------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outbox]:
    database = sqlite_database(tmp_path_factory.mktemp("outbox"))
    yield Outbox(database)
    database.dispose()


def header_names(raw: bytes) -> list[str]:
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")
    return [line.split(":", 1)[0] for line in head.split("\n") if line and not line[0].isspace()]


recipients = st.one_of(
    st.just(ANN), st.from_regex(EMAIL, fullmatch=True, alphabet=st.characters(codec="ascii")).filter(lambda e: len(e) < 80)
)


@settings(PROPERTY, max_examples=120)
@given(notice=awkward_notices(), recipient=recipients)
def test_a_sent_message_has_the_programs_headers_and_inert_html(smtp: SmtpServer, outbox: Outbox, notice: Notice, recipient: str) -> None:
    smtp.inbox.envelopes.clear()
    notice = notice.model_copy(update={"key": f"{notice.key}:{next(SENT)}", "to": [recipient]})  # a new key: each example is sent
    activities = NoticeActivities(outbox, Mailer(smtp.settings))
    subject, body = render(notice)

    assert asyncio.run(activity_environment(SEND_NOTICE).run(activities.send_notice, notice)) == 1

    [envelope] = smtp.inbox.envelopes
    assert envelope.rcpt_tos == [recipient]
    assert isinstance(envelope.content, bytes)
    assert sorted(header_names(envelope.content)) == sorted(HEADERS), envelope.content[:600]
    message = parse(envelope)
    assert message["To"] == recipient
    # Python's header folding drops a space that falls between two encoded words: compare the words. A person who
    # types an encoded word ("=?utf-8?q?...?=") sees it decoded by mail readers, still inside the one Subject.
    if "=?" not in subject:
        assert "".join(message["Subject"].split()) == "".join(subject.split())
    parts = list(message.walk())
    assert [p.get_content_type() for p in parts if not p.is_multipart()] == (
        ["text/plain", "text/html", "text/calendar"] if notice.invite else ["text/plain", "text/html"]
    )
    html = next(p for p in parts if p.get_content_type() == "text/html")
    assert isinstance(html, EmailMessage)
    assert set(re.findall(r"</?(!?\w+)", html.get_content())) <= LAYOUT_TAGS, "markup in a name is escaped, never rendered"
    text = next(p for p in parts if p.get_content_type() == "text/plain")
    assert isinstance(text, EmailMessage)
    assert lines(text.get_content()) == lines(body)
    if notice.invite is not None:
        [ics] = [p for p in parts if p.get_content_type() == "text/calendar"]
        assert isinstance(ics, EmailMessage)
        assert_inert_invite(ics.get_content(), notice.invite.summary, notice.invite.location)
