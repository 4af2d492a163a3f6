"""What the program tells people, and when each message counts as the same message.

Each notice has a business key (for example `reminder:<cohort>:<email>:session-3:7d`):
sending the same key twice delivers once. The wording lives in the templates of
`activities/templates/`; here is only who is told what. Notices that can reach a
principal carry stages, dates and counts, never the text of a note.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.cycle import Move, PartnershipRecord
from domain.meetings import MeetingSeries, SeriesStatus, pattern_days, repetition, skipped_days
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseRequest, days_text
from domain.school_year import SchoolYearRecord
from domain.tiers import Round
from domain.training import TrainingRecord


class NoticeKind(StrEnum):
    cohort_launched = "cohort_launched"
    session_reminder = "session_reminder"
    session_cancelled = "session_cancelled"
    session_changed = "session_changed"
    attendance_due = "attendance_due"
    make_up = "make_up"
    coaching_unlocked = "coaching_unlocked"
    training_finished = "training_finished"
    stage_moved = "stage_moved"
    stall_follow_up = "stall_follow_up"
    stall_escalation = "stall_escalation"
    release_requested = "release_requested"
    release_reminder = "release_reminder"
    release_decided = "release_decided"
    release_expired = "release_expired"
    release_expiring = "release_expiring"
    substitute_booked = "substitute_booked"
    sign_in = "sign_in"
    undeliverable = "undeliverable"
    plan_submitted = "plan_submitted"
    plan_endorsed = "plan_endorsed"
    plan_reminder = "plan_reminder"
    plan_overdue = "plan_overdue"
    assessment_open = "assessment_open"
    assessment_reminder = "assessment_reminder"
    year_two_asked = "year_two_asked"
    year_two_reminder = "year_two_reminder"
    year_two_overdue = "year_two_overdue"
    application_received = "application_received"
    endorsement_asked = "endorsement_asked"
    application_reminder = "application_reminder"
    endorsement_reminder = "endorsement_reminder"
    application_endorsed = "application_endorsed"
    application_placed = "application_placed"
    applications_closed = "applications_closed"
    coaching_concluded = "coaching_concluded"
    digest = "digest"  # the day's held notices in one message (domain/preferences.py)
    meeting_invited = "meeting_invited"  # a school's recurring meeting: set up or changed (domain/meetings.py)
    meeting_cancelled = "meeting_cancelled"
    meeting_reminder = "meeting_reminder"
    board_mention = "board_mention"  # someone mentioned you on the discussion board (domain/board.py)
    board_reply = "board_reply"  # a new reply in a thread you follow
    lesson_agreement_asked = "lesson_agreement_asked"  # a lesson from your cycle waits for your agreement (domain/lessons.py)
    help_asked = "help_asked"  # a teacher's quick question to their coach (domain/help.py)
    help_reminder = "help_reminder"
    help_answered = "help_answered"


class InviteMethod(StrEnum):
    request = "REQUEST"  # put the session in the calendar, or bring it up to date
    cancel = "CANCEL"  # take it out


class Invite(BaseModel):
    """A training session as a calendar event (.ics, made by activities/invites.py for each recipient).

    The hours are the program file's wall times with the zone's name: a datetime that crosses
    Temporal as JSON keeps its offset and loses its zone, and the calendar needs the zone for a
    session's later days and for the change to or from daylight saving time between them.
    """

    method: InviteMethod = InviteMethod.request
    uid: str  # the session's; the recipient's address is added as the invite is made for them
    sequence: int = 0  # goes up with each change a calendar app is to apply (RFC 5545)
    made_at: datetime  # when the notice was made: a retried send makes the same invite
    summary: str
    location: str
    timezone: str
    starts_on: date
    days: int = 1
    starts_at: time  # the hours of each day of the session
    ends_at: time
    # A recurring meeting (domain/meetings.py): its RRULE without the end, its last day, and the days it skips.
    rrule: str | None = None
    until: date | None = None
    exdates: list[date] = Field(default_factory=list)

    def cancelled(self) -> Invite:
        return self.model_copy(update={"method": InviteMethod.cancel, "sequence": self.sequence + 1})


# Said in a message's place of words that are private to a partnership (a note), wherever the message is kept.
NOT_KEPT = "(not kept here: notes are private to the partnership; read it on the partnership's page)"


class Notice(BaseModel):
    key: str
    kind: NoticeKind
    to: list[str]
    context: dict[str, str | int | float | None]
    invite: Invite | None = None
    # Context that is private to the recipients (a coach's note to their partners): it goes into the message they
    # receive, never into the outbox (which coordinators read, and which is kept in the database in plain text).
    private: list[str] = Field(default_factory=list)

    def as_kept(self) -> Notice:
        """The notice as the outbox keeps it, and as a digest retells it: private words replaced by `NOT_KEPT`."""
        hidden = {k: NOT_KEPT for k in self.private if self.context.get(k)}
        return self.model_copy(update={"context": self.context | hidden}) if hidden else self


def cohort_launched(cohort: str, program: Program, coordinators: list[str], coaches: int, partnerships: int) -> Notice:
    return Notice(
        key=f"launched:{cohort}",
        kind=NoticeKind.cohort_launched,
        to=coordinators,
        context={"cohort": cohort, "program": program.name, "coaches": coaches, "partnerships": partnerships},
    )


def session_invite(cohort: str, program: Program, session: int, at: datetime, sequence: int = 0) -> Invite:
    """A training session as a calendar event: in an email's invite and in a person's calendar feed alike.
    `sequence` counts the session's changes since the launch."""
    s = program.session(session)
    return Invite(
        uid=f"{cohort}-session-{session}",
        sequence=sequence,
        made_at=at,
        summary=f"{program.name}: session {session}, {s.title}",
        location=s.location or s.format.value,
        timezone=program.timezone,
        starts_on=s.starts_on,
        days=s.days,
        starts_at=s.starts_at.replace(tzinfo=None),  # the program's time zone applies, as in its calendar
        ends_at=s.ends_at.replace(tzinfo=None),
    )


