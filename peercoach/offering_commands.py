"""`peercoach offering ...`: the program office checks a year's offering file, opens its window, watches its
spring and extends its deadline.

Reading an offering asks only the program's database (what its enrollment workflow last published);
opening and extending go to the workflow, whose validator refuses before anything is kept. The
lookups here, and who may act for the office, serve `peercoach applications` and `peercoach site` too.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from domain import access
from domain.offering import Offering, load_offering
from domain.office_view import OfficeView, countdown, office_view
from domain.problems import Refused
from domain.processes.enrollment_requests import DeadlineExtension
from peercoach.connect import coaching_client
from peercoach.enrollment_client import EnrollmentClient
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, print_json, table
from peercoach.plan_commands import program_database
from store import applications
from store.applications import OfferingState
from store.database import Database
from store.next_year import carried_over

offering_app = typer.Typer(help="A year's offering: sites, fee, scholarships and the application window.", no_args_is_help=True)

OfficeActor = Annotated[
    str | None, typer.Option("--as", help="Who in the program office acts (default: the first of PEERCOACH_COORDINATORS).")
]
NO_OFFICE = "no program office is configured: set PEERCOACH_COORDINATORS to the office's emails, separated by commas"


# -- who acts, and which offering (the applications and site commands use these too) ----------------


def office_actor(given: str | None) -> str:
    """The person acting for the program office: named with --as, or the office's first; anyone else is refused."""
    office = settings().program_office
    if not office:
        raise UserError(NO_OFFICE)
    actor = (given or office[0]).strip().lower()
    if not access.in_program_office(office, actor):
        raise Refused(f"{actor} is not of the program office ({', '.join(office)}, as PEERCOACH_COORDINATORS names it)")
    return actor


def offering_state(database: Database, offering_id: str) -> OfferingState:
    found = applications.offering(database, offering_id)
    if found is None:
        known = ", ".join(o.offering.id for o in applications.offerings(database))
        listed = f"the offerings are {known}" if known else "none is open yet: open one with `peercoach offering open FILE`"
        raise UserError(f"there is no offering {offering_id!r}; {listed}")
    return found


async def enrollment_client() -> EnrollmentClient:
    return EnrollmentClient(await coaching_client(settings()))


def long_day(on: date) -> str:
    return f"{on:%A %B %-d, %Y}"


# -- the offering file ------------------------------------------------------------------------------


