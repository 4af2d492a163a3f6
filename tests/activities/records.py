"""Domain records for the activity tests, built through the domain's own functions.

One cohort at Hazel: Ann coaches Tia, Pat is the principal, Cora coordinates.
The program runs in America/Los_Angeles so invites carry a real time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from activities.messages import render, without_greeting
from domain import application_notices as told
from domain import notices, preferences, release
from domain.applications import Application, ApplicationForm, ApplicationStatus
from domain.cycle import PartnershipRecord, Stage, apply_move
from domain.meetings import MeetingPlan, MeetingSeries, SeriesEvent, change, edit
from domain.notices import Notice
from domain.offering import load_offering
from domain.plans import PlanDraft, written
from domain.program import SESSIONS_PER_YEAR, Program, SessionFormat, TrainingSession, Weekday
from domain.release import (
    BookingOrder,
    ReleaseLedgerRecord,
    ReleaseRequest,
    add_request,
    coach_to_tell,
    decide,
)
from domain.roster import Role
from domain.school_year import SchoolPartnership, SchoolYearRecord
from domain.stall import record_stall_step, stall_audience
from domain.tiers import Round
from domain.training import Attendance, TrainingRecord, finish_year, record_attendance
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, PRINCIPAL, TIA

COHORT = "hazel-2026"
SCHOOL = "hazel"
FIRST_DAY = date(2026, 4, 20)
PACIFIC = ZoneInfo("America/Los_Angeles")
OFFSETS = [0, 77, 80, 81, 147, 175, 287, 385]


def program(name: str = "Peer Coaching 2026") -> Program:
    """Eight sessions; session 2 runs three summer days, session 5 is online."""
    sessions = [
        TrainingSession(
            number=n + 1,
            title=f"Coaching skills {n + 1}",
            starts_on=FIRST_DAY + timedelta(days=o),
            days=3 if n == 1 else 1,
            format=SessionFormat.online if n == 4 else SessionFormat.in_person,
            location="" if n == 4 else "ESD 112, Vancouver",
        )
        for n, o in enumerate(OFFSETS)
    ]
    return Program(name=name, school_year="2026-2027", timezone="America/Los_Angeles", sessions=sessions)


def training(name: str = "Ann Coach") -> TrainingRecord:
    return TrainingRecord(cohort=COHORT, coach=ANN, name=name, school=SCHOOL, coordinators=[COORDINATOR])


def finished_training(p: Program) -> TrainingRecord:
    """Ann attended every session except 3, which she missed and made up; her year is complete."""
    record = training()
    for n in range(1, SESSIONS_PER_YEAR + 1):
        at = p.session_start(n) + timedelta(hours=8)
        record_attendance(record, p, n, Attendance.absent if n == 3 else Attendance.attended, COORDINATOR, at)
    record_attendance(record, p, 3, Attendance.made_up, COORDINATOR, p.session_start(4) + timedelta(hours=9))
    finish_year(record, p, p.session_end(8) + timedelta(days=1))
    return record


def partnership() -> PartnershipRecord:
    return PartnershipRecord(
        cohort=COHORT,
        id=ANN_TIA,
        school=SCHOOL,
        coach=ANN,
        partners=[TIA],
        focus="Research projects",
        coordinators=[COORDINATOR],
        principal=PRINCIPAL,
        coaching_unlocked=True,
    )


def ledger(p: Program) -> ReleaseLedgerRecord:
    return ReleaseLedgerRecord(
        cohort=COHORT,
        school=SCHOOL,
        school_year=p.school_year,
        principal=PRINCIPAL,
        members={ANN: Role.coach, TIA: Role.teacher},
        allowances=p.release_days,
        partnerships={ANN_TIA: ANN},
    )


def requested(book: ReleaseLedgerRecord, days: float, on: date, purpose: str = "Co-plan the research unit") -> ReleaseRequest:
    at = datetime(2026, 9, 1, 9, 0, tzinfo=PACIFIC)
    return add_request(book, TIA, days, on, purpose, ANN_TIA, at, at.date())


def booking_order(book: ReleaseLedgerRecord, days: float, on: date) -> BookingOrder:
    request = requested(book, days, on)
    decide(book, request.id, PRINCIPAL, approve=True, at=datetime(2026, 9, 2, 9, 0, tzinfo=PACIFIC))
    return BookingOrder(request=request, school=book.school, principal=book.principal)


def realistic_notices() -> dict[str, tuple[Notice, list[str]]]:
    """One notice (or more) of every kind, each with text its message must show."""
    p = program()
    record = training()
    finished = finished_training(p)
    decided_at = datetime(2026, 9, 2, 9, 0, tzinfo=PACIFIC)

    moving = partnership()
    moved = apply_move(moving, ANN, Stage.initiate, p.session_start(5) + timedelta(days=2), "Brainstormed the research unit")

    stalled = partnership()
    first, second = p.stall_chain
    follow_up = notices.stall(stalled, first.kind, stall_audience(stalled, first), 21)
    record_stall_step(stalled, first, datetime(2026, 10, 1, 9, 0, tzinfo=PACIFIC))
    escalation = notices.stall(stalled, second.kind, stall_audience(stalled, second), 28)

    book = ledger(p)
    approved = requested(book, 1, date(2026, 10, 14))
    ask = notices.release_requested(book, approved)
    pending = requested(book, 0.5, date(2026, 10, 21), "Observe a lesson")
    denied = requested(book, 0.5, date(2026, 10, 28), "Reflect together")
    decide(book, approved.id, PRINCIPAL, approve=True, at=decided_at)
    release.book(book, approved.id, "SUB-7")
    decide(book, denied.id, PRINCIPAL, approve=False, at=decided_at, reason="State testing week")
    expired = requested(book, 0.5, date(2026, 11, 4), "Plan the next cycle")  # the denied half day is free again
    release.expire(book, expired.id)

    found = {
        "cohort_launched": (notices.cohort_launched(COHORT, p, [COORDINATOR], 2, 2), ["Peer Coaching 2026", COHORT, "2 coaches"]),
        "session_reminder_7d": (
            notices.session_reminder(record, p, 2, 7, p.session_start(2) - timedelta(days=7)),
            ["is in 7 days", "Hi Ann Coach", "Monday July 6, 2026", "runs 3 days", "ESD 112"],
        ),
        "session_reminder_1d_online": (
            notices.session_reminder(record, p, 5, 1, p.session_start(5) - timedelta(days=1)),
            ["is tomorrow", "It is online."],
        ),
        "session_cancelled": (
            notices.session_cancelled(record, p, 2, p.session_start(2) - timedelta(days=3)),
            ["Cancelled: Peer Coaching 2026 session 2", "Monday July 6, 2026", "Coaching skills 2"],
        ),
        "attendance_due": (notices.attendance_due(COHORT, [COORDINATOR], ANN, p, 4), [ANN, "session 4", "Coaching skills 4"]),
        "make_up": (notices.make_up(record, p, 3, "absent"), ["Making up session 3", "marked absent"]),
        "coaching_unlocked": (notices.coaching_unlocked(record, p), ["You can start coaching", "session 5"]),
        "training_finished": (
            notices.training_finished(finished, p),
            ["training year is over", "8 of them", "you have completed the training year"],
        ),
        "stage_moved": (
            notices.stage_moved(moving, moved),
            ["moved to initiate", "from waiting to initiate", "Brainstormed the research unit"],
        ),
        "stall_follow_up": (follow_up, ["in waiting for 21 days", "Research projects"]),
        "stall_escalation": (escalation, [f"Partnership {ANN_TIA} at {SCHOOL} is stalled in waiting", "28 days"]),
        "release_requested": (
            ask,
            [f"Release time request from {TIA}: 1 day on Wednesday October 14, 2026", "they would have 1 day left this year"],
        ),
        "release_reminder": (notices.release_reminder(book, pending), ["Waiting for your decision", "Observe a lesson"]),
        "release_expiring": (
            notices.release_expiring(book, pending, date(2026, 9, 8)),
            ["still waiting for a decision", "expires on Tuesday September 8, 2026", PRINCIPAL],
        ),
        "release_decided_approved": (
            notices.release_decided(book, approved, coach_to_tell(book, approved)),
            ["approved", "reference SUB-7"],
        ),
        "release_decided_denied": (
            notices.release_decided(book, denied, coach_to_tell(book, denied)),
            ["not approved", "Reason: State testing week"],
        ),
        "release_expired": (notices.release_expired(book, expired), ["expired", "0.5 days"]),
        "substitute_booked": (notices.substitute_booked(book, approved), ["Substitute booked", "booking SUB-7"]),
        "sign_in": (
            notices.sign_in_link(ANN, "https://peercoach.example.org/sign-in/abc.def", 15, "abc"),
            ["https://peercoach.example.org/sign-in/abc.def", "expires in 15 minutes"],
        ),
        "undeliverable": (
            notices.undeliverable(COHORT, [COORDINATOR], "zoë.teacher@hazel.test", "550 5.1.1 mailbox unavailable"),
            ["Mail to zoë.teacher@hazel.test cannot be delivered", "550 5.1.1 mailbox unavailable", COHORT],
        ),
    }
    changed = notices.session_changed(record, p, 2, "The venue moved to the district office", p.session_start(2) - timedelta(days=20))
    found["session_changed"] = (changed, ["Moved: Peer Coaching 2026 session 2", "Why: The venue moved to the district office"])
    found |= school_year_notices(p)
    found |= application_notices()
    found |= help_notices()
    found |= board_notices()
    found["lesson_agreement_asked"] = (
        notices.lesson_agreement_asked(COHORT, 4, "Citing sources in grade 4", "Ann Coach", "https://peercoach.example.org", [TIA]),
        ['Ann Coach asks you to agree to publish "Citing sources in grade 4"', "https://peercoach.example.org/lessons/4"],
    )
    found |= meeting_notices(p)
    found["digest"] = (
        digest_of(COORDINATOR, [found[k][0] for k in ("attendance_due", "stall_escalation", "undeliverable")], decided_at),
        [
            "Your Peer Coaching digest for Thursday September 3, 2026: 3 notices",
            "Addresses the mail server refused (1)",
            "* Mail to zoë.teacher@hazel.test cannot be delivered",
            "Stalled partnerships (escalations) (1)",
            "Attendance to record (1)",
            "https://peercoach.example.org/preferences",
        ],
    )
    return found


def digest_of(email: str, held: list[Notice], at: datetime) -> Notice:
    """A day's digest of these notices, as send_digest makes it from the outbox's rows."""
    rows = [
        preferences.Held(key=n.key, kind=n.kind.value, subject=render(n)[0], text=without_greeting(render(n)[1]), asked_at=at) for n in held
    ]
    return preferences.digest(email, at.date() + timedelta(days=1), rows, "https://peercoach.example.org/preferences")


def school_year_notices(p: Program) -> dict[str, tuple[Notice, list[str]]]:
    """The school's year: its plan, self-assessments and year 2, with the dates and counts they carry (never an answer)."""
    school = SchoolYearRecord(
        cohort=COHORT,
        school=SCHOOL,
        school_name="Hazel Elementary",
        principal=PRINCIPAL,
        coordinators=[COORDINATOR],
        coaches=[ANN],
        partnerships={ANN_TIA: SchoolPartnership(coach=ANN, partners=[TIA])},
        launched_at=datetime(2026, 4, 1, tzinfo=PACIFIC),
    )
    drafted = PlanDraft(
        actor=ANN, goals=["Writing", "Research"], assignments="Ann with Tia", roles="Co-plan", communication="Staff meeting"
    )
    school.plan = written(None, drafted, datetime(2026, 9, 1, tzinfo=PACIFIC))
    due = "Tuesday September 22, 2026"
    return {
        "plan_submitted": (notices.plan_submitted(school, due), ["Please endorse the coaching plan of Hazel Elementary", ANN, "2 school"]),
        "plan_endorsed": (notices.plan_endorsed(school), ["is endorsed", PRINCIPAL]),
        "plan_reminder": (notices.plan_reminder(school, due), ["is due by Tuesday September 22, 2026", "is draft"]),
        "plan_overdue": (notices.plan_overdue(school, due), ["has no endorsed coaching plan", PRINCIPAL]),
        "assessment_open": (
            notices.assessment_open(school, p, Round.pre, [TIA], "Monday October 12, 2026", ""),
            ["self-assessment before coaching", "Technology integration tiers", "groups of five or more"],
        ),
        "assessment_reminder": (
            notices.assessment_reminder(school, p, Round.post, [TIA], "Monday June 7, 2027", TIA),
            ["self-assessment after the year closes Monday June 7, 2027"],
        ),
        "year_two_asked": (notices.year_two_asked(school, 2, "Monday June 7, 2027"), ["Year 2 at Hazel Elementary", "continue, expand"]),
        "year_two_reminder": (notices.year_two_reminder(school, 1, "Monday June 7, 2027"), ["1 year-2 decision(s)"]),
        "year_two_overdue": (notices.year_two_overdue(school, 1, "Monday June 7, 2027"), [PRINCIPAL, "has not decided year 2"]),
    }


