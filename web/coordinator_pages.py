"""A coordinator's pages: launch a cohort from its files, the cohort dashboard, attendance, the outbox."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.cohort import COHORT_ID
from domain.cycle import OPEN_STAGES, Stage
from domain.problems import InvalidInput, Problem, Refused
from domain.program import Program, read_program
from domain.roster import Roster, read_roster, slug
from domain.training import Attendance
from web.frame import CsrfChecked, SignedIn, engine, page
from web.visitor import Forbidden

router = APIRouter()
UPLOAD_MAX_BYTES = 2_000_000


@router.get("/cohorts/new", response_class=HTMLResponse)
async def launch_form(request: Request, visitor: SignedIn) -> Response:
    if not visitor.may_launch:
        raise Forbidden("only coordinators launch cohorts")
    return page(request, "launch.html", problems=[], cohort="")


@router.post("/cohorts", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def launch(
    request: Request,
    visitor: SignedIn,
    program: Annotated[UploadFile, File()],
    roster: Annotated[UploadFile, File()],
    cohort: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Every problem in both files is shown with its row; nothing is launched unless there are none."""
    if not visitor.may_launch:
        raise Forbidden("only coordinators launch cohorts")
    problems: list[Problem] = []
    program_year: Program | None = None
    people: Roster | None = None
    try:
        program_year = read_program(await _upload(program), program.filename or "program")
    except InvalidInput as invalid:
        problems += invalid.problems
    try:
        people = read_roster(await _upload(roster), roster.filename or "roster.csv")
    except InvalidInput as invalid:
        problems += invalid.problems
    cohort_id = cohort.strip() or (slug(f"{program_year.name} {program_year.school_year}") if program_year else "")
    if cohort_id and not re.match(COHORT_ID, cohort_id):
        problems.append(Problem("cohort id", None, None, "use lower-case letters, digits and dashes"))
    if problems or program_year is None or people is None:
        return page(request, "launch.html", status_code=400, problems=[str(p) for p in problems], cohort=cohort)
    try:
        await visitor.launch(cohort_id, program_year, people)
    except Refused as refused:
        return page(request, "launch.html", status_code=409, problems=[refused.reason], cohort=cohort)
    return RedirectResponse(f"/cohorts/{cohort_id}", status_code=303)


async def _upload(file: UploadFile) -> bytes:
    content = await file.read(UPLOAD_MAX_BYTES + 1)
    if len(content) > UPLOAD_MAX_BYTES:
        raise InvalidInput([Problem(file.filename or "upload", None, None, f"the file is larger than {UPLOAD_MAX_BYTES // 1_000_000} MB")])
    return content


@router.get("/cohorts/{cohort}", response_class=HTMLResponse)
async def dashboard(request: Request, cohort: str, visitor: SignedIn) -> Response:
    summary = await visitor.summary(cohort)
    state = await visitor.as_it_stands(cohort)
    progress = await visitor.launch_progress(cohort)
    by_stage = {stage: [p for p in state.partnerships.values() if p.stage == stage] for stage in Stage}
    return page(
        request,
        "dashboard.html",
        state=state,
        summary=summary,
        progress=progress,
        by_stage=by_stage,
        open_stages=OPEN_STAGES,
        trainings=sorted(state.trainings.values(), key=lambda t: t.name),
    )


@router.get("/cohorts/{cohort}/launch-progress", response_class=HTMLResponse)
async def launch_progress(request: Request, cohort: str, visitor: SignedIn) -> Response:
    """Polled by the dashboard (htmx) while a large cohort's workflows are starting."""
    return page(request, "_launch_progress.html", cohort=cohort, progress=await visitor.launch_progress(cohort))


@router.get("/cohorts/{cohort}/attendance", response_class=HTMLResponse)
async def attendance_form(request: Request, cohort: str, visitor: SignedIn, session: int = 1) -> Response:
    visitor.coordinating(cohort)
    state = await visitor.as_it_stands(cohort)
    return page(request, "attendance.html", state=state, session=session, marks=list(Attendance), problem=None)


@router.post("/cohorts/{cohort}/attendance", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def record_attendance(request: Request, cohort: str, visitor: SignedIn) -> Response:
    visitor.coordinating(cohort)
    state = await visitor.as_it_stands(cohort)
    form = await request.form()
    session = int(s) if (s := str(form.get("session", ""))).isdigit() else 0
    known = {a.value: a for a in Attendance}
    marks = {}
    for coach, summary in state.trainings.items():
        mark = known.get(str(form.get(f"mark:{coach}", "")))
        if mark is not None and mark != summary.attendance.get(session):
            marks[coach] = mark
    try:
        if marks:  # the session number is checked with each mark, in domain/training.py
            await visitor.record_attendance(cohort, session, marks)
    except Refused as refused:
        context = {"state": state, "session": session, "marks": list(Attendance), "problem": refused.reason}
        return page(request, "attendance.html", status_code=409, **context)
    return RedirectResponse(f"/cohorts/{cohort}", status_code=303)


@router.get("/cohorts/{cohort}/outbox", response_class=HTMLResponse)
async def outbox(request: Request, cohort: str, visitor: SignedIn) -> Response:
    """What the program sent to the cohort's people, newest first."""
    state = visitor.coordinating(cohort)
    people = {p.email for p in state.roster.people}
    entries = [e for e in engine(request).outbox.entries() if e.recipient in people and e.kind != "sign_in"]
    return page(request, "outbox.html", state=state, entries=list(reversed(entries))[:300])
