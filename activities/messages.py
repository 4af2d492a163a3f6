"""Turning a notice into a message: subject and body from templates, and the .ics invite."""

from __future__ import annotations

from pathlib import Path

from icalendar import Calendar, Event
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.notices import Invite, Notice

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_MAX = 200

_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def render(notice: Notice) -> tuple[str, str]:
    """(subject, body). The template's first line is the subject, the rest the body."""
    text = _env.get_template(f"{notice.kind.value}.txt.j2").render(**notice.context)
    subject, _, body = text.partition("\n")
    return one_line(subject)[:SUBJECT_MAX], body.lstrip("\n")


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
    return calendar.to_ical().decode()
