"""What the program office does on an offering's page: extend the deadline, decide a site early, award a fund's
scholarships by its choice, and launch a running site's cohort.

The workflow checks each (reasons, dates, who is eligible) and refuses with the domain's reason;
a refused action writes nothing and the page shows why. The page that follows an action is drawn
from the workflow's record, which already holds it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from domain.cohort import COHORT_ID, COHORT_ID_MAX
from domain.problems import InvalidInput, Refused
from domain.processes.enrollment_requests import DeadlineExtension, EarlySiteDecision, ScholarshipChoice
from domain.program import read_program
from peercoach.enrollment_client import LaunchNotStarted
from web.application_pages import enrollment
from web.frame import SignedIn, SignedInCsrfChecked
from web.office_pages import in_office, no_offering, offering_page, read_view, record_view, upload_text

router = APIRouter()


async def _refused(request: Request, offering: str, problem: str, status_code: int = 409, changed: bool = False) -> Response:
    found = await read_view(request, offering)
    if found is None:
        return no_offering(request, offering)
    return offering_page(request, found, status_code=status_code, problem=problem, changed=changed)


async def _after(request: Request, offering: str, said: str) -> Response:
    return offering_page(request, record_view(await enrollment(request).record(offering)), said=said)


@router.post("/office/offerings/{offering}/deadline", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def extend_deadline(
    request: Request,
    offering: str,
    visitor: SignedIn,
    deadline: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    in_office(visitor)
    try:
        new = date.fromisoformat(deadline)
    except ValueError:
        return await _refused(request, offering, f"{deadline!r} is not a date; pick the new deadline's day", 400)
    try:
        extended = await enrollment(request).extend_deadline(offering, DeadlineExtension(deadline=new, reason=reason, actor=visitor.email))
    except Refused as refused:
        return await _refused(request, offering, refused.reason)
    return await _after(request, offering, f"The deadline is now {extended:%B %-d, %Y}.")


@router.post("/office/offerings/{offering}/sites/{site}/decision", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def decide_site(
    request: Request,
    offering: str,
    site: str,
    visitor: SignedIn,
    runs: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    in_office(visitor)
    if runs not in ("yes", "no"):
        return await _refused(request, offering, "choose whether the site runs or does not run", 400)
    decision = EarlySiteDecision(site=site, runs=runs == "yes", reason=reason, actor=visitor.email)
    try:
        placed = await enrollment(request).decide_site(offering, decision)
    except Refused as refused:
        return await _refused(request, offering, refused.reason)
    decided = "runs" if decision.runs else "does not run"
    return await _after(request, offering, f"Decided: {site} {decided}; {len(placed)} applicant(s) placed there now.")


@router.post("/office/offerings/{offering}/scholarships/{fund}", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def award_scholarships(
    request: Request,
    offering: str,
    fund: str,
    visitor: SignedIn,
    applications: Annotated[list[str] | None, Form()] = None,
) -> Response:
    in_office(visitor)
    if not applications:
        return await _refused(request, offering, "tick the applications to award a scholarship to", 400)
    choice = ScholarshipChoice(fund=fund, applications=applications, actor=visitor.email)
    try:
        awarded = await enrollment(request).award_scholarships(offering, choice)
    except Refused as refused:
        return await _refused(request, offering, refused.reason)
    return await _after(request, offering, f"Awarded the {fund} scholarship to {', '.join(a.id for a in awarded)}.")


@router.post("/office/offerings/{offering}/sites/{site}/launch", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def launch_site(
    request: Request,
    offering: str,
    site: str,
    visitor: SignedIn,
    program: Annotated[UploadFile, File()],
    cohort: Annotated[str, Form(max_length=COHORT_ID_MAX)] = "",
) -> Response:
    """The cohort is launched from the site's accepted applications, with the program year uploaded here."""
    in_office(visitor)
    if not re.match(COHORT_ID, cohort.strip()):
        return await _refused(request, offering, "give the cohort an id of lower-case letters, digits and dashes", 400)
    try:
        year = read_program((await upload_text(program, "program.yaml")).encode(), program.filename or "program.yaml")
        launched = await enrollment(request).launch_site(offering, site, cohort.strip(), year, visitor.email)
    except InvalidInput as invalid:
        return await _refused(request, offering, "; ".join(str(p) for p in invalid.problems), 400)
    except LaunchNotStarted as kept:
        return await _refused(request, offering, kept.reason, 503, changed=True)
    except Refused as refused:
        return await _refused(request, offering, refused.reason)
    return await _after(request, offering, f"Launched cohort {launched} from {site}'s accepted applicants.")
