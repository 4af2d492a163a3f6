"""`peercoach applications ...`: the office lists an offering's applications (a table, CSV to the terminal or a file,
an Excel workbook) with the same headings and figures the web's downloads have, reads one with its essay, records
payments and awards scholarships by its choice; each refusal prints one line, exits 1 and changes nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from temporalio.testing import WorkflowEnvironment

from domain.office_view import APPLICATION_HEADINGS as HEADINGS
from tests.cli.conftest import Result, Terminal
from tests.cli.test_commands import until
from tests.cli.test_offering_commands import Spring, opened, refused_cleanly, said
from tests.offering_fixtures import form


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


async def accepted_at_spokane(s: Spring) -> None:
    """Three endorsed at Spokane, two asking for the library association's scholarship; Spokane is decided early,
    so they are accepted now. A fourth, at Vancouver, has not confirmed their email (and wrote a name a spreadsheet
    would take for a formula)."""
    await s.endorsed(1, "esd-101", "northeast", "Lincoln Heights Elementary", scholarship="wlma", member=True)
    await s.endorsed(2, "esd-101", "northeast", "Mead Elementary", scholarship="wlma", member=True)
    await s.endorsed(3, "esd-101", "northeast", "Finch Elementary")
    fourth = form(4, "esd-112", "southwest", "Hazel Dell Elementary", name="=Applicant 4", why="=1+1 is how I start")
    await s.enrollment.apply(s.offering.id, fourth)
    decided = await s.terminal("site", "decide", s.offering.id, "esd-101", "--runs", "--reason", "Enough early")
    assert "ESD 101, Spokane runs this year; 3 applicant(s) placed now." in said(decided)


async def test_the_office_lists_reads_pays_and_awards(dev_env: WorkflowEnvironment, terminal: Terminal, tmp_path: Path) -> None:
    async with opened(dev_env, terminal, tmp_path) as s:
        o = s.offering.id
        await accepted_at_spokane(s)
        first, second, fourth = f"{o}-0001", f"{o}-0002", f"{o}-0004"

        # The table, once the database has all four.
        async def listed() -> Result | None:
            table = await s.terminal("applications", "list", o)
            return table if table.code == 0 and table.out.count("accepted at ESD 101, Spokane") == 3 else None

        table = said(await until(listed, "four applications listed"))
        spokane = "accepted at ESD 101, Spokane"
        assert f"{first} │ Applicant 1 │ Lincoln Heights Elementary │ esd-101 │ esd-101 │ {spokane}, fee due: 799 USD" in table
        assert f"{fourth} │ =Applicant 4 │ Hazel Dell Elementary │ esd-112 │ │ applied: confirm your email" in table

        # CSV to the terminal, narrowed to a site and a status: every heading, the figures as numbers.
        found = await s.terminal("applications", "list", o, "--site", "esd-101", "--status", "accepted", "--format", "csv")
        assert found.code == 0, found.err
        assert next(csv.reader(io.StringIO(found.out.removeprefix("\ufeff")))) == HEADINGS
        rows = rows_of(found.out)
        assert [r["Application"] for r in rows] == [first, second, f"{o}-0003"]
        assert (rows[0]["Role"], rows[0]["Placed at"], rows[0]["Endorsed"], rows[0]["Fee due"], rows[0]["Paid"]) == (
            "teacher librarian", "esd-101", "yes", "799", "0"
        )  # fmt: skip
        assert rows[0]["Scholarship asked for"] == "wlma" and rows[2]["Scholarship asked for"] == ""

        # Mistakes in how it was asked for: one line each.
        no_file = await s.terminal("applications", "list", o, "--format", "xlsx")
        refused_cleanly(no_file, "an Excel workbook is written to a file: add --output")
        refused_cleanly(await s.terminal("applications", "list", o, "--site", "esd-999"), "there is no site 'esd-999' in")
        refused_cleanly(await s.terminal("applications", "list", "nope"), "there is no offering 'nope'")

        # One application: its standing and its essay (text from the applicant stays text).
        one = said(await s.terminal("applications", "show", fourth))
        assert "=Applicant 4 <a4@schools.test>, teacher librarian at Hazel Dell Elementary (Evergreen, southwest)" in one
        assert "Where it stands: applied: confirm your email (see the link we sent)" in one
        assert "Why they want to coach: =1+1 is how I start" in one
        refused_cleanly(await s.terminal("applications", "show", f"{o}-0099"), f"there is no application '{o}-0099'")

        # Payments: more than is due, someone not of the office, no such application, not an amount; nothing is kept.
        before = await s.revision()
        pay = ["applications", "pay", first, "--method", "purchase_order", "--reference", "PO-4471"]
        refused_cleanly(await s.terminal(*pay, "--amount", "900"), f"refused: 900 USD is more than the 799 USD still due on {first}")
        refused_cleanly(await s.terminal(*pay, "--amount", "299.50", "--as", "a1@schools.test"), "is not of the program office")
        refused_cleanly(await s.terminal(*pay, "--amount", "lots"), "--amount 'lots' is not an amount; write it as 799 or 299.50")
        pay[2] = f"{o}-0099"
        refused_cleanly(await s.terminal(*pay, "--amount", "299.50"), f"there is no application '{o}-0099'")
        pay[2] = fourth
        refused_cleanly(await s.terminal(*pay, "--amount", "299.50"), "payments are recorded once its principal endorsed it")
        assert await s.revision() == before and (await s.enrollment.record(o)).application(first).payments == []

        pay[2] = first
        paid = said(await s.terminal(*pay, "--amount", "299.50"))
        assert f"Recorded purchase order PO-4471 of 299.50 USD on {first} (Applicant 1): {spokane}, fee due: 499.50 USD" in paid
        [payment] = (await s.enrollment.record(o)).application(first).payments
        assert (payment.amount, payment.recorded_by) == (Decimal("299.50"), "office@wlma.test")

        # Scholarships by the office's choice: not to someone who did not ask, nor from a fund there is not.
        before = await s.revision()
        award = ["applications", "award", o, "--fund"]
        not_asked = await s.terminal(*award, "wlma", f"{o}-0003")
        refused_cleanly(not_asked, f"{o}-0003 (Applicant 3) cannot have the WLMA scholarship: did not ask for this scholarship")
        refused_cleanly(await s.terminal(*award, "pta", second), "refused: there is no scholarship fund 'pta'; the funds are wlma")
        refused_cleanly(await s.terminal(*award, "wlma", second, "--as", "someone@else.test"), "is not of the program office")
        assert await s.revision() == before
        awarded = said(await s.terminal(*award, "wlma", second))
        assert f"Awarded the WLMA scholarship of 500 USD to {second} (Applicant 2): {spokane}, fee due: 299 USD" in awarded

        # The workbook has the figures as numbers, once the database has the payment and the award.
        book_file = tmp_path / "applications.xlsx"

        async def written() -> Result | None:
            done = await s.terminal("applications", "list", o, "--format", "xlsx", "--output", str(book_file))
            sheet = load_workbook(book_file).active if done.code == 0 else None
            cells = [] if sheet is None else [list(r) for r in sheet.iter_rows(values_only=True)]
            return done if len(cells) == 5 and cells[2][HEADINGS.index("Scholarship awarded")] == "wlma" else None

        assert f"Wrote 4 application(s) of {o} to {book_file} (xlsx)." in said(await until(written, "the workbook"))
        sheet = load_workbook(book_file).active
        assert sheet is not None
        book = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert book[0] == HEADINGS
        due, paid_column = HEADINGS.index("Fee due"), HEADINGS.index("Paid")
        figures = [(r[0], r[due], r[paid_column]) for r in book[1:]]
        assert figures == [(first, 499.5, 299.5), (second, 299, 0), (f"{o}-0003", 799, 0), (fourth, 0, 0)]
        assert book[4][HEADINGS.index("Status")] == "applied" and book[4][HEADINGS.index("Endorsed")] == "no"
        assert (sheet.cell(5, 2).value, sheet.cell(5, 2).data_type) == ("=Applicant 4", "s")  # a name, never a formula

        # The office's view counts the same: fees due, and the scholarship awarded and left.
        view = said(await s.terminal("offering", "show", o))
        assert "Fees due: 1597.50 USD." in view and "wlma │ WLMA │ one per region │ 14 │ 2 │ 1 │ 13" in view
