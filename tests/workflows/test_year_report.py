"""The year-end report of a real cohort, in every format, parsed back: the PDF's and the workbook's figures are the CSV's.

A year is played on the time-skipping server: attendance, a partnership through a whole
cycle, release days approved, denied and used. Notes with a marker string are written
along the way; no format of the report holds them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader
from temporalio.testing import WorkflowEnvironment

from domain.cycle import Outcome, Stage
from domain.report import YearReport, month_words
from domain.training import Attendance
from peercoach.client import CoachingClient
from peercoach.report import page, pdf, sheets
from store.sealed import Sealer
from tests.conftest import program_starting, school_day_after
from tests.domain.test_report_formats import SHEETS
from tests.roster_fixtures import ANN, ANN_TIA, BOB, COORDINATOR, PRINCIPAL, TIA, small_roster
from workers.codec import key_ring

SECRET = "quokka-reflection-7731"  # a note's text: private to the partnership, never in a report


async def test_a_years_report_in_every_format_has_the_same_figures_and_no_note(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    coaching = h.coaching()
    now = await time_env.get_current_time()
    program = program_starting((now - timedelta(days=200)).date())
    async with h.worker():
        await coaching.launch_cohort("report", program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched("report")
        for session in (1, 2, 3, 4):
            await coaching.record_attendance("report", COORDINATOR, session, {ANN: Attendance.attended, BOB: Attendance.attended})
        await coaching.record_attendance("report", COORDINATOR, 5, {ANN: Attendance.attended, BOB: Attendance.absent})
        await time_env.sleep(timedelta(seconds=30))  # Ann's partnership hears coaching is unlocked
        for stage in (Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
            await coaching.move("report", ANN_TIA, ANN, stage, f"{SECRET} at {stage.label}")
            if stage == Stage.initiate:
                await coaching.set_goal("report", ANN_TIA, TIA, f"{SECRET} unit", f"{SECRET} goal")
        await coaching.record_outcome("report", ANN_TIA, ANN, Outcome.met, f"{SECRET} evidence")
        await coaching.add_note("report", ANN_TIA, TIA, SECRET)
        closing = program.local_date(await time_env.get_current_time())
        await coaching.move("report", ANN_TIA, ANN, Stage.closed, SECRET)
        day = school_day_after(program, (await time_env.get_current_time() + timedelta(days=8)).date())  # used within the 12 days slept
        used = await coaching.request_release("report", "hazel", TIA, 1, day, "Co-plan the unit", ANN_TIA)
        await coaching.decide_release(used.id, PRINCIPAL, approve=True)
        denied = await coaching.request_release("report", "hazel", TIA, 0.5, day, "Observe")
        await coaching.decide_release(denied.id, PRINCIPAL, approve=False, reason="Testing week")
        await time_env.sleep(timedelta(days=12))  # the approved day is used

        report = await caught_up(coaching, Sealer(key_ring(h.settings)))
    assert report is not None and not report.final

    # The figures, as the CSV has them.
    rows = list(csv.DictReader(io.StringIO(sheets.as_csv(report))))
    figure = {(r["section"], r["group"], r["measure"]): r["value"] for r in rows}
    assert figure[("training", "cohort", "coaches")] == "2"
    assert figure[("training", "cohort", "coaching unlocked")] == "1"
    assert figure[("attendance", "session 5", "attended")] == "1" and figure[("attendance", "session 5", "absent")] == "1"
    assert figure[("attendance", "session 6", "not recorded")] == "2"
    assert figure[("coaching", "cohort", "cycles completed")] == "1"
    assert figure[("coaching", "cohort", "goals named")] == figure[("coaching", "cohort", "goals met")] == "1"
    school = "Hazel"
    assert figure[("schools", school, "release days requested")] == "1.5"
    assert figure[("schools", school, "release days approved")] == "1"
    assert figure[("schools", school, "release days used")] == "1"
    assert figure[("schools", school, "release days denied")] == "0.5"
    assert figure[("partnerships", f"Ann Coach with Tia Teacher ({school})", "cycles completed")] == "1"
    per_month = [(r["measure"], r["value"]) for r in rows if r["section"] == "cycles per month"]
    assert [(m, n) for m, n in per_month if n != "0"] == [(month_words(closing), "1")]  # the month the cycle closed, and no other
    assert per_month[0][0] == month_words(program.session(1).starts_on) and per_month[-1][0] == month_words(program.session(8).starts_on)

    # The PDF, read back, shows the same numbers in its tables.
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.as_pdf(report))).pages)
    text = re.sub(r"\s+", " ", text)
    assert "the year so far" in text
    assert "Coaches: 2. Coaching unlocked: 1." in text and "Coaching cycles completed: 1." in text
    assert "Cycles that named a goal: 1; goals met: 1." in text
    assert f"{school} 2 1 0 0 1.5 1 1 0.5" in text  # partnerships, cycles, follow-ups, escalations, days
    assert "Ann Coach with Tia Teacher" in text and "closed 1 0 0" in text
    session_5 = next(s for s in report.sessions if s.session == 5)
    assert f"5. Session 5 {session_5.starts_on:%a %b %-d, %Y} 1 0 1 0 0" in text
    assert "Month Cycles completed " + " ".join(f"{m} {n}" for m, n in per_month) in text  # every month, as the CSV has it

    # Mid-year, with no plan, answer or decision yet: the outcome sections say so, with the CSV's figures.
    assert (figure[("plans", "cohort", "schools")], figure[("plans", "cohort", "schools with an endorsed plan")]) == ("1", "0")
    unlinked = figure[("plans", school, "partnerships on no plan goal")]
    assert f"0 of 1 schools have an endorsed coaching plan. Partnerships working on no plan goal: {unlinked}." in text
    assert f"{school} {figure[('plans', school, 'plan')]} {figure[('plans', school, 'endorsed on')]} 2" in text  # not written yet, not yet
    assert (
        figure[("tier movement", "cohort", "moved up")]
        == figure[("tier movement", f"school: {school}", "percent moved up")]
        == "too few to show"
    )
    assert "No teacher has answered both rounds yet" in text and f"{school} 0 0 0 too few to show" in text
    decided = [figure[("year 2", school, measure)] for measure in ("continue", "expand", "conclude", "undecided")]
    assert decided == ["0", "0", "0", "4"] and f"{school} {' '.join(decided)}" in text  # two partnerships and two coaches

    # The workbook: one sheet per table, and the figures sheet equal to the CSV.
    book = load_workbook(io.BytesIO(sheets.as_xlsx(report)), read_only=True)
    assert book.sheetnames == SHEETS
    listed = [tuple("" if v is None else str(v) for v in row) for row in book["Report"].iter_rows(min_row=5, values_only=True)]
    assert listed == [(r["section"], r["group"], r["measure"], r["value"]) for r in rows]
    assert [c for c in next(book["Schools"].iter_rows(min_row=2, values_only=True))] == [school, 2, 1, 0, 0, 1, 1, 1.5, 1, 1, 0.5]
    assert [(m, str(n)) for m, n in book["Cycles per month"].iter_rows(min_row=2, values_only=True)] == per_month

    # The page to keep: the same tables, charts inline, and nothing private.
    html = page.standalone(report)
    assert "data:image/svg+xml;base64," in html and "Attendance per session" in html
    assert "Coaching cycles completed per month" in html and f'<th scope="row">{month_words(closing)}</th>' in html
    for made in (html, sheets.as_csv(report), text):
        assert SECRET not in made


async def caught_up(coaching: CoachingClient, sealer: Sealer) -> YearReport:
    """The report once the read model has the year's last moves: it follows the workflows by a moment."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        found = await coaching.year_report("report", sealer)
        if found.cycles_completed == 1 and found.schools and found.schools[0].days_used == 1:
            return found
        assert asyncio.get_running_loop().time() < deadline, f"the report never caught up with the year: {found}"
        await asyncio.sleep(0.2)
