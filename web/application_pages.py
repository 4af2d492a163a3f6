"""The public doors of an offering's spring: the application form, and the pages its signed links lead to.

Nobody signs in here: the form is open to anyone while the window is open, and a link's
signature (`domain/application_links.py`) is the proof of who follows it. The form carries
the anonymous session's CSRF token, as the sign-in form does. A link's page only shows;
its button acts (mail scanners open links). After an action the page is drawn from the
workflow's reply, since the database copy lags it by a moment.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from domain import application_links
from domain.application_links import Grant, Purpose
from domain.applications import (
    NAME_MAX_CHARS,
    OPEN,
    WHY_MAX_CHARS,
    Application,
    ApplicationForm,
    default_school_model,
    offering_of,
    standing,
)
from domain.enrollment import REASON_MAX_CHARS
from domain.offering import Offering
from domain.problems import Refused
from domain.processes.enrollment_requests import EndorsementAnswer
from domain.roster import EMAIL_MAX
from domain.words import APPLICANT_ROLE, SCHOOL_MODEL
from peercoach.enrollment_client import EnrollmentClient
from store import applications as stored
from store.applications import OfferingState
from web.frame import CsrfChecked, engine, page

router = APIRouter()
LIMITS = {"NAME_MAX_CHARS": NAME_MAX_CHARS, "WHY_MAX_CHARS": WHY_MAX_CHARS, "EMAIL_MAX": EMAIL_MAX}
FIELDS = {"reason": "your reason", "school_model": "how the school staffs coaching"}
NOT_A_LINK = "This link is not one the program sent, or it was cut short. Open it again from the message, whole."


def enrollment(request: Request) -> EnrollmentClient:
    return EnrollmentClient(engine(request).coaching)


async def offering_state(request: Request, offering_id: str) -> OfferingState | None:
    return await asyncio.to_thread(stored.offering, engine(request).database, offering_id)


async def current(request: Request, a: Application) -> Application:
    """The application as the workflow has it now: after a refusal the database's copy may not have caught up yet."""
    return (await enrollment(request).record(offering_of(a.id))).application(a.id)


def not_found(request: Request, title: str, sentence: str) -> Response:
    return page(request, "apply_problem.html", status_code=404, title=title, problem=sentence)


async def _granted(request: Request, token: str, purpose: Purpose) -> tuple[Grant, Application, str | None, Offering] | None:
    """What the link grants and the application it is about, or None for a link the program did not make for this."""
    grant = application_links.granted(engine(request).sessions.secret, token)
    if grant is None or grant.purpose != purpose:
        return None
    found = await asyncio.to_thread(stored.application, engine(request).database, grant.application)
    state = await offering_state(request, offering_of(grant.application))
    if found is None or state is None:
        return None
    return grant, found[0], found[1], state.offering


# -- applying -------------------------------------------------------------------------------


def _form_page(
    request: Request, state: OfferingState, values: dict[str, Any], status_code: int = 200, problem: str | None = None
) -> Response:
    o = state.offering
    return page(
        request,
        "apply_form.html",
        status_code=status_code,
        offering=o,
        state=state,
        values=values,
        # This sending's id: the same form sent twice (a double click, a refresh) is one application, not a refusal.
        sending=values.get("request") or uuid.uuid4().hex,
        problem=problem,
        roles=APPLICANT_ROLE,
        members_of=[f.offered_by for f in o.scholarships if f.members_only],
        **LIMITS,
    )


@router.get("/apply/{offering}", response_class=HTMLResponse)
async def application_form(request: Request, offering: str) -> Response:
    state = await offering_state(request, offering)
    if state is None:
        return not_found(request, "No such offering", f"There is no offering called {offering!r}. Check the address you were given.")
    return _form_page(request, state, {})


