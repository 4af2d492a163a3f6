"""Release time: substitute days a coach or collaborating teacher asks the principal for.

    requested -> approved -> booked -> used
        |           |          |
        |           +----------+--> cancelled (by the requester, before the day)
        +--> denied | expired (no decision in time) | cancelled

Each person has a yearly allowance by role (program setting). Days still pending
a decision are held against it, so two requests at once cannot overspend it.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from domain.problems import Refused
from domain.program import MAX_DAYS, Program
from domain.roster import Role

PURPOSE_MAX_CHARS = 500


class ReleaseStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    denied = "denied"
    expired = "expired"
    booked = "booked"
    used = "used"
    cancelled = "cancelled"


OPEN_STATUSES = (ReleaseStatus.requested, ReleaseStatus.approved, ReleaseStatus.booked)  # the program still has something to do
HOLDS_DAYS = (*OPEN_STATUSES, ReleaseStatus.used)
SYSTEM = "peercoach"  # the actor for moves the program makes on its own (expiry, booking, use)


class ReleaseRequest(BaseModel):
    id: str
    requester: str
    role: Role
    days: float
    on: date
    purpose: str
    partnership: str | None = None
    status: ReleaseStatus = ReleaseStatus.requested
    requested_at: datetime
    reminded_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    booking: str | None = None


class ReleaseLedgerRecord(BaseModel):
    """One school's release days for one program year."""

    cohort: str
    school: str
    school_year: str
    principal: str
    members: dict[str, Role] = Field(default_factory=dict)  # email -> role, coaches and teachers
    allowances: dict[Role, float]
    partnerships: dict[str, str] = Field(default_factory=dict)  # partnership id -> its coach
    requests: list[ReleaseRequest] = Field(default_factory=list)
    year_closed: bool = False  # the cohort has closed the year: the ledger ends once no request is open
    # Bumped each time the ledger publishes this record, so the read model keeps only the newest (store/read_model.py).
    revision: int = 0

    def allowance(self, email: str) -> float:
        role = self.members.get(email)
        return self.allowances.get(role, 0.0) if role else 0.0

    def held(self, email: str) -> float:
        return sum(r.days for r in self.requests if r.requester == email and r.status in HOLDS_DAYS)

    def remaining(self, email: str) -> float:
        return self.allowance(email) - self.held(email)

    def request(self, request_id: str) -> ReleaseRequest:
        for r in self.requests:
            if r.id == request_id:
                return r
        raise Refused(f"there is no release request {request_id}")


class ReleaseMachine(StateMachine):
    """A request's life as the diagram above reads. A person's move is refused by its validators, each
    saying why; expiring, booking and using are the program's own (a guard no person passes).

    Validators are given the request, its ledger and the move's details, and need no machine, so a
    refusal is asked for without building one (`_check`): a school's page asks it of every request."""

    requested = State("requested", initial=True, value=ReleaseStatus.requested)
    approved = State("approved", value=ReleaseStatus.approved)
    booked = State("booked", value=ReleaseStatus.booked)
    denied = State("denied", final=True, value=ReleaseStatus.denied)
    expired = State("expired", final=True, value=ReleaseStatus.expired)
    used = State("used", final=True, value=ReleaseStatus.used)
    cancelled = State("cancelled", final=True, value=ReleaseStatus.cancelled)

    approve = requested.to(approved, validators=["principal_decides", "reason_fits"])
    deny = requested.to(denied, validators=["principal_decides", "reason_fits"])
    expire = requested.to(expired, cond="by_program")
    book = approved.to(booked, cond="by_program")
    use = booked.to(used, cond="by_program")
    cancel = cancelled.from_(requested, approved, booked, validators=["requester_cancels", "before_the_day"])

    def __init__(self, request: ReleaseRequest):
        super().__init__(model=request, state_field="status")

    @staticmethod
    def principal_decides(ledger: ReleaseLedgerRecord, actor: str, **_: object) -> None:
        if actor != ledger.principal:
            raise Refused(f"only the principal of {ledger.school} ({ledger.principal}) decides its release requests")

    @staticmethod
    def reason_fits(reason: str | None = None, **_: object) -> None:
        if reason is not None and len(reason) > PURPOSE_MAX_CHARS:
            raise Refused(f"a reason is at most {PURPOSE_MAX_CHARS} characters")

    @staticmethod
    def requester_cancels(request: ReleaseRequest, actor: str, **_: object) -> None:
        if actor != request.requester:
            raise Refused(f"only {request.requester}, who asked for it, may cancel request {request.id}")

    @staticmethod
    def before_the_day(request: ReleaseRequest, today: date, **_: object) -> None:
        """The requester may cancel until the day itself; after that the day is used."""
        if today >= request.on:
            raise Refused(f"request {request.id} is for {request.on}; it can be cancelled only before that day")

    def by_program(self, actor: str) -> bool:
        return actor == SYSTEM

    def on_book(self, booking: str) -> None:
        self.model.booking = booking


