"""A coordinator's pages: launch a cohort from its files, the cohort dashboard, attendance, the outbox."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.cohort import COHORT_ID, COHORT_ID_MAX
from domain.cycle import OPEN_STAGES, Stage
from domain.problems import InvalidInput, Problem, Refused
from domain.program import Program, read_program
from domain.roster import RosterFile, read_roster_file, slug
from domain.training import Attendance
from web.frame import CsrfChecked, SignedIn, page
from web.paging import PAGE_ROWS, Offset, Pager, page_of
from web.visitor import Forbidden, Visitor

router = APIRouter()

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
    return page(request, "launch.html", problems=[], cohort="", **LIMITS)


@router.post("/cohorts", response_class=HTMLResponse, dependencies=[CsrfChecked])
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
    if problems or program_year is None or people is None:
        return page(request, "launch.html", status_code=400, problems=[str(p) for p in problems], cohort=cohort, **LIMITS)
    try:
        await visitor.launch(cohort_id, program_year, people.roster, roster.filename)
    except Refused as refused:
        return page(request, "launch.html", status_code=409, problems=[refused.reason], cohort=cohort, **LIMITS)
    if people.warnings:  # launched, but the coordinator should know what in the file was ignored
        return page(request, "launched.html", cohort=cohort_id, warnings=people.warnings)
    return RedirectResponse(f"/cohorts/{cohort_id}", status_code=303)


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
    coaches: Offset = 0,
    stalled: Offset = 0,
    stage: Stage | None = None,
    offset: Offset = 0,
) -> Response:
    """Counts for the whole cohort, and each list a page at a time: coaches' attendance, stalled partnerships, partnerships by stage."""
    summary = await visitor.summary(cohort)
    trainings = await visitor.trainings(cohort, offset=coaches)
    stalled_page = page_of(summary.stalled, stalled)  # the longest stalled first
    partnerships = await visitor.partnerships(cohort, stage=stage, offset=offset)
    return page(
        request,
        "dashboard.html",
        cohort=cohort,
        program=visitor.membership(cohort).program,
        summary=summary,
        progress=await visitor.launch_progress(cohort),
        trainings=trainings,
        trainings_pager=Pager.of(request, "coaches", "attendance", trainings),
        stalled=stalled_page,
        stalled_pager=Pager.of(request, "stalled", "stalled", stalled_page),
        stage=stage,
        partnerships=partnerships,
        partnerships_pager=Pager.of(request, "offset", "by-stage", partnerships),
        open_stages=OPEN_STAGES,
    )


@router.get("/cohorts/{cohort}/launch-progress", response_class=HTMLResponse)
async def launch_progress(request: Request, cohort: str, visitor: SignedIn) -> Response:
    """Polled by the dashboard (htmx) while a large cohort's workflows are starting."""
    return page(request, "_launch_progress.html", cohort=cohort, progress=await visitor.launch_progress(cohort))


async def _attendance_page(
    request: Request, visitor: Visitor, cohort: str, session: int, coaches: int, status_code: int = 200, problem: str | None = None
) -> Response:
    trainings = await visitor.trainings(cohort, offset=coaches)
    context = {
        "cohort": cohort,
        "program": visitor.membership(cohort).program,
        "session": session,
        "marks": list(Attendance),
        "trainings": trainings,
        "coaches": Pager.of(request, "coaches", "coaches", trainings, {"session": str(session)}),  # a refused POST too
        "problem": problem,
    }
    return page(request, "attendance.html", status_code=status_code, **context)


@router.get("/cohorts/{cohort}/attendance", response_class=HTMLResponse)
async def attendance_form(request: Request, cohort: str, visitor: SignedIn, session: int = 1, coaches: Offset = 0) -> Response:
    """One session's marks, for a page of coaches at a time."""
    return await _attendance_page(request, visitor, cohort, session, coaches)


@router.post("/cohorts/{cohort}/attendance", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def record_attendance(request: Request, cohort: str, visitor: SignedIn) -> Response:
    form = await request.form()
    session = int(s) if (s := str(form.get("session", ""))).isdigit() else 0
    coaches = int(c) if (c := str(form.get("coaches", ""))).isdigit() else 0
    known = {a.value: a for a in Attendance}
    chosen = {
        key.removeprefix("mark:"): known[str(value)] for key, value in form.multi_items() if key.startswith("mark:") and str(value) in known
    }
    # Only marks that change something, and only for the cohort's own coaches.
    current = (await visitor.trainings(cohort, coaches=list(chosen), limit=len(chosen))).rows if chosen else []
    marks = {t.coach: chosen[t.coach] for t in current if chosen[t.coach] != t.attendance.get(session)}
    try:
        if marks:  # the session number is checked with each mark, in domain/training.py
            await visitor.record_attendance(cohort, session, marks)
    except Refused as refused:
        return await _attendance_page(request, visitor, cohort, session, coaches, 409, refused.reason)
    if (await visitor.trainings(cohort, offset=coaches + PAGE_ROWS, limit=1)).rows:  # on to the next page of coaches
        return RedirectResponse(f"/cohorts/{cohort}/attendance?session={session}&coaches={coaches + PAGE_ROWS}#coaches", status_code=303)
    return RedirectResponse(f"/cohorts/{cohort}", status_code=303)


@router.get("/cohorts/{cohort}/outbox", response_class=HTMLResponse)
async def outbox(request: Request, cohort: str, visitor: SignedIn, offset: Offset = 0) -> Response:
    """What the program sent to the cohort's people, newest first."""
    entries = await visitor.outbox(cohort, offset)
    return page(request, "outbox.html", cohort=cohort, entries=entries, sent=Pager.of(request, "offset", "sent", entries))
