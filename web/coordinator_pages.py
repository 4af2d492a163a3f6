"""A coordinator's pages: launch a cohort from its files, the cohort dashboard, attendance, the outbox."""

from __future__ import annotations

import asyncio
import re
import smtplib
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from activities.notifications import Mailer
from domain import notices, to_do, words
from domain.cohort import COHORT_ID, COHORT_ID_MAX, WITHDRAWAL_REASON_MAX
from domain.cycle import OPEN_STAGES, Stage
from domain.notices import NoticeKind
from domain.problems import InvalidInput, Problem, Refused
from domain.program import Program, read_program
from domain.roster import PARTICIPANTS, Role, RosterFile, read_roster_file, slug
from domain.training import Attendance, TrainingStatus
from store import meetings as school_meetings
from web.filters import MAIL_STATUSES, OutboxFilters, PartnershipFilters, PeopleFilters
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, page
from web.paging import OFFSET_MAX, PAGE_ROWS, Offset, Pager, page_of
from web.visitor import Forbidden, Visitor
from workers.settings import Settings

router = APIRouter()
log = structlog.get_logger()

# A web launch reads and stores the whole roster while the coordinator waits for the page;
# a bigger roster goes through the command line, which shows the workflows starting.
UPLOAD_MAX_BYTES = 5_000_000
ROSTER_MAX_PEOPLE = 10_000
COMMAND_LINE_LAUNCH = "peercoach cohort launch --program PROGRAM.yaml --roster ROSTER.csv --as YOUR-EMAIL"
LIMITS: dict[str, Any] = {"max_megabytes": UPLOAD_MAX_BYTES // 1_000_000, "max_people": ROSTER_MAX_PEOPLE, "command": COMMAND_LINE_LAUNCH}


@router.get("/cohorts/new", response_class=HTMLResponse)
async def launch_form(request: Request, visitor: SignedIn) -> Response:
    if not visitor.may_launch:
        raise Forbidden("only coordinators launch cohorts")
    return page(request, "launch.html", problems=[], cohort="", program_office=visitor.program_office, **LIMITS)


@router.post("/cohorts", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def launch(
    request: Request,
    visitor: SignedIn,
    program: Annotated[UploadFile, File()],
    roster: Annotated[UploadFile, File()],
    cohort: Annotated[str, Form(max_length=COHORT_ID_MAX)] = "",
) -> Response:
    """Every problem in both files is shown with its row; nothing is launched unless there are none."""
    if not visitor.may_launch:
        raise Forbidden("only coordinators launch cohorts")
    problems: list[Problem] = []
    program_year: Program | None = None
    people: RosterFile | None = None
    try:
        program_year = read_program(await _upload(program), program.filename or "program")
    except InvalidInput as invalid:
        problems += invalid.problems
    try:
        people = _within_limit(read_roster_file(await _upload(roster), roster.filename or "roster.csv"), roster.filename or "roster.csv")
    except InvalidInput as invalid:
        problems += invalid.problems
    cohort_id = cohort.strip() or (slug(f"{program_year.name} {program_year.school_year}") if program_year else "")
    if cohort_id and not re.match(COHORT_ID, cohort_id):
        problems.append(Problem("cohort id", None, None, "use lower-case letters, digits and dashes"))
    again = {"cohort": cohort, "program_office": visitor.program_office} | LIMITS
    if problems or program_year is None or people is None:
        return page(request, "launch.html", status_code=400, problems=[str(p) for p in problems], **again)
    try:
        await visitor.launch(cohort_id, program_year, people.roster, roster.filename)
    except Refused as refused:
        return page(request, "launch.html", status_code=409, problems=[refused.reason], **again)
    unused, undeliverable = people.warnings, await _mail_warnings(engine(request).settings, people)
    if unused or undeliverable:  # launched, but the coordinator should know what in the file was ignored or cannot be mailed
        named = f"{program_year.name} {program_year.school_year}"
        return page(request, "launched.html", cohort=cohort_id, named=named, warnings=unused, mail_warnings=undeliverable)
    launched = f"Launched: {program_year.name} {program_year.school_year}, {len(people.roster.people)} people"
    return done(request, f"/cohorts/{cohort_id}", launched)


async def _mail_warnings(settings: Settings, people: RosterFile) -> list[str]:
    """The roster's addresses the configured mail server cannot take (as `peercoach cohort check` says); none without
    SMTP (the outbox takes any address), and none if the server cannot be asked just now: the launch is done either way."""
    if settings.smtp is None:
        return []
    try:
        server = await asyncio.to_thread(Mailer(settings.smtp).mail_server)
    except (OSError, smtplib.SMTPException) as err:
        where = f"{settings.smtp.host}:{settings.smtp.port}"
        log.warning("could not ask the mail server which addresses it takes", server=where, problem=str(err))
        return []
    return people.mail_warnings(server)


def _too_big(file: str, what: str) -> InvalidInput:
    return InvalidInput([Problem(file, None, None, f"{what}; launch it from the command line instead: {COMMAND_LINE_LAUNCH}")])


async def _upload(file: UploadFile) -> bytes:
    content = await file.read(UPLOAD_MAX_BYTES + 1)
    if len(content) > UPLOAD_MAX_BYTES:
        raise _too_big(
            file.filename or "upload", f"the file is larger than {UPLOAD_MAX_BYTES // 1_000_000} MB, the most a web upload takes"
        )
    return content


def _within_limit(found: RosterFile, file: str) -> RosterFile:
    if len(found.roster.people) > ROSTER_MAX_PEOPLE:
        raise _too_big(file, f"{len(found.roster.people):,} people are more than the {ROSTER_MAX_PEOPLE:,} a web launch takes")
    return found


@router.get("/cohorts/{cohort}", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    filters: PartnershipFilters,
    coaches: Offset = 0,
    stalled_from: Annotated[int, Query(alias="stalled-from", ge=0, le=OFFSET_MAX)] = 0,
    offset: Offset = 0,
) -> Response:
    """Counts for the whole cohort, and each list a page at a time: coaches' attendance, stalled partnerships, and the
    partnerships found by school, stage, stall, coach and text."""
    summary = await visitor.summary(cohort)
    program = visitor.membership(cohort).program
    trainings = await visitor.trainings(cohort, offset=coaches)
    stalled_page = page_of(summary.stalled, stalled_from)  # the longest stalled first
    f = filters
    partnerships = await visitor.partnerships(cohort, f.school, f.coach, f.stage, f.stalled, offset=offset, q=f.q)
    now = datetime.now(UTC)
    listed = [(s.partnership.id, s.partnership.coach, s.partnership.partners) for s in partnerships.rows]
    series = await asyncio.to_thread(school_meetings.listed, engine(request).database, cohort)
    return page(
        request,
        "dashboard.html",
        meetings_held=sum(s.held for s in series),
        meetings_present=sum(s.came for s in series),
        cohort=cohort,
        program=program,
        summary=summary,
        progress=await visitor.launch_progress(cohort),
        trainings=trainings,
        trainings_pager=Pager.of(request, "coaches", "attendance", trainings),
        states={s.number: to_do.session_state(program, s.number, now) for s in program.sessions},
        stalled=stalled_page,
        stalled_pager=Pager.of(request, "stalled-from", "stalled", stalled_page),
        filters=filters,
        stage_options=[(s.value, s.label) for s in Stage],
        partnerships=partnerships,
        partnerships_pager=Pager.of(request, "offset", "by-stage", partnerships),
        titles=await visitor.titles(cohort, listed) | await visitor.titles_of(cohort, [s.id for s in stalled_page.rows]),
        schools=await visitor.school_names(cohort),
        open_stages=OPEN_STAGES,
    )


@router.get("/cohorts/{cohort}/launch-progress", response_class=HTMLResponse)
async def launch_progress(request: Request, cohort: str, visitor: SignedIn) -> Response:
    """Polled by the dashboard (htmx) while a large cohort's workflows are starting."""
    return page(request, "_launch_progress.html", cohort=cohort, progress=await visitor.launch_progress(cohort))


# -- attendance ------------------------------------------------------------------------


async def _attendance_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    session: int | None,
    coaches: int,
    status_code: int = 200,
    problem: str | None = None,
) -> Response:
    program = visitor.membership(cohort).program
    now = datetime.now(UTC)
    summary = await visitor.summary(cohort)
    chosen = session if session in {s.number for s in program.sessions} else to_do.session_to_record(program, summary, now)
    trainings = await visitor.trainings(cohort, offset=coaches)
    context = {
        "cohort": cohort,
        "program": program,
        "session": chosen,
        "chosen": program.session(chosen),
        "state": to_do.session_state(program, chosen, now),
        "states": {s.number: to_do.session_state(program, s.number, now) for s in program.sessions},
        "marks": list(Attendance),
        "trainings": trainings,
        "coaches": Pager.of(request, "coaches", "coaches", trainings, {"session": str(chosen)}),  # a refused POST too
        "problem": problem,
    }
    return page(request, "attendance.html", status_code=status_code, **context)


@router.get("/cohorts/{cohort}/attendance", response_class=HTMLResponse)
async def attendance_form(request: Request, cohort: str, visitor: SignedIn, session: int | None = None, coaches: Offset = 0) -> Response:
    """One session's marks, for a page of coaches at a time; without a session, the first that is over and not all recorded."""
    return await _attendance_page(request, visitor, cohort, session, coaches)


@router.post("/cohorts/{cohort}/attendance", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def record_attendance(request: Request, cohort: str, visitor: SignedIn) -> Response:
    form = await request.form()
    session = int(s) if (s := str(form.get("session", ""))).isdigit() else 0
    coaches = int(c) if (c := str(form.get("coaches", ""))).isdigit() else 0
    everyone = form.get("everyone") == "attended"  # "Everyone present": each coach of this page not marked otherwise
    known = {a.value: a for a in Attendance}
    chosen = {
        key.removeprefix("mark:"): known[str(value)] for key, value in form.multi_items() if key.startswith("mark:") and str(value) in known
    }
    page_coaches = (await visitor.trainings(cohort, offset=coaches)).rows
    if everyone:
        for t in page_coaches:
            if t.coach not in chosen and session not in t.attendance and t.status != TrainingStatus.withdrawn:
                chosen[t.coach] = Attendance.attended
    # Only marks that change something, and only for the cohort's own coaches.
    current = (await visitor.trainings(cohort, coaches=list(chosen), limit=len(chosen))).rows if chosen else []
    marks = {t.coach: chosen[t.coach] for t in current if chosen[t.coach] != t.attendance.get(session)}
    more = bool((await visitor.trainings(cohort, offset=coaches + PAGE_ROWS, limit=1)).rows)
    next_page = f"/cohorts/{cohort}/attendance?session={session}&coaches={coaches + PAGE_ROWS}#coaches"
    if not marks and more:  # this page of coaches is as it should be: on to the next
        return done(request, next_page, f"Nothing changed for coaches {coaches + 1}–{coaches + len(page_coaches)}; here are the next")
    if not marks:
        nothing = "no mark was chosen or changed. Choose a mark for a coach, or press “Everyone present”."
        return await _attendance_page(request, visitor, cohort, session or None, coaches, 400, nothing)
    try:  # the session number is checked with each mark, in domain/training.py
        await visitor.record_attendance(cohort, session, marks)
    except Refused as refused:
        return await _attendance_page(request, visitor, cohort, session or None, coaches, 409, refused.reason)
    counted = Counter(marks.values())
    said = f"Session {session} recorded: " + ", ".join(f"{counted[a]} {words.label(a)}" for a in Attendance if counted[a])
    if more:  # on to the next page of coaches
        return done(request, next_page, said)
    return done(request, f"/cohorts/{cohort}", said)


# -- people and withdrawals --------------------------------------------------------------


@router.get("/cohorts/{cohort}/people", response_class=HTMLResponse)
async def people(request: Request, cohort: str, visitor: SignedIn, filters: PeopleFilters, offset: Offset = 0) -> Response:
    """The cohort's people still in it, by role, school and text, a page at a time; coaches and teachers may be withdrawn here."""
    found = await visitor.participants(cohort, offset, filters.role, filters.school, filters.q)
    return page(
        request,
        "people.html",
        cohort=cohort,
        filters=filters,
        roles=[(r.value, words.label(r)) for r in Role],
        people=found,
        pager=Pager.of(request, "offset", "people", found),
        schools=await visitor.school_names(cohort),
        participants=PARTICIPANTS,
    )


@router.get("/cohorts/{cohort}/people/{email}/withdraw", response_class=HTMLResponse)
async def withdraw_form(request: Request, cohort: str, email: str, visitor: SignedIn) -> Response:
    person = await visitor.participant(cohort, email)
    return page(request, "withdraw_person.html", cohort=cohort, person=person, problem=None, reason="", reason_max=WITHDRAWAL_REASON_MAX)


@router.post("/cohorts/{cohort}/people/{email}/withdraw", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def withdraw_person(
    request: Request,
    cohort: str,
    email: str,
    visitor: SignedIn,
    reason: Annotated[str, Form(max_length=WITHDRAWAL_REASON_MAX)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A coordinator withdraws a coach or teacher, saying why (kept with the roster's change)."""
    person = await visitor.participant(cohort, email)
    again = {"cohort": cohort, "person": person, "reason": reason, "reason_max": WITHDRAWAL_REASON_MAX}
    if not reason.strip() or confirm != "yes":
        problem = f"say why {person.name} leaves the cohort and tick the box to confirm; nothing was changed"
        return page(request, "withdraw_person.html", status_code=400, problem=problem, **again)
    try:
        ended = await visitor.withdraw_participant(cohort, email, reason.strip())
    except Refused as refused:
        return page(request, "withdraw_person.html", status_code=409, problem=refused.reason, **again)
    titles = await visitor.titles_of(cohort, ended)
    ending = f"; partnerships ended: {'; '.join(titles.get(p, p) for p in ended)}" if ended else ""
    return done(request, f"/cohorts/{cohort}/people", f"Withdrawn: {person.name}{ending}")


@router.get("/cohorts/{cohort}/outbox", response_class=HTMLResponse)
async def outbox(request: Request, cohort: str, visitor: SignedIn, filters: OutboxFilters, offset: Offset = 0) -> Response:
    """What the program sent to the cohort's people, by kind, status and text, newest first."""
    f = filters
    entries = await visitor.outbox(cohort, offset, f.kind and f.kind.value, f.status, f.q)
    names = await visitor.names(cohort, [e.recipient for e in entries.rows])
    zone = visitor.membership(cohort).program.timezone
    sent = Pager.of(request, "offset", "sent", entries)
    kinds = [(k.value, words.label(k)) for k in NoticeKind if k not in notices.PERSONAL_KINDS]
    statuses = [(s, words.mail_status(s)) for s in MAIL_STATUSES]
    context: dict[str, Any] = {"entries": entries, "names": names, "zone": zone, "sent": sent, "kinds": kinds, "statuses": statuses}
    return page(request, "outbox.html", cohort=cohort, filters=filters, **context)