def application_notices() -> dict[str, tuple[Notice, list[str]]]:
    """An application's life: received, endorsement asked, reminded, answered, placed; and the office's close."""
    offering = load_offering((Path(__file__).resolve().parents[2] / "samples" / "offering.yaml").read_text(), "offering.yaml")
    form = ApplicationForm(
        name="Zoë Librarian",
        email="zoe@hazel.test",
        school="Hazel Dell Elementary",
        district="Vancouver",
        region="southwest",
        role="teacher_librarian",
        site="esd-112",
        why="Research skills for every grade",
        principal_name="Rosa Delgado",
        principal_email=PRINCIPAL,
    )
    a = Application(id=f"{offering.id}-0001", number=1, form=form.applicant(), applied_at=datetime(2027, 3, 1, tzinfo=PACIFIC))
    confirmed = a.model_copy(update={"email_confirmed": True})
    waiting = confirmed.model_copy(update={"id": f"{offering.id}-0002", "number": 2})  # for its principal's answer
    endorsed = confirmed.model_copy(update={"status": ApplicationStatus.endorsed})
    accepted = endorsed.model_copy(update={"status": ApplicationStatus.accepted, "site": "esd-112", "scholarship": "wlma"})
    deadline = offering.deadline
    return {
        "application_received": (told.received(offering, a, deadline), ["confirm this is your email", "Thursday March 18, 2027"]),
        "endorsement_asked": (told.endorsement_asked(offering, confirmed, deadline), ["2 days of release time", "0.5 FTE", "799 USD"]),
        "application_reminder": (told.reminders(offering, a, deadline)[0], ["waits for you to confirm your email address"]),
        "application_reminder_principal": (told.reminders(offering, waiting, deadline)[0], ["waits for Rosa Delgado's endorsement"]),
        "endorsement_reminder": (told.reminders(offering, waiting, deadline)[1], ["waits for your answer", "Rosa Delgado"]),
        "application_endorsed": (told.endorsed(offering, endorsed), ["endorsed, fee due: 799 USD"]),
        "application_placed": (
            told.placed(offering, accepted, "awarded the WLMA scholarship of 500 USD"),
            ["accepted at ESD 112, Vancouver, fee due: 299 USD", "awarded the WLMA scholarship"],
        ),
        "applications_closed": (told.closed(offering, [COORDINATOR], [accepted], deadline), ["1 accepted, 0 waitlisted, 0 declined"]),
        "coaching_concluded": (told.concluded(offering, ANN, "Ann Coach", "Hazel Elementary", "The school moves to teams"), ["Thank you"]),
    }


