"""Turning a notice into a message: subject, plain text and HTML from one template, and the standard headers."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr
from functools import cache
from pathlib import Path

from jinja2 import Environment, StrictUndefined, Template

from domain.notices import Notice

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_MAX = 200
SIGNATURE = "Peer Coaching Program"  # how every template signs off
LINE_MAX = 78  # RFC 5322's recommended line length, which headers are folded to

_text = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_html = Environment(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True)
_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


@dataclass(frozen=True)
class Sender:
    """Who a district's mail comes from, and where replies go."""

    address: str = "peercoach@localhost"
    name: str = "Peer Coaching Program"
    reply_to: str | None = None


@dataclass(frozen=True)
class Letter:
    """A notice's words, the same in both parts: the plain text and the HTML rendered from the same template."""

    subject: str
    text: str
    html: str


@cache
def _sources(kind: str) -> tuple[str, str]:
    """The template file's first line is the subject, the rest the body; each is rendered on its own,
    so a line break inside a name cannot end the subject early."""
    source = (TEMPLATES / f"{kind}.txt.j2").read_text(encoding="utf-8")
    subject, _, body = source.partition("\n")
    return subject, body.lstrip("\n")


@cache
def _templates(kind: str) -> tuple[Template, Template, Template]:
    subject, body = _sources(kind)
    return _text.from_string(subject), _text.from_string(body), _html.from_string(body)


@cache
def _layout() -> Template:
    return _html.from_string((TEMPLATES / "layout.html.j2").read_text(encoding="utf-8"))


def render(notice: Notice) -> tuple[str, str]:
    """(subject, plain text) of a notice."""
    subject, body, _ = _templates(notice.kind.value)
    return one_line(subject.render(**notice.context))[:SUBJECT_MAX].rstrip(), body.render(**notice.context)


def letter(notice: Notice) -> Letter:
    """The subject, the plain text, and the same text as HTML: paragraphs, line breaks and links kept."""
    subject, text = render(notice)
    escaped = _templates(notice.kind.value)[2].render(**notice.context)  # what people typed is escaped here
    paragraphs = [
        "<br>\n".join(_LINK.sub(r'<a href="\g<0>">\g<0></a>', line) for line in block.strip().split("\n"))
        for block in re.split(r"\n\s*\n", escaped)
        if block.strip()
    ]
    return Letter(subject, text, _layout().render(subject=subject, paragraphs=paragraphs))


def without_greeting(text: str) -> str:
    """A message's words as a digest lists them: without its "Hello ...," and its closing signature."""
    lines = text.strip().split("\n")
    if lines and lines[0].startswith("Hello") and lines[0].endswith(","):
        lines = lines[1:]
    if lines and lines[-1].strip() == SIGNATURE:
        lines = lines[:-1]
    return "\n".join(lines).strip()


def one_line(text: str) -> str:
    """No line breaks or control characters: what goes into a header stays one header."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def message_id(key: str, recipient: str, sender: str) -> str:
    """The same notice to the same person is the same message, however often it is sent: receiving systems
    drop a copy with a Message-ID they have seen."""
    digest = hashlib.sha256(f"{key}|{recipient.lower()}".encode()).hexdigest()[:32]
    return f"<{digest}@{_domain(sender)}>"


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2] or "localhost"
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "localhost"


class _Policy(EmailPolicy):
    """email's default policy, except that a plain-ASCII Subject is folded at spaces after its first word: the
    default moves a subject that fits a line of its own onto the line after "Subject:", leaving the first empty.
    List-Unsubscribe is folded the same way, so its link is never turned into encoded words."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() in _AS_WRITTEN and value.isascii():
            return _fold(name, value, self.linesep)
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in _AS_WRITTEN and value.isascii():
            return _fold(name, value, self.linesep).encode("ascii")
        return super().fold_binary(name, value)


# Headers folded only at their spaces, never into encoded words: a mail app reads List-Unsubscribe's <URL> as written
# (RFC 2369), and a URL has no space to fold at, so it stays on one line (well under the 998 characters a line may hold).
_AS_WRITTEN = ("subject", "list-unsubscribe")


MAIL_POLICY = _Policy(linesep="\r\n")


def _fold(name: str, value: str, linesep: str) -> str:
    first, *rest = value.split() or [""]
    lines = [f"{name}: {first}"]
    for word in rest:
        if len(lines[-1]) + 1 + len(word) > LINE_MAX:
            lines.append("")
        lines[-1] += f" {word}"
    return linesep.join(lines) + linesep


def compose(
    sender: Sender, recipient: str, key: str, words: Letter, invite: str | None, sent_at: datetime, unsubscribe: str | None = None
) -> EmailMessage:
    """The message as it goes out: multipart/alternative (plain text, then HTML), and the invite attached.
    `unsubscribe` is the one-click link that turns this kind of notice off for the recipient (RFC 2369, RFC 8058)."""
    message = EmailMessage(policy=MAIL_POLICY)
    headers = {
        "From": formataddr((sender.name, sender.address)),
        "To": recipient,
        "Subject": words.subject,
        "Date": format_datetime(sent_at),
        "Message-ID": message_id(key, recipient, sender.address),
        "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies to a program's mail
    }
    if sender.reply_to:
        headers["Reply-To"] = sender.reply_to
    if unsubscribe is not None:  # a mail app's "Unsubscribe" button POSTs this to the link, without opening it
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in headers.items():
        message[name] = value
    message.set_content(words.text)
    message.add_alternative(words.html, subtype="html")
    if invite is not None:  # as text, so the part says charset=utf-8 and "Café" does not arrive as "CafÃ©"
        method = re.search(r"^METHOD:(\w+)", invite, re.MULTILINE)  # RFC 6047: the part names the calendar's method
        params = {"method": method[1]} if method else {}
        message.add_attachment(invite, subtype="calendar", filename="session.ics", params=params)
    return message
