"""How the program's values read to people: one label per value, and dates as a school calendar shows them.

Pages, mail and the command line show these, never the enum's value: "make-up", not
`made_up`; "Attendance due", not `attendance_due`. A stage has its own `label` (domain/cycle.py).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.applications import ApplicantRole
from domain.cycle import Outcome
from domain.notices import NoticeKind
from domain.plans import PlanStatus
from domain.release import ReleaseStatus
from domain.roster import Role, SchoolModel
from domain.training import Attendance, TrainingStatus

ATTENDANCE = {
    Attendance.attended: "attended",
    Attendance.excused: "excused",
    Attendance.absent: "absent",
    Attendance.made_up: "make-up",
}

TRAINING_STATUS = {
    TrainingStatus.enrolled: "enrolled",
    TrainingStatus.coaching: "coaching",
    TrainingStatus.completed: "completed",
    TrainingStatus.incomplete: "incomplete",
    TrainingStatus.withdrawn: "withdrawn",
}

RELEASE_STATUS = {
    ReleaseStatus.requested: "waiting for the principal",
    ReleaseStatus.approved: "approved",
    ReleaseStatus.denied: "denied",
    ReleaseStatus.expired: "expired (no decision in time)",
    ReleaseStatus.booked: "approved, substitute booked",
    ReleaseStatus.used: "used",
    ReleaseStatus.cancelled: "cancelled",
}

PLAN_STATUS = {
    PlanStatus.draft: "a draft, not yet asked of the principal",
    PlanStatus.submitted: "waiting for the principal's endorsement",
    PlanStatus.endorsed: "endorsed",
}

ROLE = {
    Role.coordinator: "coordinator",
    Role.coach: "coach",
    Role.teacher: "collaborating teacher",
    Role.principal: "principal",
}

# An applicant's role, and how a school staffs coaching: the roster's ROLE names who someone is in a cohort instead.
APPLICANT_ROLE = {
    ApplicantRole.teacher: "teacher",
    ApplicantRole.teacher_librarian: "teacher librarian",
    ApplicantRole.ict_coordinator: "ICT coordinator",
}

SCHOOL_MODEL = {
    SchoolModel.part_time: "a part-time coach, released from some teaching",
    SchoolModel.team: "a grade-level team that coaches one another",
    SchoolModel.library_ict: "the teacher librarian or ICT coordinator coaches",
}

NOTICE_KIND = {
    NoticeKind.cohort_launched: "Cohort launched",
    NoticeKind.session_reminder: "Session reminder",
    NoticeKind.session_cancelled: "Session cancelled",
    NoticeKind.session_changed: "Session moved",
    NoticeKind.attendance_due: "Attendance due",
    NoticeKind.make_up: "Make-up",
    NoticeKind.coaching_unlocked: "Coaching unlocked",
    NoticeKind.training_finished: "Training finished",
    NoticeKind.stage_moved: "Stage moved",
    NoticeKind.stall_follow_up: "Stall follow-up",
    NoticeKind.stall_escalation: "Stall escalation",
    NoticeKind.release_requested: "Release day asked for",
    NoticeKind.release_reminder: "Release decision reminder",
    NoticeKind.release_decided: "Release day decided",
    NoticeKind.release_expired: "Release request expired",
    NoticeKind.release_expiring: "Release request expiring",
    NoticeKind.substitute_booked: "Substitute booked",
    NoticeKind.sign_in: "Sign-in link",
    NoticeKind.undeliverable: "Address undeliverable",
    NoticeKind.plan_submitted: "Plan to endorse",
    NoticeKind.plan_endorsed: "Plan endorsed",
    NoticeKind.plan_reminder: "Plan reminder",
    NoticeKind.plan_overdue: "Plan overdue",
    NoticeKind.assessment_open: "Self-assessment open",
    NoticeKind.assessment_reminder: "Self-assessment reminder",
    NoticeKind.year_two_asked: "Year 2 to decide",
    NoticeKind.year_two_reminder: "Year 2 reminder",
    NoticeKind.year_two_overdue: "Year 2 overdue",
    NoticeKind.application_received: "Application received",
    NoticeKind.endorsement_asked: "Endorsement asked",
    NoticeKind.application_reminder: "Application reminder",
    NoticeKind.endorsement_reminder: "Endorsement reminder",
    NoticeKind.application_endorsed: "Application answered by the principal",
    NoticeKind.application_placed: "Where an application stands",
    NoticeKind.applications_closed: "Applications closed",
    NoticeKind.coaching_concluded: "Coaching concluded",
    NoticeKind.lesson_agreement_asked: "Lesson waiting for your agreement",
    NoticeKind.digest: "Daily digest",
}

# A session's attendance not recorded yet, by `domain.to_do.session_state`: due and missing, to record now, or to come.
SESSION_STATE = {"overdue": "missing", "open": "to record", "future": "not yet"}

# The headings of a list's columns, on its page and in its downloads (CSV, Excel).
HEADING = {
    "partnership": "Partnership",
    "coach": "Coach",
    "coach_email": "Coach's email",
    "partners": "Collaborating teachers",
    "partner_emails": "Collaborating teachers' emails",
    "school": "School",
    "stage": "Stage",
    "stage_since": "In this stage since",
    "cycle": "Cycle",
    "cycles_completed": "Cycles completed",
    "stalled_since": "Stalled since",
    "follow_ups": "Follow-ups",
    "escalations": "Escalations",
    "reference": "Reference",
    "name": "Name",
    "email": "Email",
    "role": "Role",
    "training": "Training",
    "status": "Status",
    "asked": "Asked",
    "sent": "Sent",
    "kind": "Kind",
    "to": "To",
    "subject": "Subject",
    "who": "Who",
    "day": "Day",
    "days": "Days",
    "purpose": "For",
    "decision": "Decision",
    "reason": "Reason",
    "decided_by": "Decided by",
    "decided": "Decided",
    "substitute": "Substitute",
}


def session_heading(number: int, on: date) -> str:
    """ "Session 2 (Tue 14 Jul 2026)": a session's column in the attendance grid."""
    return f"Session {number} ({day(on)})"


