"""Turning a notice into a message: subject and body from templates, and the .ics invite."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from icalendar import Calendar, Event
from jinja2 import Environment, StrictUndefined, Template

from domain.notices import Invite, Notice

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_MAX = 200

_env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@cache
def _templates(kind: str) -> tuple[Template, Template]:
    """The template file's first line is the subject, the rest the body; each is rendered on its own,
    so a line break inside a name cannot end the subject early."""
    source = (TEMPLATES / f"{kind}.txt.j2").read_text(encoding="utf-8")
    subject, _, body = source.partition("\n")
    return _env.from_string(subject), _env.from_string(body.lstrip("\n"))


def render(notice: Notice) -> tuple[str, str]:
    """(subject, body) of a notice."""
    subject, body = _templates(notice.kind.value)
    return one_line(subject.render(**notice.context))[:SUBJECT_MAX].rstrip(), body.render(**notice.context)


def one_line(text: str) -> str:
    """No line breaks or control characters: what goes into a header stays one header."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def calendar_invite(invite: Invite) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Peer Coaching Program//peercoach//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{one_line(invite.uid)}@peercoach")
    event.add("dtstamp", invite.starts)  # fixed, so a retried send produces the same invite
    event.add("dtstart", invite.starts)
    event.add("dtend", invite.ends)
    event.add("summary", one_line(invite.summary))
    event.add("location", one_line(invite.location))
    calendar.add_component(event)
    calendar.add_missing_timezones()  # RFC 5545: a TZID used must be defined in the file
    return calendar.to_ical().decode()