def board_notices() -> dict[str, tuple[Notice, list[str]]]:
    """Ann mentions Cora in a cohort thread; a program-wide thread's follower hears of a reply."""
    web = "https://peercoach.example.org"
    title = "Getting teachers to co-plan in October"
    return {
        "board_mention": (
            notices.board_mention(COHORT, 7, 21, title, "Ann Coach", "/board/threads/7#post-21", web, [COORDINATOR]),
            [
                'Ann Coach mentioned you in "Getting teachers to co-plan in October"',
                "https://peercoach.example.org/board/threads/7#post-21",
            ],
        ),
        "board_reply": (
            notices.board_reply(None, 8, 30, "What works for reluctant staff", "Cora Ordinator", "/board/threads/8#post-30", web, [ANN]),
            ["Cora Ordinator replied", "which you follow", "https://peercoach.example.org/board/threads/8#post-30"],
        ),
    }


def help_notices() -> dict[str, tuple[Notice, list[str]]]:
    """Tia asks Ann a question on a Friday; Ann is reminded on Tuesday morning and points Tia elsewhere."""
    return {
        "help_asked": (notices.help_asked(COHORT, "q1", TIA, ANN, True), [f"{TIA} asked you a question", "focused time", "Only you"]),
        "help_reminder": (notices.help_reminder(COHORT, "q1", TIA, ANN, date(2026, 10, 9)), ["asked you a question on Friday October 9"]),
        "help_answered": (
            notices.help_answered(COHORT, "q1", TIA, ANN, "Pointed elsewhere", "Ask Ms. Lee, she ran this unit last year"),
            [f"{ANN} pointed you elsewhere", "Ask Ms. Lee, she ran this unit last year"],
        ),
    }


