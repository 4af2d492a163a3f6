"""The year-end report on the web: a coordinator reads it and downloads it in each format; nobody else may."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from domain.cycle import Stage
from tests.domain.test_report_formats import SHEETS
from tests.web.conftest import WebStack, launch, signed_in

SECRET = "report-note-marker-5519"


async def test_a_coordinator_reads_and_downloads_the_report_and_others_may_not(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    await web_stack.coaching.move(cohort.id, "ann--tia", cohort.ann, Stage.initiate, SECRET)
    coordinator = await signed_in(web_stack, cohort.coordinator)

    shown = await coordinator.get(f"/cohorts/{cohort.id}/report")
    assert shown.status_code == 200
    assert "the year so far" in shown.text and "Ann Coach with Tia Teacher" in shown.text
    assert f'src="/cohorts/{cohort.id}/report/attendance.svg"' in shown.text
    chart = await coordinator.get(f"/cohorts/{cohort.id}/report/attendance.svg")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml" and "<svg" in chart.text
    assert f'src="/cohorts/{cohort.id}/report/cycles.svg"' in shown.text and "Cycles completed per month" in shown.text
    months = await coordinator.get(f"/cohorts/{cohort.id}/report/cycles.svg")
    assert months.status_code == 200 and "<svg" in months.text
    assert (await coordinator.get(f"/cohorts/{cohort.id}/report/nothing.svg")).status_code == 404
    # The outcome sections, mid-year: no plan, answer or decision yet, and no school's movement to chart.
    assert "School plans" in shown.text and "No school has written its plan yet." in shown.text
    assert "Tier movement" in shown.text and "No teacher has answered both rounds yet" in shown.text
    assert "Year 2 is decided after the last session" in shown.text
    assert "report/tiers.svg" not in shown.text
    tiers = await coordinator.get(f"/cohorts/{cohort.id}/report/tiers.svg")
    assert tiers.status_code == 200 and "<svg" in tiers.text  # an empty chart, for a link kept from before

    downloads = {}
    for form, media in [("html", "text/html"), ("pdf", "application/pdf"), ("csv", "text/csv"), ("xlsx", "application/vnd.openxml")]:
        got = await coordinator.get(f"/cohorts/{cohort.id}/report.{form}")
        assert got.status_code == 200 and got.headers["content-type"].startswith(media), form
        assert got.headers["content-disposition"].startswith(f'attachment; filename="{cohort.id}-report-')
        downloads[form] = got.content
    figures = {(r["section"], r["group"], r["measure"]): r["value"] for r in csv.DictReader(io.StringIO(downloads["csv"].decode()))}
    assert figures[("attendance", "session 5", "attended")] == "2"
    assert figures[("stages", "cohort", "initiate")] == "1"
    assert figures[("plans", "cohort", "schools with an endorsed plan")] == "0"
    assert figures[("tier movement", "cohort", "moved up")] == "too few to show"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(downloads["pdf"])).pages)
    assert "Coaches: 2. Coaching unlocked: 2." in pdf_text
    sheets = load_workbook(io.BytesIO(downloads["xlsx"]), read_only=True).sheetnames
    assert sheets == SHEETS
    for made in (shown.text, *(d.decode("latin-1") for d in downloads.values())):
        assert SECRET not in made

    for someone in (cohort.principal, cohort.ann, cohort.tia):
        other = await signed_in(web_stack, someone)
        for path in ("report", "report.csv", "report/attendance.svg", "report/cycles.svg", "report/tiers.svg"):
            assert (await other.get(f"/cohorts/{cohort.id}/{path}")).status_code == 403, (someone, path)
    assert (await coordinator.get(f"/cohorts/{cohort.id}/report.docx")).status_code == 422