def _session_context(record: TrainingRecord, program: Program, session: int) -> dict[str, str | int | None]:
    s = program.session(session)
    return {
        "name": record.name,
        "program": program.name,
        "session": session,
        "title": s.title,
        "starts_on": s.starts_on.strftime("%A %B %-d, %Y"),
    }


def _sequence(record: TrainingRecord, session: int) -> int:
    moved = record.rescheduled.get(session)
    return moved.sequence if moved else 0


def _session_key(record: TrainingRecord, session: int) -> str:
    """A moved session's notices are new messages: its reminders go out again, for the new date."""
    sequence = _sequence(record, session)
    return f"{record.cohort}:{record.coach}:session-{session}" + (f".{sequence}" if sequence else "")


def session_reminder(record: TrainingRecord, program: Program, session: int, days_before: int, at: datetime) -> Notice:
    s = program.session(session)
    return Notice(
        key=f"reminder:{_session_key(record, session)}:{days_before}d",
        kind=NoticeKind.session_reminder,
        to=[record.coach],
        context={
            **_session_context(record, program, session),
            "days_before": days_before,
            "days": s.days,
            "format": s.format.value,
            "location": s.location,
        },
        invite=session_invite(record.cohort, program, session, at, _sequence(record, session)),
    )


def session_changed(record: TrainingRecord, program: Program, session: int, reason: str, at: datetime) -> Notice:
    """A session the coach is to attend moved (its date, hours or place): the updated invite replaces the old one."""
    s = program.session(session)
    return Notice(
        key=f"changed:{_session_key(record, session)}",
        kind=NoticeKind.session_changed,
        to=[record.coach],
        context={
            **_session_context(record, program, session),
            "days": s.days,
            "starts_at": s.starts_at.strftime("%-I:%M %p"),
            "ends_at": s.ends_at.strftime("%-I:%M %p"),
            "format": s.format.value,
            "location": s.location,
            "reason": reason,
        },
        invite=session_invite(record.cohort, program, session, at, _sequence(record, session)),
    )


def session_cancelled(record: TrainingRecord, program: Program, session: int, at: datetime) -> Notice:
    """A session the coach was invited to and will not attend (they withdrew): its invite is cancelled."""
    return Notice(
        key=f"cancelled:{record.cohort}:{record.coach}:session-{session}",
        kind=NoticeKind.session_cancelled,
        to=[record.coach],
        context=_session_context(record, program, session),
        invite=session_invite(record.cohort, program, session, at, _sequence(record, session)).cancelled(),
    )


