"""`peercoach report COHORT`: the year-end report (so far, mid-year) as a page, PDF, CSV or Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import console
from peercoach.report import ReportFormat


def report(
    cohort: str,
    form: Annotated[ReportFormat, typer.Option("--format", help="html, pdf, csv or xlsx.")] = ReportFormat.html,
    output: Annotated[Path | None, typer.Option(help="Where to write it (default: COHORT-report.FORMAT here).")] = None,
) -> None:
    """Attendance, coaching cycles, stalls and release days of a cohort's year: so far, or once its year has closed."""
    target = output or Path(f"{cohort}-report.{form.value}")
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name, such as {target / f'{cohort}-report.{form.value}'}")

    async def go() -> None:
        year = await (await coaching_client(settings())).year_report(cohort)
        # matplotlib and fpdf2 take seconds to import: every other command would pay for them if this were at the top.
        from peercoach.report.formats import rendered

        try:
            target.write_bytes(rendered(year, form))
        except OSError as err:
            raise UserError(f"cannot write {target}: {err.strerror}") from None
        state = "the year" if year.final else "the year so far"
        console.print(f"Wrote {state} of {cohort} to {target} ({form.value}).")

    run(go())