def read_offering(path: Path) -> Offering:
    """The offering file as the domain reads it; a problem names the file and the field (and exits 1)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot read the offering file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text; save it as UTF-8 (it is YAML, see samples/offering.yaml)") from None
    return load_offering(text, str(path))


@offering_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="The offering file (YAML), such as samples/offering.yaml.")]) -> None:
    """Check an offering file without opening anything: every problem with its field, or what the offering holds."""
    o = read_offering(file)
    fee = f"{o.fee.amount} {o.fee.currency}"
    console.print(
        f"{o.name} ({o.id}), {o.school_year}: applications from {o.opens:%A %B %-d, %Y} to the end of "
        f"{o.deadline:%A %B %-d, %Y} ({o.timezone}); {fee} per participant.",
        markup=False,
    )
    sites = [[s.id, s.name, s.region, str(s.minimum), str(s.maximum or "none"), ", ".join(s.nearby) or "-"] for s in o.sites]
    console.print(table("Sites (each runs at its minimum)", ["site", "name", "region", "minimum", "maximum", "offered instead"], sites))
    funds = [
        [f.id, f.offered_by, str(f.count), f"{f.amount} {o.fee.currency}", f.rule.label, "members" if f.members_only else "anyone"]
        for f in o.scholarships
    ]
    if funds:
        console.print(table("Scholarship funds", ["fund", "offered by", "count", "amount", "rule", "for"], funds))
    c = o.commitment
    console.print(
        f"A school commits {c.release_days_per_teacher:g} release day(s) per collaborating teacher, {c.coach_fte:g} FTE of a coach, "
        f"and {c.planning_time}. Second-year coaches attend sessions {', '.join(map(str, o.second_year_sessions))}.",
        markup=False,
    )


# -- opening, watching and extending ----------------------------------------------------------------


@offering_app.command("open")
def open_offering(
    file: Annotated[Path, typer.Argument(help="The offering file (YAML), as `peercoach offering check` reads it.")],
    returning_from: Annotated[
        str | None,
        typer.Option("--returning-from", help="Last year's cohort: the coaches its principals chose to go on with come in endorsed."),
    ] = None,
    site: Annotated[str | None, typer.Option(help="The site the returning coaches attend (with --returning-from).")] = None,
) -> None:
    """Start the offering's spring: its window opens and closes on its own dates, and the program office
    (PEERCOACH_COORDINATORS) is told when applications close."""
    o = read_offering(file)
    office = settings().program_office
    if not office:
        raise UserError(NO_OFFICE)
    if (returning_from is None) != (site is None):
        raise UserError("give --returning-from COHORT and --site SITE together: last year's cohort, and where its coaches go on")

    async def go() -> None:
        enrollment = await enrollment_client()
        carry = None
        if returning_from is not None and site is not None:
            carry = await asyncio.to_thread(carried_over, enrollment.coaching.database, returning_from, o, site)
        await enrollment.open_offering(o, office, carry)
        console.print(
            f"Opened {o.name} ({o.id}): applications open on {long_day(o.opens)} and close at the end of "
            f"{long_day(o.deadline)} ({o.timezone}); {', '.join(office)} will be told when they close.",
            markup=False,
        )
        if carry is not None:
            console.print(
                f"From {returning_from}: {len(carry.returning)} coach(es) go on at {o.site(str(site)).name}, endorsed already; "
                f"{len(carry.concluded)} whose coaching was concluded are thanked.",
                markup=False,
            )
        console.print(f"Next: peercoach offering show {o.id}", markup=False)

    run(go())


@offering_app.command("show")
def show(offering: str, as_json: JsonFlag = False) -> None:
    """What the program office sees: each site against its minimum and maximum, the endorsements still missing,
    the fees due, the scholarships awarded and left, and the time to the deadline."""
    with program_database() as database:
        state = offering_state(database, offering)
        found = applications.applications(database, offering)
    view = office_view(state.offering, state.deadline, state.decisions, state.launched, found, datetime.now(UTC))
    if as_json:
        print_json(view.model_dump(mode="json", exclude={"applications"}) | {"window": state.window.value})
        return
    _print_view(view, state)


def _print_view(view: OfficeView, state: OfferingState) -> None:
    o, currency = view.offering, view.offering.fee.currency
    console.print(
        f"{o.name} ({o.id}), {o.school_year}: applications are {state.window.value}; the deadline is the end of "
        f"{long_day(view.deadline)} ({o.timezone}): {countdown(view.days_left)}.",
        markup=False,
    )
    sites = [
        [s.site, s.name, s.minimum, s.maximum or "none", s.chose, s.endorsed, s.accepted, s.waitlisted, s.decision, s.launched or ""]
        for s in view.sites
    ]
    headings = ["site", "name", "minimum", "maximum", "chose it", "endorsed", "accepted", "waitlisted", "decision", "cohort launched"]
    console.print(table("Sites", headings, sites))
    console.print(
        f"Endorsements missing: {view.waiting_for_email} applicant(s) to confirm their email, "
        f"{view.waiting_for_principal} principal(s) to answer. Fees due: {view.fees_due} {currency}.",
        markup=False,
    )
    funds = [[f.fund, f.offered_by, f.rule, f.count, f.asked, f.awarded, f.left] for f in view.funds]
    if funds:
        console.print(table("Scholarships", ["fund", "offered by", "rule", "holds", "asked for", "awarded so far", "left"], funds))
    console.print(f"{len(view.applications)} application(s): peercoach applications list {o.id}", markup=False)


@offering_app.command("extend")
def extend(
    offering: str,
    to: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="The new deadline (YYYY-MM-DD), after the current one.")],
    reason: Annotated[str, typer.Option(help="Why: kept with the change.")],
    actor: OfficeActor = None,
) -> None:
    """Extend the deadline before it passes: the reminder and the close move with it."""
    by = office_actor(actor)

    async def go() -> None:
        enrollment = await enrollment_client()
        state = await asyncio.to_thread(offering_state, enrollment.coaching.database, offering)
        deadline = await enrollment.extend_deadline(offering, DeadlineExtension(deadline=to.date(), reason=reason, actor=by))
        console.print(
            f"Applications to {state.offering.name} now close at the end of {long_day(deadline)} ({state.offering.timezone}).",
            markup=False,
        )

    run(go())