def attendance_due(cohort: str, coordinators: list[str], coach: str, program: Program, session: int) -> Notice:
    return Notice(
        key=f"attendance-due:{cohort}:{coach}:session-{session}",
        kind=NoticeKind.attendance_due,
        to=coordinators,
        context={"coach": coach, "session": session, "title": program.session(session).title, "cohort": cohort},
    )


def make_up(record: TrainingRecord, program: Program, session: int, status: str) -> Notice:
    return Notice(
        key=f"make-up:{record.cohort}:{record.coach}:session-{session}",
        kind=NoticeKind.make_up,
        to=[record.coach, *record.coordinators],
        context={"name": record.name, "coach": record.coach, "session": session, "title": program.session(session).title, "status": status},
    )


def coaching_unlocked(record: TrainingRecord, program: Program) -> Notice:
    return Notice(
        key=f"unlocked:{record.cohort}:{record.coach}",
        kind=NoticeKind.coaching_unlocked,
        to=[record.coach],
        context={"name": record.name, "session": program.coaching_unlocks_after},
    )


def training_finished(record: TrainingRecord, program: Program) -> Notice:
    attended = sum(1 for e in record.attendance.values() if e.status in ("attended", "made_up"))
    return Notice(
        key=f"finished:{record.cohort}:{record.coach}",
        kind=NoticeKind.training_finished,
        to=[record.coach],
        context={"name": record.name, "program": program.name, "status": record.status.value, "attended": attended},
    )


def stage_moved(record: PartnershipRecord, move: Move) -> Notice:
    """Tell the collaborating teachers; the coach made the move and knows."""
    return Notice(
        key=f"moved:{record.cohort}:{record.id}:{len(record.moves)}",
        kind=NoticeKind.stage_moved,
        to=record.partners,
        context={
            "coach": record.coach,
            "focus": record.focus,
            "source": move.source.label,
            "target": move.target.label,
            "cycle": move.cycle,
            "note": move.note,
        },
        private=["note"],
    )


def stall(record: PartnershipRecord, kind: str, to: list[str], days: int) -> Notice:
    return Notice(
        key=f"stall:{record.cohort}:{record.id}:{len(record.moves)}:{record.stall.steps_sent}",
        kind=NoticeKind.stall_escalation if kind == "escalation" else NoticeKind.stall_follow_up,
        to=to,
        context={
            "partnership": record.id,
            "coach": record.coach,
            "partners": ", ".join(record.partners),
            "focus": record.focus,
            "stage": record.stage.label,
            "days": days,
            "school": record.school,
        },
    )


def _request_context(ledger: ReleaseLedgerRecord, request: ReleaseRequest) -> dict[str, str | int | float | None]:
    return {
        "id": request.id,
        "requester": request.requester,
        "days": days_text(request.days),
        "on": request.on.strftime("%A %B %-d, %Y"),
        "purpose": request.purpose,
        "school": ledger.school,
        "remaining": days_text(ledger.remaining(request.requester)),
        "status": request.status.value,
        "reason": request.reason,
        "booking": request.booking,
    }


def release_requested(ledger: ReleaseLedgerRecord, request: ReleaseRequest) -> Notice:
    return Notice(
        key=f"release-requested:{request.id}",
        kind=NoticeKind.release_requested,
        to=[ledger.principal],
        context=_request_context(ledger, request),
    )


def release_reminder(ledger: ReleaseLedgerRecord, request: ReleaseRequest) -> Notice:
    return Notice(
        key=f"release-reminder:{request.id}",
        kind=NoticeKind.release_reminder,
        to=[ledger.principal],
        context=_request_context(ledger, request),
    )


def release_expiring(ledger: ReleaseLedgerRecord, request: ReleaseRequest, expires_on: date) -> Notice:
    """The requester hears that nobody has decided yet, and when the request will lapse: time to ask the principal."""
    return Notice(
        key=f"release-expiring:{request.id}",
        kind=NoticeKind.release_expiring,
        to=[request.requester],
        context={**_request_context(ledger, request), "principal": ledger.principal, "expires_on": expires_on.strftime("%A %B %-d, %Y")},
    )


def release_expired(ledger: ReleaseLedgerRecord, request: ReleaseRequest) -> Notice:
    return Notice(
        key=f"release-expired:{request.id}",
        kind=NoticeKind.release_expired,
        to=[request.requester, ledger.principal],
        context=_request_context(ledger, request),
    )


