"""Moving a training session once the cohort runs: a new date, new hours, another place.

Weather, a venue that falls through, a presenter who is ill: a coordinator moves a
session that has not begun. The program as changed must still be a program the
file could have held (eight sessions, in order, in its school year, each ending
after it starts), so it is checked by the same rules as the file. Each change to a
session counts up its sequence, which calendar apps use to apply an updated invite
over the one they hold (RFC 5545 SEQUENCE).
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ValidationError

from domain.problems import InvalidInput, Refused
from domain.program import Program, SessionFormat, TrainingSession, parse_program

REASON_MAX_CHARS = 300


class SessionChange(BaseModel):
    """A coordinator's change to one session: the session as it is to be, and why (told to every coach)."""

    actor: str
    session: TrainingSession
    reason: str  # checked with the change, so that its refusal is worded like the others


class SessionEdit(BaseModel):
    """What a coordinator changes of a session; what they leave out stays as it is."""

    starts_on: date | None = None
    days: int | None = None
    starts_at: time | None = None
    ends_at: time | None = None
    location: str | None = None
    format: SessionFormat | None = None

    def applied_to(self, session: TrainingSession) -> TrainingSession:
        changes = self.model_dump(exclude_none=True)
        if not changes:
            raise Refused("say what changes: the date, the number of days, the hours, the place or the format")
        try:
            return TrainingSession.model_validate(session.model_dump() | changes)
        except ValidationError as err:
            raise Refused("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())) from None


def changed_program(program: Program, change: SessionChange, now: datetime) -> Program:
    """The program with the session changed, or the reason it cannot be."""
    if not change.reason.strip():
        raise Refused("say why the session moves: every coach reads it with the new date")
    if len(change.reason) > REASON_MAX_CHARS:
        raise Refused(f"the reason is {len(change.reason)} characters; keep it to {REASON_MAX_CHARS}")
    new = change.session
    try:
        old = program.session(new.number)
    except KeyError as missing:
        raise Refused(str(missing.args[0])) from None
    if program.session_start(new.number) <= now:
        raise Refused(f"session {new.number} began on {old.starts_on:%A %B %-d, %Y}; only a session that has not begun can be moved")
    if old == new:
        raise Refused(f"session {new.number} already is on {old.starts_on:%A %B %-d, %Y} at {old.starts_at:%H:%M}, {_place(old)}")
    sessions = [new if s.number == new.number else s for s in program.sessions]
    try:
        changed = parse_program(program.model_copy(update={"sessions": sessions}).model_dump(mode="json"), "the change")
    except InvalidInput as invalid:
        raise Refused("; ".join(p.message for p in invalid.problems)) from None
    if changed.session_start(new.number) <= now:
        raise Refused(f"session {new.number} would begin on {new.starts_on:%A %B %-d, %Y} at {new.starts_at:%H:%M}, which has passed")
    return changed


def _place(session: TrainingSession) -> str:
    return session.location or session.format.value
