"""A school's release ledger as a process: requests, the principal's decisions, cancellations, and each
request's clock (the principal is reminded, then the request expires; a booked day is used at its end).

Its record is a `ReleaseLedgerRecord`; a request's rules are the machine in domain/release.py.
Every open request's next deadline is worked out from the record, so one wake-up, at the earliest
of them, serves them all. The ledger ends once the year is closed and no request is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, Field

from domain import notices, release
from domain.notices import Notice
from domain.processes.effects import Effects
from domain.program import Program
from domain.release import OPEN_STATUSES, BookingOrder, ReleaseLedgerRecord, ReleaseRequest, ReleaseStatus
from domain.roster import Role


class ReleaseAsk(BaseModel):
    requester: str
    days: float
    on: date
    purpose: str
    partnership: str | None = None


class Decision(BaseModel):
    request_id: str
    actor: str
    approve: bool
    reason: str | None = None


class Cancellation(BaseModel):
    request_id: str
    actor: str


class MemberAdded(BaseModel):
    """From the cohort: a coach or collaborating teacher of the school, who may ask for release days."""

    email: str
    role: Role


class PartnershipAtSchool(BaseModel):
    """From the cohort: a partnership at the school, whose coach hears of its teachers' requests."""

    id: str
    coach: str
    partners: list[str] = Field(default_factory=list)  # its collaborating teachers, who self-assess (the school's year)


class YearClosed(BaseModel):
    """From the cohort: the program year is over; the ledger ends once every open request has run its course."""


class Step(StrEnum):
    remind = "remind"  # nobody has decided yet: remind the principal, warn the requester of the expiry date
    expire = "expire"
    use = "use"


@dataclass(frozen=True)
class Due:
    """The next thing a request's clock asks for, and when."""

    at: datetime
    request: ReleaseRequest
    step: Step


R = TypeVar("R")


class LedgerProcess:
    def __init__(self, program: Program):
        self.program = program

    def start(self, record: ReleaseLedgerRecord, now: datetime) -> Effects[None]:
        # A new ledger is published at once, so its school's page shows it before anyone asks.
        return self._effects(record, None, changed=record.revision == 0)

    def check_request(self, record: ReleaseLedgerRecord, ask: ReleaseAsk, now: datetime) -> None:
        release.check_request(record, ask.requester, ask.days, ask.on, ask.purpose, self._today(now), ask.partnership, self.program)

    def request_release(self, record: ReleaseLedgerRecord, ask: ReleaseAsk, now: datetime) -> Effects[ReleaseRequest]:
        request = release.add_request(
            record, ask.requester, ask.days, ask.on, ask.purpose, ask.partnership, now, self._today(now), self.program
        )
        effects = self._effects(record, request, changed=True)
        effects.notices.append(notices.release_requested(record, request))
        return effects

    def check_decision(self, record: ReleaseLedgerRecord, decision: Decision) -> None:
        release.check_decision(record, decision.request_id, decision.actor, decision.reason, approve=decision.approve)

    def decide(self, record: ReleaseLedgerRecord, decision: Decision, now: datetime) -> Effects[ReleaseRequest]:
        """A denial is told now; an approval asks for cover (`bookings`), and is told once it is `booked`."""
        request = release.decide(record, decision.request_id, decision.actor, decision.approve, now, decision.reason)
        if request.status == ReleaseStatus.approved:
            effects = self._effects(record, request, changed=False)
            effects.bookings.append(BookingOrder(request=request.model_copy(), school=record.school, principal=record.principal))
            return effects
        effects = self._effects(record, request, changed=True)
        effects.notices.append(notices.release_decided(record, request, release.coach_to_tell(record, request)))
        return effects

    def booked(self, record: ReleaseLedgerRecord, request_id: str, booking: str, now: datetime) -> Effects[ReleaseRequest]:
        """The substitute desk has booked cover for an approved request: the principal and the requester hear."""
        request = release.book(record, request_id, booking)
        effects = self._effects(record, request, changed=True)
        effects.notices += [
            notices.substitute_booked(record, request),
            notices.release_decided(record, request, release.coach_to_tell(record, request)),
        ]
        return effects

    def check_cancel(self, record: ReleaseLedgerRecord, cancellation: Cancellation, now: datetime) -> None:
        release.check_cancel(record, cancellation.request_id, cancellation.actor, self._today(now))

    def cancel(self, record: ReleaseLedgerRecord, cancellation: Cancellation, now: datetime) -> Effects[ReleaseRequest]:
        request = release.cancel(record, cancellation.request_id, cancellation.actor, self._today(now))
        return self._effects(record, request, changed=True)

    def receive(self, record: ReleaseLedgerRecord, message: BaseModel, now: datetime) -> Effects[None]:
        """A message from the cohort."""
        if isinstance(message, MemberAdded):
            changed = record.members.get(message.email) != message.role
            record.members[message.email] = message.role
            return self._effects(record, None, changed=changed)
        if isinstance(message, PartnershipAtSchool):
            changed = record.partnerships.get(message.id) != message.coach
            record.partnerships[message.id] = message.coach
            return self._effects(record, None, changed=changed)
        if isinstance(message, YearClosed):
            record.year_closed = True  # nothing the pages show
            return self._effects(record, None, changed=False)
        raise TypeError(f"a release ledger does not take {type(message).__name__}")

    def wake(self, record: ReleaseLedgerRecord, now: datetime) -> Effects[None]:
        """Every request's clock: do what is due by now, earliest first (then in the order they were asked)."""
        told: list[Notice] = []
        steps = 0
        while (due := self._next_due(record)) is not None and due.at <= now:
            told += self._take(record, due, now)
            steps += 1
        effects = self._effects(record, None, changed=steps > 0)
        effects.notices += told
        return effects

    def _take(self, record: ReleaseLedgerRecord, due: Due, now: datetime) -> list[Notice]:
        request = due.request
        if due.step == Step.remind:
            request.reminded_at = now
            expires_on = self.program.local_date(release.decision_deadlines(request, self.program)[1])
            return [notices.release_reminder(record, request), notices.release_expiring(record, request, expires_on)]
        if due.step == Step.expire:
            release.expire(record, request.id)
            return [notices.release_expired(record, request)]
        release.use(record, request.id)
        return []

    def _next_due(self, record: ReleaseLedgerRecord) -> Due | None:
        dues = (due for due in map(self._due, record.requests) if due is not None)
        return min(dues, key=lambda due: due.at, default=None)  # min keeps the first asked of equal times

    def _due(self, request: ReleaseRequest) -> Due | None:
        if request.status == ReleaseStatus.requested:
            reminder, expiry = release.decision_deadlines(request, self.program)
            if request.reminded_at is None:
                return Due(reminder.astimezone(UTC), request, Step.remind)
            return Due(expiry.astimezone(UTC), request, Step.expire)
        if request.status == ReleaseStatus.booked:
            return Due(self.program.end_of_day(request.on).astimezone(UTC), request, Step.use)
        return None  # approved: its cover is being booked (`booked`); the rest have run their course

    def _effects(self, record: ReleaseLedgerRecord, reply: R, *, changed: bool) -> Effects[R]:
        due = self._next_due(record)
        done = record.year_closed and not any(r.status in OPEN_STATUSES for r in record.requests)
        effects = Effects(reply=reply, wake_at=None if due is None else due.at, done=done)
        if changed:
            record.revision += 1  # so the read model keeps only the newest of writes that land in any order
            effects.summary = record.model_copy(deep=True)
        return effects

    def _today(self, now: datetime) -> date:
        return self.program.local_date(now)