def release_decided(ledger: ReleaseLedgerRecord, request: ReleaseRequest, coach: str | None) -> Notice:
    """Approved: the requester, the coach and the principal hear; denied: the requester."""
    to = [request.requester]
    if request.status in ("approved", "booked"):
        to += [coach] if coach else []
        to.append(ledger.principal)
    return Notice(
        key=f"release-decided:{request.id}",
        kind=NoticeKind.release_decided,
        to=list(dict.fromkeys(to)),
        context=_request_context(ledger, request),
    )


def substitute_booked(ledger: ReleaseLedgerRecord, request: ReleaseRequest) -> Notice:
    return Notice(
        key=f"substitute-booked:{request.id}",
        kind=NoticeKind.substitute_booked,
        to=[ledger.principal],
        context=_request_context(ledger, request),
    )


def sign_in_link(email: str, link: str, minutes: int, token_id: str) -> Notice:
    """A one-time link to the web app; its key is the token's, so a retried send delivers it once."""
    return Notice(key=f"sign-in:{token_id}", kind=NoticeKind.sign_in, to=[email], context={"link": link, "minutes": minutes})


def undeliverable(cohort: str, coordinators: list[str], address: str, reply: str) -> Notice:
    """The mail server refused an address for good: the cohort's coordinators hear once per address, to correct the roster."""
    return Notice(
        key=f"undeliverable:{cohort}:{address.lower()}",
        kind=NoticeKind.undeliverable,
        to=coordinators,
        context={"cohort": cohort, "address": address, "reply": reply},
    )


# A person's own notices, filed under no cohort, so no cohort's outbox page lists them: a sign-in link and a digest
# (a person's, across cohorts), and just-in-time help, which is between a teacher and their coach and never shown to a
# coordinator (domain/help.py). Their keys start with the kind's value, dashed.
# An application's notices (domain/application_notices.py) are an offering's, before any cohort: keyed
# `application:<offering>:...`, filed under no cohort either.
APPLICATION_KEY = "application"
PERSONAL_KINDS = (
    NoticeKind.sign_in,
    NoticeKind.digest,
    NoticeKind.help_asked,
    NoticeKind.help_reminder,
    NoticeKind.help_answered,
    NoticeKind.application_received,
    NoticeKind.endorsement_asked,
    NoticeKind.application_reminder,
    NoticeKind.endorsement_reminder,
    NoticeKind.application_endorsed,
    NoticeKind.application_placed,
    NoticeKind.applications_closed,
    NoticeKind.coaching_concluded,
)
_PERSONAL_KEYS = {k.value.replace("_", "-") for k in PERSONAL_KINDS} | {APPLICATION_KEY}


def cohort_of(key: str) -> str | None:
    """The cohort a notice's key names, right after the kind; None for a person's own notice (`PERSONAL_KINDS`)."""
    kind, _, rest = key.partition(":")
    if kind in _PERSONAL_KEYS or not rest:
        return None
    return re.split(r"[:/]", rest, maxsplit=1)[0]


# -- did coaching work: a school's plan, self-assessments and year-2 decision ------------------
# These carry counts, dates and statuses: never an answer, a note or a reflection.


def _school(record: SchoolYearRecord) -> dict[str, str | int | float | None]:
    return {"school": record.school_name, "cohort": record.cohort}


def plan_submitted(record: SchoolYearRecord, deadline: str) -> Notice:
    assert record.plan is not None
    return Notice(
        key=f"plan-submitted:{record.cohort}:{record.school}:v{record.plan.version}",
        kind=NoticeKind.plan_submitted,
        to=[record.principal],
        context=_school(record) | {"written_by": record.plan.written_by, "goals": len(record.plan.goals), "deadline": deadline},
    )


def plan_endorsed(record: SchoolYearRecord) -> Notice:
    assert record.plan is not None
    return Notice(
        key=f"plan-endorsed:{record.cohort}:{record.school}:v{record.plan.version}",
        kind=NoticeKind.plan_endorsed,
        to=[c for c in record.coaches if c not in record.left],
        context=_school(record) | {"principal": record.principal},
    )


def _plan_status(record: SchoolYearRecord) -> str:
    return "not written yet" if record.plan is None else record.plan.status.value