class BookingOrder(BaseModel):
    """What the substitute desk needs to book cover for an approved request."""

    request: ReleaseRequest
    school: str
    principal: str


def days_text(days: float) -> str:
    whole = int(days) if days == int(days) else days
    return f"{whole} day" if days == 1 else f"{whole} days"


def request_id(ledger: ReleaseLedgerRecord, number: int) -> str:
    return f"{ledger.cohort}/{ledger.school}/{number}"


def ledger_of(request_id: str) -> tuple[str, str]:
    """(cohort, school) of a request id made by `request_id`."""
    parts = request_id.split("/")
    if len(parts) != 3 or not parts[2].isdigit():
        raise Refused(f"{request_id!r} is not a release request id (they look like cohort/school/3)")
    return parts[0], parts[1]


def check_school_day(program: Program, on: date) -> None:
    """A release day is a day a substitute covers a class: the schools must be open (the program's closed weekdays
    and holidays)."""
    closed = program.closed_on(on)
    if closed is not None:
        raise Refused(f"{on} is not a school day ({closed}); ask for a day the schools are open")


def check_request(
    ledger: ReleaseLedgerRecord,
    requester: str,
    days: float,
    on: date,
    purpose: str,
    today: date,
    partnership: str | None = None,
    program: Program | None = None,
) -> None:
    """Refuse, saying why, unless this request may be made; `program`, when given, refuses a day the schools are closed."""
    role = ledger.members.get(requester)
    if role is None:
        raise Refused(f"{requester} is not a coach or collaborating teacher at {ledger.school}")
    if not math.isfinite(days) or days <= 0 or not float(days * 2).is_integer():  # is_integer: 1e308 * 2 is infinite
        raise Refused(f"release time is asked for in half days (0.5, 1, 1.5 ...), not {days}")
    if on < today:
        raise Refused(f"{on} has already passed; ask for a day from {today} on")
    if on > today + timedelta(days=MAX_DAYS):
        raise Refused(f"{on} is more than a year away; ask for release time within the program year")
    if program is not None:
        check_school_day(program, on)
    if not purpose.strip():
        raise Refused("say what the release time is for (a purpose)")
    if len(purpose) > PURPOSE_MAX_CHARS:
        raise Refused(f"a purpose is at most {PURPOSE_MAX_CHARS} characters")
    if partnership is not None and partnership not in ledger.partnerships:
        raise Refused(f"there is no partnership {partnership} at {ledger.school}")
    remaining = ledger.remaining(requester)
    if days > remaining:
        raise Refused(
            f"{requester} has {days_text(remaining)} of release time left for {ledger.school_year} "
            f"(of {days_text(ledger.allowance(requester))}); {days_text(days)} is too many"
        )


def add_request(
    ledger: ReleaseLedgerRecord,
    requester: str,
    days: float,
    on: date,
    purpose: str,
    partnership: str | None,
    at: datetime,
    today: date,
    program: Program | None = None,
) -> ReleaseRequest:
    """Record a request (in place); `today` is the school's local date."""
    check_request(ledger, requester, days, on, purpose, today, partnership, program)
    request = ReleaseRequest(
        id=request_id(ledger, len(ledger.requests) + 1),
        requester=requester,
        role=ledger.members[requester],
        days=days,
        on=on,
        purpose=purpose.strip(),
        partnership=partnership,
        requested_at=at,
    )
    ledger.requests.append(request)
    return request


