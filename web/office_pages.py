"""The program office's pages: its offerings, opening one from its YAML file, an offering's figures and applications
(and their downloads), and one application with its essay and payments.

Only the deployment's program office (PEERCOACH_COORDINATORS) sees them. Every figure is the domain's
`office_view`; a page reads the database's copy, except right after an action, when it is drawn from the
workflow's own record (the copy lags it by a moment). The offering's actions are in `web/office_actions.py`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from domain.applications import REFERENCE_MAX_CHARS, Application, PaymentMethod, offering_of, standing
from domain.offering import load_offering
from domain.offering_record import OfferingRecord, Window
from domain.office_view import APPLICATION_HEADINGS, ApplicationLine, OfficeView, application_cells, countdown, office_view
from domain.problems import InvalidInput, Problem, Refused
from domain.processes.enrollment_requests import PaymentEntry
from domain.words import APPLICANT_ROLE
from store import applications as stored
from store.read_model import Page
from web.application_pages import enrollment
from web.coordinator_pages import UPLOAD_MAX_BYTES
from web.downloads import Cell, Sheet, download
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, page
from web.paging import Offset, Pager, page_of
from web.visitor import Forbidden, Visitor

router = APIRouter()


def in_office(visitor: Visitor) -> None:
    if not visitor.program_office:
        raise Forbidden("only the program office sees the offerings and their applications")


def no_offering(request: Request, offering: str) -> Response:
    return page(request, "problem.html", status_code=404, title="Not found", problem=f"there is no offering {offering!r}")


async def read_view(request: Request, offering: str) -> tuple[OfficeView, Window] | None:
    """The office's figures from the database's copy."""
    database = engine(request).database
    state = await asyncio.to_thread(stored.offering, database, offering)
    if state is None:
        return None
    found = await asyncio.to_thread(stored.applications, database, offering)
    s = state
    return office_view(s.offering, s.deadline, s.decisions, s.launched, found, datetime.now(UTC)), s.window


def record_view(r: OfferingRecord) -> tuple[OfficeView, Window]:
    """The office's figures from the workflow's own record, right after an action."""
    return office_view(r.offering, r.deadline, r.decisions, r.launched, r.applications, datetime.now(UTC)), r.window


def offering_page(
    request: Request,
    found: tuple[OfficeView, Window],
    offset: int = 0,
    status_code: int = 200,
    problem: str | None = None,
    said: str | None = None,
    changed: bool = False,
) -> Response:
    view, window = found
    lines = page_of(view.applications, offset)
    return page(
        request,
        "office_offering.html",
        changed=changed,
        status_code=status_code,
        view=view,
        o=view.offering,
        window=window,
        countdown=countdown(view.days_left),
        lines=lines,
        # The offering's own page, also after an action (whose URL is the action's): the links page its list.
        pager=Pager(
            f"/office/offerings/{view.offering.id}", {}, "offset", "applications", offset, lines.limit, len(lines.rows), lines.total
        ),
        problem=problem,
        said=said,
    )


@router.get("/office/offerings", response_class=HTMLResponse)
async def offerings(request: Request, visitor: SignedIn) -> Response:
    in_office(visitor)
    found = await asyncio.to_thread(stored.offerings, engine(request).database)
    return page(request, "office_offerings.html", offerings=found)


@router.get("/office/offerings/new", response_class=HTMLResponse)
async def new_offering_form(request: Request, visitor: SignedIn) -> Response:
    in_office(visitor)
    return page(request, "office_new_offering.html", problems=[])


async def upload_text(file: UploadFile, what: str) -> str:
    """An uploaded YAML file's text; one too large or not text is a problem of the file."""
    name = file.filename or what
    content = await file.read(UPLOAD_MAX_BYTES + 1)
    if len(content) > UPLOAD_MAX_BYTES:
        raise InvalidInput([Problem(name, None, None, f"the file is larger than {UPLOAD_MAX_BYTES // 1_000_000} MB")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(name, None, None, "this is not a text file; save the YAML as UTF-8 text")]) from None