def plan_reminder(record: SchoolYearRecord, deadline: str) -> Notice:
    """The principal and the coaches: whoever holds the plan up, it is theirs together."""
    return Notice(
        key=f"plan-reminder:{record.cohort}:{record.school}",
        kind=NoticeKind.plan_reminder,
        to=[record.principal, *(c for c in record.coaches if c not in record.left)],
        context=_school(record) | {"status": _plan_status(record), "deadline": deadline},
    )


def plan_overdue(record: SchoolYearRecord, deadline: str) -> Notice:
    return Notice(
        key=f"plan-overdue:{record.cohort}:{record.school}",
        kind=NoticeKind.plan_overdue,
        to=record.coordinators,
        context=_school(record) | {"status": _plan_status(record), "deadline": deadline, "principal": record.principal},
    )


def _assessment_key(record: SchoolYearRecord, round: Round, email: str) -> str:
    return f"{record.cohort}:{record.school}:{round.value}" + (f":{email}" if email else "")


def assessment_open(record: SchoolYearRecord, program: Program, round: Round, people: list[str], due: str, email: str) -> Notice:
    """`email`: one person whose own window opened when they joined; empty for the school's round."""
    return Notice(
        key=f"assessment:{_assessment_key(record, round, email)}",
        kind=NoticeKind.assessment_open,
        to=people,
        context=_school(record) | {"round": round.label, "instrument": program.tiers.name, "due": due},
    )


def assessment_reminder(record: SchoolYearRecord, program: Program, round: Round, people: list[str], due: str, email: str) -> Notice:
    return Notice(
        key=f"assessment-reminder:{_assessment_key(record, round, email)}",
        kind=NoticeKind.assessment_reminder,
        to=people,
        context=_school(record) | {"round": round.label, "instrument": program.tiers.name, "due": due},
    )


def year_two_asked(record: SchoolYearRecord, undecided: int, deadline: str) -> Notice:
    return Notice(
        key=f"year-two:{record.cohort}:{record.school}",
        kind=NoticeKind.year_two_asked,
        to=[record.principal],
        context=_school(record) | {"undecided": undecided, "deadline": deadline},
    )


def year_two_reminder(record: SchoolYearRecord, undecided: int, deadline: str) -> Notice:
    return Notice(
        key=f"year-two-reminder:{record.cohort}:{record.school}",
        kind=NoticeKind.year_two_reminder,
        to=[record.principal],
        context=_school(record) | {"undecided": undecided, "deadline": deadline},
    )


def year_two_overdue(record: SchoolYearRecord, undecided: int, deadline: str) -> Notice:
    return Notice(
        key=f"year-two-overdue:{record.cohort}:{record.school}",
        kind=NoticeKind.year_two_overdue,
        to=record.coordinators,
        context=_school(record) | {"undecided": undecided, "deadline": deadline, "principal": record.principal},
    )


# -- a school's recurring meetings (domain/meetings.py) ------------------------------------------


def meeting_invite(series: MeetingSeries, program: Program, at: datetime) -> Invite:
    """The whole series as one recurring event: its first day of the pattern, the RRULE to its last, holidays excluded."""
    return Invite(
        method=InviteMethod.cancel if series.status == SeriesStatus.cancelled else InviteMethod.request,
        uid=f"{series.cohort}-meeting-{series.id}",
        sequence=series.sequence,
        made_at=at,
        summary=series.title,
        location=series.place,
        timezone=series.timezone,
        starts_on=pattern_days(series)[0],
        starts_at=series.starts_at,
        ends_at=series.ends_at,
        rrule=repetition(series),
        until=series.last_day,
        exdates=skipped_days(series, program),
    )


def _meeting_context(series: MeetingSeries) -> dict[str, str | int | float | None]:
    return {
        "title": series.title,
        "place": series.place,
        "coach": series.coach,
        "starts_at": series.starts_at.strftime("%-I:%M %p"),
        "ends_at": series.ends_at.strftime("%-I:%M %p"),
        "first_day": series.first_day.strftime("%A %B %-d, %Y"),
        "last_day": series.last_day.strftime("%A %B %-d, %Y"),
    }


def meeting_invited(series: MeetingSeries, program: Program, at: datetime, to: list[str]) -> Notice:
    """The series' invite, new (sequence 0) or changed: one message per version of the series."""
    return Notice(
        key=f"meeting:{series.cohort}:{series.id}:v{series.sequence}",
        kind=NoticeKind.meeting_invited,
        to=to,
        context=_meeting_context(series) | {"changed": series.sequence > 0},
        invite=meeting_invite(series, program, at),
    )