def decision_deadlines(request: ReleaseRequest, program: Program) -> tuple[datetime, datetime]:
    """(reminder, expiry) of a request nobody has decided: the principal is reminded (and, from
    then on, the requester is warned of the expiry date), then the request expires."""
    reminder = program.next_follow_up_time(request.requested_at + timedelta(days=program.release_reminder_days))
    expiry = program.next_follow_up_time(request.requested_at + timedelta(days=program.release_expires_days))
    return reminder, expiry


def check_decision(
    ledger: ReleaseLedgerRecord, request_id: str, actor: str, reason: str | None = None, *, approve: bool = True
) -> ReleaseRequest:
    """Refuse, saying why, unless this decision may be made now; changes nothing."""
    request = ledger.request(request_id)
    _check(ledger, request, _decision(approve), actor=actor, reason=reason)
    return request


def decide(
    ledger: ReleaseLedgerRecord, request_id: str, actor: str, approve: bool, at: datetime, reason: str | None = None
) -> ReleaseRequest:
    """The principal approves or denies (in place): an approved request is then booked by the program."""
    request = ledger.request(request_id)
    _move_by_person(ledger, request, _decision(approve), actor=actor, reason=reason)
    request.decided_by, request.decided_at, request.reason = actor, at, reason
    return request


def coach_to_tell(ledger: ReleaseLedgerRecord, request: ReleaseRequest) -> str | None:
    """The coach who hears about a decision: the requester if a coach, else the partnership's coach."""
    if request.role == Role.coach:
        return request.requester
    return ledger.partnerships.get(request.partnership or "")


def check_cancel(ledger: ReleaseLedgerRecord, request_id: str, actor: str, today: date) -> ReleaseRequest:
    """Refuse, saying why, unless this person may cancel the request today; changes nothing."""
    request = ledger.request(request_id)
    _check(ledger, request, "cancel", actor=actor, today=today)
    return request


def cancellable(ledger: ReleaseLedgerRecord, actor: str, today: date) -> set[str]:
    """The ids of the requests this person may still cancel (by the same rule as `check_cancel`)."""
    found = set()
    for r in ledger.requests:
        try:
            check_cancel(ledger, r.id, actor, today)
        except Refused:
            continue
        found.add(r.id)
    return found


def cancel(ledger: ReleaseLedgerRecord, request_id: str, actor: str, today: date) -> ReleaseRequest:
    request = ledger.request(request_id)
    _move_by_person(ledger, request, "cancel", actor=actor, today=today)
    return request


# What the program does on its own to a request (in place), when its time comes.


def expire(ledger: ReleaseLedgerRecord, request_id: str) -> ReleaseRequest:
    """Nobody decided in time: the days go back to the allowance."""
    return _move_by_program(ledger, request_id, "expire")


def book(ledger: ReleaseLedgerRecord, request_id: str, booking: str) -> ReleaseRequest:
    """The substitute desk has booked cover for an approved request."""
    return _move_by_program(ledger, request_id, "book", booking=booking)


def use(ledger: ReleaseLedgerRecord, request_id: str) -> ReleaseRequest:
    """A booked day has passed."""
    return _move_by_program(ledger, request_id, "use")


def _decision(approve: bool) -> str:
    return "approve" if approve else "deny"


def _move_by_program(ledger: ReleaseLedgerRecord, request_id: str, event: str, **details: Any) -> ReleaseRequest:
    request = ledger.request(request_id)
    try:
        ReleaseMachine(request).send(event, actor=SYSTEM, **details)
    except TransitionNotAllowed:
        raise Refused(f"request {request.id} is {request.status.value}; '{event}' is not possible now") from None
    return request


def _move_by_person(ledger: ReleaseLedgerRecord, request: ReleaseRequest, event: str, **details: Any) -> None:
    _check(ledger, request, event, **details)
    ReleaseMachine(request).send(event, request=request, ledger=ledger, **details)


def _check(ledger: ReleaseLedgerRecord, request: ReleaseRequest, event: str, **details: Any) -> None:
    """Refuse as the machine would refuse this person's move now, asking its diagram and validators."""
    for transition in ReleaseMachine.states_map[request.status].transitions:
        if transition.match(event):
            for validator in transition.validators:
                getattr(ReleaseMachine, str(validator.func))(request=request, ledger=ledger, **details)
            return
    raise Refused(f"request {request.id} is already {request.status.value}")