@router.post("/office/offerings/new", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def open_offering(request: Request, visitor: SignedIn, offering: Annotated[UploadFile, File()]) -> Response:
    """Every problem in the file is shown with its field; nothing is opened unless there are none."""
    in_office(visitor)
    try:
        found = load_offering(await upload_text(offering, "offering.yaml"), offering.filename or "offering.yaml")
    except InvalidInput as invalid:
        return page(request, "office_new_offering.html", status_code=400, problems=[str(p) for p in invalid.problems])
    try:
        await enrollment(request).open_offering(found, office=engine(request).settings.program_office)
    except Refused as refused:
        return page(request, "office_new_offering.html", status_code=409, problems=[refused.reason])
    said = f"Opened {found.name}: applications open on {found.opens:%B %-d, %Y}. Its figures appear here in a moment."
    return done(request, "/office/offerings", said)


@router.get("/office/offerings/{offering}", response_class=HTMLResponse)
async def offering_figures(request: Request, offering: str, visitor: SignedIn, offset: Offset = 0) -> Response:
    in_office(visitor)
    found = await read_view(request, offering)
    if found is None:
        return no_offering(request, offering)
    return offering_page(request, found, offset)


@router.get("/office/offerings/{offering}/applications.{form}")
async def applications_download(request: Request, offering: str, form: Sheet, visitor: SignedIn) -> Any:
    """The offering's applications as the office's list shows them, with their figures (never the essays)."""
    in_office(visitor)
    found = await read_view(request, offering)
    if found is None:
        return no_offering(request, offering)
    lines = found[0].applications

    async def fetch(offset: int, limit: int) -> Page[ApplicationLine]:
        return page_of(lines, offset, limit)

    async def shape(rows: list[ApplicationLine]) -> list[list[Cell]]:
        return [list[Cell](application_cells(line)) for line in rows]

    return await download(form, f"{offering}-applications", APPLICATION_HEADINGS, fetch, shape)


async def application_page(
    request: Request, a: Application, status_code: int = 200, problem: str | None = None, said: str | None = None
) -> Response:
    database = engine(request).database
    essay = await asyncio.to_thread(stored.application, database, a.id)
    state = await asyncio.to_thread(stored.offering, database, offering_of(a.id))
    assert state is not None  # an application's offering is written before it
    return page(
        request,
        "office_application.html",
        status_code=status_code,
        a=a,
        o=state.offering,
        why=essay[1] if essay else None,
        standing=standing(a, state.offering),
        role=APPLICANT_ROLE[a.form.role],
        methods=list(PaymentMethod),
        REFERENCE_MAX_CHARS=REFERENCE_MAX_CHARS,
        problem=problem,
        said=said,
    )


@router.get("/office/applications/{application}", response_class=HTMLResponse)
async def application(request: Request, application: str, visitor: SignedIn) -> Response:
    in_office(visitor)
    found = await asyncio.to_thread(stored.application, engine(request).database, application)
    if found is None:
        return page(request, "problem.html", status_code=404, title="Not found", problem=f"there is no application {application!r}")
    return await application_page(request, found[0])


@router.post("/office/applications/{application}/payments", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def record_payment(
    request: Request,
    application: str,
    visitor: SignedIn,
    method: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
) -> Response:
    in_office(visitor)
    found = await asyncio.to_thread(stored.application, engine(request).database, application)
    if found is None:
        return page(request, "problem.html", status_code=404, title="Not found", problem=f"there is no application {application!r}")
    try:
        entry = PaymentEntry(
            application=application, method=PaymentMethod(method), reference=reference, amount=Decimal(amount), actor=visitor.email
        )
    except (ValueError, InvalidOperation):
        problem = f"{amount!r} is not an amount; write it in figures, such as 799 or 299.50, and choose how it was paid"
        return await application_page(request, found[0], status_code=400, problem=problem)
    try:
        paid = await enrollment(request).record_payment(entry)
    except Refused as refused:
        return await application_page(request, found[0], status_code=409, problem=refused.reason)
    return await application_page(request, paid, said=f"Recorded {entry.amount} {method.replace('_', ' ')} {entry.reference.strip()}.")