def meeting_cancelled(series: MeetingSeries, program: Program, at: datetime, to: list[str]) -> Notice:
    """The series is cancelled (or these people are no longer invited): their calendars take it out."""
    invite = meeting_invite(series, program, at).model_copy(update={"method": InviteMethod.cancel})
    return Notice(
        key=f"meeting-cancelled:{series.cohort}:{series.id}:v{series.sequence}",
        kind=NoticeKind.meeting_cancelled,
        to=to,
        context=_meeting_context(series),
        invite=invite,
    )


def meeting_reminder(series: MeetingSeries, on: date) -> Notice:
    return Notice(
        key=f"meeting-reminder:{series.cohort}:{series.id}:{on.isoformat()}",
        kind=NoticeKind.meeting_reminder,
        to=[series.coach, *series.invitees],
        context=_meeting_context(series) | {"on": on.strftime("%A %B %-d, %Y")},
    )


# -- the discussion board (domain/board.py) --------------------------------------------------
# Who wrote in which thread, and where to read it: never what the post says, so the outbox keeps no post.
# A program-wide thread's key names no cohort: `BOARD_PROGRAM_KEY` is no cohort id (one starts with a letter or digit).

BOARD_PROGRAM_KEY = "*"


def _board(cohort: str | None, title: str, by: str, path: str, web_url: str) -> dict[str, str | int | float | None]:
    return {"thread": title, "by": by, "path": path, "address": f"{web_url.rstrip('/')}{path}", "where": cohort}


def board_mention(cohort: str | None, thread: int, post: int, title: str, by: str, path: str, web_url: str, to: list[str]) -> Notice:
    """`by`: the name of who mentioned them; `path`: the post's place in the web app."""
    return Notice(
        key=f"board-mention:{cohort or BOARD_PROGRAM_KEY}:{thread}:{post}",
        kind=NoticeKind.board_mention,
        to=to,
        context=_board(cohort, title, by, path, web_url),
    )


def board_reply(cohort: str | None, thread: int, post: int, title: str, by: str, path: str, web_url: str, to: list[str]) -> Notice:
    return Notice(
        key=f"board-reply:{cohort or BOARD_PROGRAM_KEY}:{thread}:{post}",
        kind=NoticeKind.board_reply,
        to=to,
        context=_board(cohort, title, by, path, web_url),
    )


# -- just-in-time help: a teacher's question to their coach (domain/help.py) ------------------------
# Only the teacher and the coach hear of a question; its words are never in a notice, and an answer's only in the
# message to the teacher (`private`: the outbox keeps none).


def help_asked(cohort: str, request: str, teacher: str, coach: str, focused_time: bool) -> Notice:
    return Notice(
        key=f"help-asked:{cohort}:{request}",
        kind=NoticeKind.help_asked,
        to=[coach],
        context={"cohort": cohort, "teacher": teacher, "focused_time": "yes" if focused_time else ""},
    )


def help_reminder(cohort: str, request: str, teacher: str, coach: str, asked_on: date) -> Notice:
    """Once, to the coach alone: nothing escalates."""
    return Notice(
        key=f"help-reminder:{cohort}:{request}",
        kind=NoticeKind.help_reminder,
        to=[coach],
        context={"cohort": cohort, "teacher": teacher, "asked": f"{asked_on:%A %B %-d}"},
    )


def help_answered(cohort: str, request: str, teacher: str, coach: str, how: str, answer: str) -> Notice:
    return Notice(
        key=f"help-answered:{cohort}:{request}",
        kind=NoticeKind.help_answered,
        to=[teacher],
        context={"cohort": cohort, "coach": coach, "how": how, "answer": answer},
        private=["answer"],
    )


# -- the lesson library: a coach's lesson waits for the collaborating teachers' agreement (domain/lessons.py) ----------


def lesson_agreement_asked(cohort: str, lesson: int, title: str, coach: str, web_url: str, to: list[str]) -> Notice:
    """The lesson's title and who asks, never its text: the teachers read it on the lesson's page before agreeing."""
    path = f"/lessons/{lesson}"
    return Notice(
        key=f"lesson-agreement:{cohort}:{lesson}",
        kind=NoticeKind.lesson_agreement_asked,
        to=to,
        context={"title": title, "coach": coach, "address": f"{web_url.rstrip('/')}{path}"},
    )
