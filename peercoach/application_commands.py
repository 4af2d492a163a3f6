"""`peercoach applications ...`: the program office's list of an offering's applications (a table, CSV or an Excel
workbook), one application with its essay, and the office's payments and scholarship awards.

Reading asks only the program's database; paying and awarding go to the offering's enrollment
workflow, whose validator refuses before anything is kept.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from fastapi.responses import StreamingResponse

from domain.applications import Application, ApplicationStatus, PaymentMethod, fee_due, offering_of, standing
from domain.office_view import APPLICATION_HEADINGS, ApplicationLine, application_cells, office_view
from domain.processes.enrollment_requests import PaymentEntry, ScholarshipChoice
from domain.words import APPLICANT_ROLE, label, moment
from peercoach.invocation import UserError, run
from peercoach.offering_commands import OfficeActor, enrollment_client, offering_state, office_actor
from peercoach.output import JsonFlag, console, print_json, table
from peercoach.plan_commands import program_database
from store import applications
from store.applications import OfferingState
from store.database import Database
from store.read_model import Page
from web.downloads import Cell, Sheet, download
from web.paging import page_of

applications_app = typer.Typer(help="An offering's applications: list, read, record payments, award scholarships.", no_args_is_help=True)

# What the terminal's table shows of APPLICATION_HEADINGS; CSV and Excel have every column.
SHOWN = ["Application", "Name", "School", "Site chosen", "Placed at", "Where it stands", "Scholarship awarded", "Fee due", "Paid"]


class ListFormat(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


@applications_app.command("list")
def list_applications(
    offering: str,
    site: Annotated[str | None, typer.Option(help="Only those who chose this site or are placed at it (its id).")] = None,
    status: Annotated[ApplicationStatus | None, typer.Option(help="Only applications with this status.")] = None,
    form: Annotated[ListFormat, typer.Option("--format", help="table, csv or xlsx (xlsx needs --output).")] = ListFormat.table,
    output: Annotated[Path | None, typer.Option(help="Write the CSV or Excel workbook to this file.")] = None,
) -> None:
    """One line per application: who, where they chose and are placed, where it stands, scholarship and fee."""
    if form == ListFormat.xlsx and output is None:
        raise UserError(f"an Excel workbook is written to a file: add --output {offering}-applications.xlsx")
    if output is not None and output.is_dir():
        raise UserError(f"{output} is a folder; give a file name, such as {output / f'{offering}-applications.{form.value}'}")
    with program_database() as database:
        state = offering_state(database, offering)
        found = applications.applications(database, offering, status)
    sites = [s.id for s in state.offering.sites]
    if site is not None and site not in sites:
        raise UserError(f"there is no site {site!r} in {offering}; the sites are {', '.join(sites)}")
    lines = office_view(state.offering, state.deadline, state.decisions, state.launched, found, datetime.now(UTC)).applications
    lines = [line for line in lines if site is None or site in (line.chose, line.site)]
    if form == ListFormat.table:
        _print_table(state, lines)
        return
    written = run(_sheet(Sheet(form.value), f"{offering}-applications", lines))
    if output is None:
        sys.stdout.buffer.write(written)
        return
    try:
        output.write_bytes(written)
    except OSError as err:
        raise UserError(f"cannot write {output}: {err.strerror}") from None
    console.print(f"Wrote {len(lines)} application(s) of {offering} to {output} ({form.value}).", markup=False)


def _print_table(state: OfferingState, lines: list[ApplicationLine]) -> None:
    if not lines:
        console.print(f"No applications to {state.offering.name} here yet.", markup=False)
        return
    shown = [APPLICATION_HEADINGS.index(h) for h in SHOWN]
    rows = [[row[i] for i in shown] for row in map(application_cells, lines)]
    console.print(table(f"Applications to {state.offering.name}", SHOWN, rows))


async def _sheet(form: Sheet, name: str, lines: list[ApplicationLine]) -> bytes:
    """The same file the office downloads from the web (`web/downloads.py`): its byte-order mark, and text that
    came from applicants never read as a formula."""

    async def fetch(offset: int, limit: int) -> Page[ApplicationLine]:
        return page_of(lines, offset, limit)

    async def shape(page: list[ApplicationLine]) -> list[list[Cell]]:
        return [list[Cell](application_cells(line)) for line in page]

    response = await download(form, name, APPLICATION_HEADINGS, fetch, shape)
    assert isinstance(response, StreamingResponse)  # every download is streamed, CSV and Excel alike
    chunks = [chunk if isinstance(chunk, bytes) else str(chunk).encode() async for chunk in response.body_iterator]
    if response.background is not None:
        await response.background()
    return b"".join(chunks)


# -- one application ---------------------------------------------------------------------------------


def _application(database: Database, application_id: str) -> tuple[OfferingState, Application, str | None]:
    found = applications.application(database, application_id)
    if found is None:
        raise UserError(f"there is no application {application_id!r}; `peercoach applications list OFFERING` lists them")
    return offering_state(database, offering_of(application_id)), *found


@applications_app.command("show")
def show(application: str, as_json: JsonFlag = False) -> None:
    """One application: who applied, their principal, where it stands, its payments, and why they want to coach."""
    with program_database() as database:
        state, a, essay = _application(database, application)
    o, f = state.offering, a.form
    if as_json:
        print_json(a.model_dump(mode="json") | {"standing": standing(a, o), "fee_due": str(fee_due(a, o)), "why": essay})
        return
    console.print(f"{a.id}: {f.name} <{a.email}>, {APPLICANT_ROLE[f.role]} at {f.school} ({f.district}, {f.region})", markup=False)
    console.print(f"Where it stands: {standing(a, o)}", markup=False)
    placed = f", placed at {a.site}" if a.site else ""
    console.print(f"Applied {moment(a.applied_at, o.timezone)} for {f.site}{placed}; status {a.status.value}.", markup=False)
    confirmed = "confirmed" if a.email_confirmed else "not confirmed yet"
    endorsed = f"endorsed {moment(a.endorsed_at, o.timezone)}" if a.endorsed_at else "not endorsed"
    console.print(f"Email {confirmed}. Principal: {f.principal_name} <{f.principal_email}>, {endorsed}.", markup=False)
    if f.scholarship:
        awarded = f"awarded {a.scholarship}" if a.scholarship else "not awarded"
        console.print(f"Scholarship: asked for {f.scholarship}{' as a member' if f.member else ''}; {awarded}.", markup=False)
    if a.returning:
        console.print(f"A returning coach, with {len(a.carried)} collaborating teacher(s) going on.", markup=False)
    if a.payments:
        rows = [
            [label(p.method), p.reference, f"{p.amount} {o.fee.currency}", p.recorded_by, moment(p.recorded_at, o.timezone)]
            for p in a.payments
        ]
        console.print(table("Payments", ["method", "reference", "amount", "recorded by", "recorded"], rows))
    console.print("Why they want to coach:", style="bold", markup=False)
    console.print(essay or "(none)", markup=False)


# -- the office's payments and awards ------------------------------------------------------------------


def _amount(given: str) -> Decimal:
    try:
        return Decimal(given.strip())
    except InvalidOperation:
        raise UserError(f"--amount {given!r} is not an amount; write it as 799 or 299.50") from None


@applications_app.command("pay")
def pay(
    application: str,
    method: Annotated[PaymentMethod, typer.Option(help="purchase_order, invoice or payment (a cheque or transfer received).")],
    reference: Annotated[str, typer.Option(help="The purchase order, invoice or payment's number.")],
    amount: Annotated[str, typer.Option(help="How much it covers, in the offering's currency (799, 299.50).")],
    actor: OfficeActor = None,
) -> None:
    """Record a purchase order, an invoice or a payment against an application's fee."""
    by, money = office_actor(actor), _amount(amount)

    async def go() -> None:
        enrollment = await enrollment_client()
        state, _, _ = await asyncio.to_thread(_application, enrollment.coaching.database, application)
        entry = PaymentEntry(application=application, method=method, reference=reference, amount=money, actor=by)
        paid = await enrollment.record_payment(entry)
        console.print(
            f"Recorded {label(method)} {entry.reference} of {money} {state.offering.fee.currency} on {paid.id} ({paid.form.name}): "
            f"{standing(paid, state.offering)}.",
            markup=False,
        )

    run(go())


@applications_app.command("award")
def award(
    offering: str,
    fund: Annotated[str, typer.Option(help="The scholarship fund (its id, as `peercoach offering show` lists it).")],
    chosen: Annotated[list[str], typer.Argument(metavar="APPLICATION...", help="The applications to award it to.")],
    actor: OfficeActor = None,
) -> None:
    """Award a fund's scholarships by the office's choice, to accepted applicants who asked for it."""
    by = office_actor(actor)

    async def go() -> None:
        enrollment = await enrollment_client()
        state = await asyncio.to_thread(offering_state, enrollment.coaching.database, offering)
        awarded = await enrollment.award_scholarships(offering, ScholarshipChoice(fund=fund, applications=chosen, actor=by))
        given = state.offering.fund(fund)
        for a in awarded:
            console.print(
                f"Awarded the {given.offered_by} scholarship of {given.amount} {state.offering.fee.currency} to {a.id} ({a.form.name}): "
                f"{standing(a, state.offering)}.",
                markup=False,
            )

    run(go())