OUTCOME = {Outcome.met: "met", Outcome.partly_met: "partly met", Outcome.not_met: "not met"}

MAIL_STATUS = {"pending": "waiting to send", "sent": "sent", "undeliverable": "undeliverable"}  # others read as themselves


def label(value: object) -> str:
    """The people's word for any of the program's values above; a value without one reads as itself, spaced."""
    for labels in (ATTENDANCE, TRAINING_STATUS, RELEASE_STATUS, PLAN_STATUS, ROLE, NOTICE_KIND, OUTCOME):
        if value in labels:
            return labels[value]  # type: ignore[index]
    return str(value).replace("_", " ")


def mail_status(status: str) -> str:
    """Where a message is: "waiting to send", "sent", "undeliverable" (the outbox's own words, not a notice's kind)."""
    return MAIL_STATUS.get(status, status.replace("_", " "))


def first_name(name: str, email: str = "") -> str:
    """How a greeting addresses someone: the first word of the roster's name (the address's first part without one)."""
    words = name.split()
    if words:
        return words[0]
    return email.split("@")[0] or email


def day(on: date) -> str:
    """A day as a school calendar reads it: "Tue 14 Jul 2026"."""
    return f"{on:%a} {on.day} {on:%b %Y}"


def moment(at: datetime, timezone: str) -> str:
    """A moment in the program's time zone, with its weekday: "Tue 14 Jul 2026, 08:30"."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{day(local.date())}, {local:%H:%M}"


def days(count: float) -> str:
    """Release days in half days, as people write them: "1", "½", "1½"."""
    whole = int(count)
    half = count - whole >= 0.5
    if half:
        return "½" if whole == 0 else f"{whole}½"
    return str(whole)


def days_phrase(count: float) -> str:
    return f"{days(count)} day" if count <= 1 else f"{days(count)} days"


def closed_weekdays(weekdays: list[str]) -> str:
    """ "Saturdays and Sundays": the weekdays the schools are closed, as a sentence says them."""
    return together([f"{w.capitalize()}s" for w in weekdays])


def together(names: list[str]) -> str:
    """ "Tia", "Tia and Ted", "Tia, Ted and Uma"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