@router.post("/apply/{offering}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def apply(
    request: Request,
    offering: str,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    school: Annotated[str, Form()] = "",
    district: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    why: Annotated[str, Form()] = "",
    principal_name: Annotated[str, Form()] = "",
    principal_email: Annotated[str, Form()] = "",
    scholarship: Annotated[str, Form()] = "",
    member: Annotated[bool, Form()] = False,
    sending: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The workflow checks the form (window, duplicates, every field); a refusal shows the form again as it was sent."""
    state = await offering_state(request, offering)
    if state is None:
        return not_found(request, "No such offering", f"There is no offering called {offering!r}. Check the address you were given.")
    values: dict[str, Any] = {
        "name": name.strip(),
        "email": email.strip(),
        "school": school.strip(),
        "district": district.strip(),
        "region": region,
        "role": role,
        "site": site,
        "why": why,
        "principal_name": principal_name.strip(),
        "principal_email": principal_email.strip(),
        "scholarship": scholarship or None,
        "member": member,
        "request": sending or None,
    }
    try:
        form = ApplicationForm.model_validate(values)
    except ValidationError:  # only the role can be malformed: every other field is text the workflow checks
        return _form_page(request, state, values, 400, "choose your role from the list")
    try:
        applied = await enrollment(request).apply(offering, form)
    except Refused as refused:
        return _form_page(request, state, values, 409, refused.reason)
    return page(request, "apply_sent.html", offering=state.offering, application=applied)


# -- the links' pages -----------------------------------------------------------------------


def status_page(
    request: Request, token: str, a: Application, o: Offering, said: str | None = None, status_code: int = 200, problem: str | None = None
) -> Response:
    """Where the application stands; `token` is the holder's status link (the withdraw button posts to it)."""
    return page(
        request,
        "apply_status.html",
        status_code=status_code,
        application=a,
        offering=o,
        standing=standing(a, o),
        site=o.site(a.site or a.form.site).name,
        may_withdraw=a.status in OPEN,
        token=token,
        said=said,
        problem=problem,
    )


def status_token(request: Request, a: Application) -> str:
    """The applicant's own status link: the confirm link proved the address is theirs."""
    return application_links.token(engine(request).sessions.secret, Purpose.status, a.id, a.email)


@router.get("/apply/confirm/{token}", response_class=HTMLResponse)
async def confirm_form(request: Request, token: str) -> Response:
    found = await _granted(request, token, Purpose.confirm)
    if found is None:
        return not_found(request, "Not a confirmation link", NOT_A_LINK)
    grant, a, _, o = found
    if a.email_confirmed:
        return status_page(request, status_token(request, a), a, o)
    return page(request, "apply_confirm.html", application=a, offering=o, email=grant.email, token=token)


@router.post("/apply/confirm/{token}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def confirm(request: Request, token: str) -> Response:
    found = await _granted(request, token, Purpose.confirm)
    if found is None:
        return not_found(request, "Not a confirmation link", NOT_A_LINK)
    grant, a, _, o = found
    try:
        confirmed = await enrollment(request).confirm_email(a.id, grant.email)
    except Refused as refused:  # confirmed already, or the application moved on: where it stands is the answer
        return status_page(request, status_token(request, a), await current(request, a), o, said=refused.reason)
    said = f"Your email is confirmed. We have asked {confirmed.form.principal_name} to endorse your application."
    return status_page(request, status_token(request, confirmed), confirmed, o, said=said)


@router.get("/apply/status/{token}", response_class=HTMLResponse)
async def status(request: Request, token: str) -> Response:
    found = await _granted(request, token, Purpose.status)
    if found is None:
        return not_found(request, "Not a status link", NOT_A_LINK)
    _, a, _, o = found
    return status_page(request, token, a, o)


@router.post("/apply/status/{token}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def withdraw(request: Request, token: str) -> Response:
    found = await _granted(request, token, Purpose.status)
    if found is None:
        return not_found(request, "Not a status link", NOT_A_LINK)
    grant, a, _, o = found
    try:
        withdrawn = await enrollment(request).withdraw(a.id, grant.email)
    except Refused as refused:
        return status_page(request, token, await current(request, a), o, status_code=409, problem=refused.reason)
    return status_page(request, token, withdrawn, o, said=f"Application {withdrawn.id} is withdrawn.")


def _endorse_page(
    request: Request,
    token: str,
    a: Application,
    why: str | None,
    o: Offering,
    status_code: int = 200,
    problem: str | None = None,
    said: str | None = None,
) -> Response:
    return page(
        request,
        "apply_endorse.html",
        status_code=status_code,
        application=a,
        why=why,
        offering=o,
        site=o.site(a.form.site).name,
        standing=standing(a, o),
        models=SCHOOL_MODEL,
        default_model=a.school_model or default_school_model(a.form.role),
        REASON_MAX_CHARS=REASON_MAX_CHARS,
        role=APPLICANT_ROLE[a.form.role],
        token=token,
        problem=problem,
        said=said,
    )


@router.get("/apply/endorse/{token}", response_class=HTMLResponse)
async def endorsement_form(request: Request, token: str) -> Response:
    found = await _granted(request, token, Purpose.endorse)
    if found is None:
        return not_found(request, "Not an endorsement link", NOT_A_LINK)
    _, a, why, o = found
    return _endorse_page(request, token, a, why, o)


@router.post("/apply/endorse/{token}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def endorse(
    request: Request,
    token: str,
    answer: Annotated[str, Form()] = "",
    school_model: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    found = await _granted(request, token, Purpose.endorse)
    if found is None:
        return not_found(request, "Not an endorsement link", NOT_A_LINK)
    grant, a, why, o = found
    if answer not in ("endorse", "decline"):
        return _endorse_page(request, token, a, why, o, status_code=400, problem="press Endorse or Decline")
    try:
        said = EndorsementAnswer(
            application=a.id,
            actor=grant.email,
            endorse=answer == "endorse",
            school_model=school_model or None,  # type: ignore[arg-type]
            reason=reason.strip() or None,
        )
    except ValidationError as wrong:
        problem = "; ".join(f"{FIELDS.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in wrong.errors())
        return _endorse_page(request, token, a, why, o, status_code=400, problem=problem)
    try:
        answered = await enrollment(request).answer_endorsement(said)
    except Refused as refused:
        return _endorse_page(request, token, await current(request, a), why, o, status_code=409, problem=refused.reason)
    thanks = f"Thank you: you endorsed {a.form.name}'s application." if said.endorse else f"You declined {a.form.name}'s application."
    return _endorse_page(request, token, answered, why, o, said=thanks)
