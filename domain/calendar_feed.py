"""What a person's calendar feed lists: their training sessions and their own release days.

A coach sees the eight sessions of their cohort's program, a coordinator every session of
the cohorts they run; both in the program's time zone and hours, as the email invites
give them. Release days are the person's own, once approved (booked and used too), as
all-day events saying only "Release day": a request's purpose and the principal's reason
stay with the request.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from domain.access import Member
from domain.notices import Invite, session_invite
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseStatus
from domain.roster import Role

SEES_SESSIONS = (Role.coach, Role.coordinator)
RELEASE_DAY_TAKEN = (ReleaseStatus.approved, ReleaseStatus.booked, ReleaseStatus.used)
RELEASE_DAY = "Release day"


class ReleaseDay(BaseModel):
    uid: str
    on: date
    days: float


class Feed(BaseModel):
    sessions: list[Invite]
    release_days: list[ReleaseDay]


class Membership(BaseModel):
    """One cohort the person is in, as the feed needs it."""

    cohort: str
    program: Program
    member: Member


def feed(email: str, memberships: list[Membership], ledgers: list[ReleaseLedgerRecord], at: datetime) -> Feed:
    """The person's entries; `ledgers` may hold anyone's requests, and only the person's own are kept."""
    sessions = [invite for m in memberships if m.member.role in SEES_SESSIONS for invite in _sessions(m.cohort, m.program, at)]
    days = [
        ReleaseDay(uid=f"release-{r.id}", on=r.on, days=r.days)
        for ledger in ledgers
        for r in ledger.requests
        if r.requester == email and r.status in RELEASE_DAY_TAKEN
    ]
    return Feed(sessions=sessions, release_days=sorted(days, key=lambda d: (d.on, d.uid)))


def _sessions(cohort: str, program: Program, at: datetime) -> list[Invite]:
    return [session_invite(cohort, program, s.number, at) for s in program.sessions]
