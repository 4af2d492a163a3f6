"""`peercoach report COHORT`: the year-end report (so far, mid-year) as a page, PDF, CSV or Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import console
from peercoach.report import ReportFormat
from store.sealed import Sealer, Unsealable
from workers.codec import key_ring


def report(
    cohort: str,
    form: Annotated[ReportFormat, typer.Option("--format", help="html, pdf, csv or xlsx.")] = ReportFormat.html,
    output: Annotated[Path | None, typer.Option(help="Where to write it (default: COHORT-report.FORMAT here).")] = None,
) -> None:
    """Attendance, coaching cycles, stalls, release days, plans, tier movement and year-2 decisions of a cohort's year:
    so far, or once its year has closed."""
    target = output or Path(f"{cohort}-report.{form.value}")
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name, such as {target / f'{cohort}-report.{form.value}'}")

    async def go() -> None:
        found = settings()
        try:
            # Tier movement is counted from the sealed self-assessments; the report keeps only the counts.
            year = await (await coaching_client(found)).year_report(cohort, Sealer(key_ring(found)))
        except Unsealable as err:
            raise UserError(f"cannot open the self-assessment answers ({err}); run with the deployment's codec keys") from None
        # matplotlib and fpdf2 take seconds to import: every other command would pay for them if this were at the top.
        from peercoach.report.formats import rendered

        try:
            target.write_bytes(rendered(year, form))
        except OSError as err:
            raise UserError(f"cannot write {target}: {err.strerror}") from None
        state = "the year" if year.final else "the year so far"
        console.print(f"Wrote {state} of {cohort} to {target} ({form.value}).")

    run(go())
