"""`peercoach site ...`: the program office decides a site before the deadline, and launches a running site's
cohort from its accepted applications. The enrollment workflow refuses what may not be done, before anything
is kept; a launch whose roster the applications cannot make names each problem and starts nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from domain.processes.enrollment_requests import EarlySiteDecision
from domain.program import load_program
from peercoach.invocation import UserError, run
from peercoach.offering_commands import OfficeActor, enrollment_client, offering_state, office_actor
from peercoach.output import console

site_app = typer.Typer(help="An offering's sites: decide one before the deadline, launch a running one's cohort.", no_args_is_help=True)


@site_app.command("decide")
def decide(
    offering: str,
    site: str,
    reason: Annotated[str, typer.Option(help="Why: kept with the decision; applicants read why a site does not run.")],
    runs: Annotated[bool | None, typer.Option("--runs/--does-not-run", help="Whether the site runs this year.")] = None,
    actor: OfficeActor = None,
) -> None:
    """Decide a site before the deadline: a running site takes its endorsed applicants now; one that does not run
    offers them another site at the deadline."""
    if runs is None:
        raise UserError("say whether the site runs: --runs or --does-not-run")
    by = office_actor(actor)

    async def go() -> None:
        enrollment = await enrollment_client()
        state = await asyncio.to_thread(offering_state, enrollment.coaching.database, offering)
        placed = await enrollment.decide_site(offering, EarlySiteDecision(site=site, runs=runs, reason=reason, actor=by))
        name = state.offering.site(site).name
        if not runs:
            console.print(f"{name} does not run this year; its applicants are offered another site at the deadline.", markup=False)
            return
        console.print(f"{name} runs this year; {len(placed)} applicant(s) placed now.", markup=False)
        for a in placed:
            console.print(f"  {a.id} {a.form.name}: {a.status.value}" + (f" ({a.reason})" if a.reason else ""), markup=False)

    run(go())


@site_app.command("launch")
def launch(
    offering: str,
    site: str,
    cohort: Annotated[str, typer.Option(help="The new cohort's id.")],
    program: Annotated[Path, typer.Option(help="The program year (YAML), as `peercoach cohort launch` takes it.")],
    actor: OfficeActor = None,
) -> None:
    """Launch a running site's cohort from its accepted applications: each a coach, their principals, the program
    office coordinating."""
    program_year = load_program(program)
    by = office_actor(actor)

    async def go() -> None:
        enrollment = await enrollment_client()
        state = await asyncio.to_thread(offering_state, enrollment.coaching.database, offering)
        launched = await enrollment.launch_site(offering, site, cohort, program_year, by)
        console.print(
            f"Launched cohort {launched} from the accepted applications to {state.offering.site(site).name}; "
            f"its workflows start in the background (peercoach cohort status {launched}).",
            markup=False,
        )

    run(go())
