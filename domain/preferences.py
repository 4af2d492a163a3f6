"""How often each person hears of each kind of notice: at once, in a daily digest, or not at all.

Each person chooses per kind of notice. What they may choose depends on the kind:

- Sign-in links, and notices that ask someone to act or lose something (a release request a
  principal must decide, its reminder, the warning that a request is about to lapse), go out
  at once whatever anyone chose. So do the notices that carry a calendar invite, which a
  digest cannot carry: a cancellation and a moved session must reach the calendar.
- Notices a person must still read (attendance to record, a stall, an address the mail server
  refused, a decision or a make-up) may wait for the day's digest but cannot be turned off.
- The rest are optional: at once, in the digest, or off. Only these carry a one-click
  unsubscribe link (RFC 8058), which turns that kind off for that person.

A person who chose nothing gets their role's defaults: a coordinator hears of attendance due,
stalls and undeliverable addresses in the daily digest; everything else comes at once.

A held notice is still one row of the outbox (per notice key and recipient, as a sent one);
the digest lists every row held for the person up to the time it is made, and is one message
a person and day (its key is `digest:<email>:<day>`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.notices import Notice, NoticeKind
from domain.roster import Role


class Frequency(StrEnum):
    immediate = "immediate"
    digest = "digest"
    off = "off"


AT_ONCE = (Frequency.immediate,)
HELD_OR_AT_ONCE = (Frequency.immediate, Frequency.digest)
OPTIONAL = (Frequency.immediate, Frequency.digest, Frequency.off)

# What each kind allows. A kind not named here (a new one, or the digest itself) goes out at once.
CHOICES: dict[NoticeKind, tuple[Frequency, ...]] = {
    NoticeKind.sign_in: AT_ONCE,
    NoticeKind.release_requested: AT_ONCE,  # the principal decides
    NoticeKind.release_reminder: AT_ONCE,  # the principal still has to decide
    NoticeKind.release_expiring: AT_ONCE,  # the requester has days to ask the principal
    NoticeKind.session_cancelled: AT_ONCE,  # its invite takes the session out of the calendar
    NoticeKind.session_reminder: (Frequency.immediate, Frequency.off),  # its invite cannot wait for a digest
    NoticeKind.attendance_due: HELD_OR_AT_ONCE,
    NoticeKind.stall_follow_up: HELD_OR_AT_ONCE,
    NoticeKind.stall_escalation: HELD_OR_AT_ONCE,
    NoticeKind.undeliverable: HELD_OR_AT_ONCE,
    NoticeKind.make_up: HELD_OR_AT_ONCE,
    NoticeKind.release_decided: HELD_OR_AT_ONCE,
    NoticeKind.plan_submitted: AT_ONCE,  # the principal endorses
    NoticeKind.year_two_asked: AT_ONCE,  # the principal decides
    NoticeKind.year_two_reminder: AT_ONCE,
    NoticeKind.assessment_open: HELD_OR_AT_ONCE,
    NoticeKind.assessment_reminder: HELD_OR_AT_ONCE,
    NoticeKind.plan_reminder: HELD_OR_AT_ONCE,
    NoticeKind.plan_overdue: HELD_OR_AT_ONCE,
    NoticeKind.year_two_overdue: HELD_OR_AT_ONCE,
    NoticeKind.plan_endorsed: OPTIONAL,
    NoticeKind.cohort_launched: OPTIONAL,
    NoticeKind.coaching_unlocked: OPTIONAL,
    NoticeKind.training_finished: OPTIONAL,
    NoticeKind.stage_moved: OPTIONAL,
    NoticeKind.release_expired: OPTIONAL,
    NoticeKind.substitute_booked: OPTIONAL,
    NoticeKind.board_mention: OPTIONAL,  # at once unless the person chooses otherwise
    NoticeKind.board_reply: OPTIONAL,
    NoticeKind.meeting_reminder: (Frequency.immediate, Frequency.off),  # the day of the meeting: a digest is too late
}

# Each kind in a person's words: the preferences page's labels and the digest's headings, in the digest's order
# (what a coordinator must correct first).
LABELS: dict[NoticeKind, str] = {
    NoticeKind.undeliverable: "Addresses the mail server refused",
    NoticeKind.stall_escalation: "Stalled partnerships (escalations)",
    NoticeKind.stall_follow_up: "Stalled partnerships (follow-ups)",
    NoticeKind.attendance_due: "Attendance to record",
    NoticeKind.make_up: "Make-up sessions",
    NoticeKind.release_decided: "Release time decisions",
    NoticeKind.release_expired: "Release time requests that lapsed",
    NoticeKind.substitute_booked: "Substitutes booked",
    NoticeKind.stage_moved: "Coaching partnership stage moves",
    NoticeKind.coaching_unlocked: "Coaching unlocked",
    NoticeKind.training_finished: "Training finished",
    NoticeKind.cohort_launched: "Cohort launched",
    NoticeKind.session_reminder: "Training session reminders",
    NoticeKind.plan_reminder: "School coaching plan reminders",
    NoticeKind.plan_overdue: "School coaching plans not endorsed in time",
    NoticeKind.plan_endorsed: "School coaching plan endorsed",
    NoticeKind.assessment_open: "Self-assessments to answer",
    NoticeKind.assessment_reminder: "Self-assessment reminders",
    NoticeKind.year_two_overdue: "Year-2 decisions not made in time",
    NoticeKind.board_mention: "Mentions on the discussion board",
    NoticeKind.board_reply: "Replies in discussion threads you follow",
    NoticeKind.meeting_reminder: "School meeting reminders",
}

DEFAULTS: dict[Role, dict[NoticeKind, Frequency]] = {
    Role.coordinator: {
        NoticeKind.attendance_due: Frequency.digest,
        NoticeKind.stall_follow_up: Frequency.digest,
        NoticeKind.stall_escalation: Frequency.digest,
        NoticeKind.undeliverable: Frequency.digest,
        NoticeKind.plan_overdue: Frequency.digest,
        NoticeKind.year_two_overdue: Frequency.digest,
    },
    Role.teacher: {NoticeKind.stage_moved: Frequency.immediate},
}


def _kind(kind: NoticeKind | str) -> NoticeKind | None:
    return NoticeKind(kind) if kind in NoticeKind._value2member_map_ else None


def choices(kind: NoticeKind | str) -> tuple[Frequency, ...]:
    known = _kind(kind)
    return CHOICES.get(known, AT_ONCE) if known else AT_ONCE


def optional(kind: NoticeKind | str) -> bool:
    """Whether a person may turn the kind off (and its messages carry an unsubscribe link)."""
    return Frequency.off in choices(kind)


def chosen_by_default(kind: NoticeKind | str, role: Role | None) -> Frequency:
    known = _kind(kind)
    default = DEFAULTS.get(role, {}).get(known, Frequency.immediate) if role and known else Frequency.immediate
    return default if default in choices(kind) else Frequency.immediate


def frequency(kind: NoticeKind | str, role: Role | None, chosen: Mapping[str, Frequency]) -> Frequency:
    """How this notice reaches a person of this role (in the notice's cohort) who made these choices."""
    pick = chosen.get(str(kind))
    return pick if pick is not None and pick in choices(kind) else chosen_by_default(kind, role)


class Choice(BaseModel):
    """One kind as a person's preferences show it."""

    kind: NoticeKind
    label: str
    allowed: list[Frequency]
    current: Frequency


def preferences_of(role: Role | None, chosen: Mapping[str, Frequency]) -> list[Choice]:
    """The kinds a person can choose for, in the digest's order, with what applies to them now."""
    return [
        Choice(kind=kind, label=label, allowed=list(choices(kind)), current=frequency(kind, role, chosen))
        for kind, label in LABELS.items()
        if len(choices(kind)) > 1
    ]


def check_choice(kind: str, picked: str) -> tuple[NoticeKind, Frequency]:
    """A choice as a form sends it; ValueError with the reason when the kind does not allow it."""
    if kind not in NoticeKind._value2member_map_:
        raise ValueError(f"there is no kind of notice {kind!r}")
    if picked not in Frequency._value2member_map_:
        raise ValueError(f"{picked!r} is not a choice: choose one of {', '.join(Frequency)}")
    if Frequency(picked) not in choices(kind):
        allowed = ", ".join(choices(kind))
        raise ValueError(f"{LABELS.get(NoticeKind(kind), kind)} can be: {allowed}")
    return NoticeKind(kind), Frequency(picked)


# -- the digest ----------------------------------------------------------------------------------


class Held(BaseModel):
    """A notice held for a person's digest, as the outbox kept it."""

    key: str
    kind: str
    subject: str
    text: str  # its words without the greeting and sign-off
    asked_at: datetime


def digest_day(at: datetime, timezone: str) -> date:
    """The day a digest made at `at` is for: the date in the program's zone."""
    return at.astimezone(ZoneInfo(timezone)).date()


def digest_key(email: str, day: date) -> str:
    return f"digest:{email.lower()}:{day.isoformat()}"


def digest(email: str, day: date, held: list[Held], preferences_url: str) -> Notice:
    """One message with every notice held for the person: grouped by kind in LABELS' order, each group by time."""
    order = {kind.value: n for n, kind in enumerate(LABELS)}
    ordered = sorted(held, key=lambda h: (order.get(h.kind, len(order)), h.asked_at, h.key))
    sections: list[str] = []
    for kind in dict.fromkeys(h.kind for h in ordered):
        group = [h for h in ordered if h.kind == kind]
        known = _kind(kind)
        label = LABELS.get(known, kind) if known else kind
        sections.append(f"{label} ({len(group)})")
        sections += [f"* {h.subject}\n{h.text.strip()}" for h in group]
    return Notice(
        key=digest_key(email, day),
        kind=NoticeKind.digest,
        to=[email],
        context={
            "day": day.strftime("%A %B %-d, %Y"),
            "count": len(held),
            "items": "\n\n".join(sections),
            "preferences": preferences_url,
        },
    )


# -- one-click unsubscribe ---------------------------------------------------------------------


def unsubscribe_token(secret: bytes, email: str, kind: NoticeKind | str) -> str:
    """The person and the kind, signed: only the program makes a link that turns someone's notices off."""
    payload = _b64(f"{email.lower()}\n{kind}".encode())
    return f"{payload}.{_b64(_mac(secret, payload))}"


def unsubscribed_by(secret: bytes, token: str) -> tuple[str, NoticeKind] | None:
    """Whose notices of which kind a token turns off; None for a token the program did not make, or a kind
    that cannot be turned off."""
    payload, _, mac = token.partition(".")
    if not token.isascii() or not hmac.compare_digest(_b64(_mac(secret, payload)), mac):  # compare_digest takes ASCII only
        return None
    try:
        email, _, kind = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().partition("\n")
    except (ValueError, UnicodeDecodeError):
        return None
    known = _kind(kind)
    return (email, known) if known and optional(known) else None


def _mac(secret: bytes, payload: str) -> bytes:
    return hmac.new(secret, f"unsubscribe:{payload}".encode(), hashlib.sha256).digest()[:18]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