def meeting_notices(p: Program) -> dict[str, tuple[Notice, list[str]]]:
    """Ann's weekly grade-level planning with Tia on Tuesdays: invited, changed, reminded, cancelled."""
    plan = MeetingPlan(
        title="Grade 4 planning",
        place="Library, room 12",
        weekdays=[Weekday.tuesday],
        starts_at=time(15, 30),
        ends_at=time(16, 30),
        first_day=date(2026, 9, 8),
        last_day=date(2026, 12, 15),
        invitees=[TIA],
    )
    at = datetime(2026, 9, 1, 9, 0, tzinfo=PACIFIC)
    where = {"cohort": COHORT, "id": "grade-4-planning", "school": SCHOOL, "coach": ANN, "timezone": p.timezone}
    series = MeetingSeries(**plan.model_dump(), **where, set_up_at=at)
    moved = edit(series, plan.model_copy(update={"place": "Room 4"}), ANN)
    cancelled = change(series, SeriesEvent.cancel, ANN)
    return {
        "meeting_invited": (
            notices.meeting_invited(series, p, at, [ANN, TIA]),
            ["Invitation: Grade 4 planning", "3:30 PM to 4:30 PM", "Tuesday December 15, 2026", "Library, room 12"],
        ),
        "meeting_invited_changed": (notices.meeting_invited(moved, p, at, [ANN, TIA]), ["Changed: Grade 4 planning", "Room 4"]),
        "meeting_reminder": (notices.meeting_reminder(series, date(2026, 9, 15)), ["today, Tuesday September 15, 2026, at 3:30 PM"]),
        "meeting_cancelled": (notices.meeting_cancelled(cancelled, p, at, [ANN, TIA]), ["Cancelled: Grade 4 planning", ANN]),
    }
