"""Cycles per month in each format of the report: a chart in the page and the PDF, the same table in all four."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from domain.cycle import Stage
from domain.report import UNDATED, YearReport
from peercoach.report import charts, page, pdf, sheets
from tests.domain.test_report import SCHOOL_YEAR, _summary, report_of

SHEETS = ["Report", "Attendance", "Cycles per month", "Schools", "Partnerships", "Plans", "Plan goals", "Tier movement", "Year 2"]


def a_year() -> YearReport:
    older = _summary("bob--tia").model_copy(update={"cycles_completed": 1, "stage": Stage.closed})  # kept before days were
    return report_of([_summary("ann--tia", date(2026, 10, 5), date(2026, 10, 31)), _summary("ann--ted", date(2027, 2, 1)), older])


def test_every_format_has_the_months_table_and_the_same_numbers() -> None:
    report = a_year()
    expected = [(m, {"October 2026": 2, "February 2027": 1}.get(m, 0)) for m in SCHOOL_YEAR]

    rows = list(csv.DictReader(io.StringIO(sheets.as_csv(report))))
    in_csv = [(r["measure"], int(r["value"])) for r in rows if r["section"] == "cycles per month"]
    assert in_csv == [*expected, (UNDATED, 1)]

    book = load_workbook(io.BytesIO(sheets.as_xlsx(report)), read_only=True)
    assert book.sheetnames == SHEETS
    in_book = [tuple(row) for row in book["Cycles per month"].iter_rows(min_row=2, values_only=True)]
    assert in_book == in_csv

    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.as_pdf(report))).pages))
    assert "Cycles completed per month Month Cycles completed" in text
    assert " ".join(f"{month} {n}" for month, n in expected) in text  # the table, row after row
    assert "1 cycle completed before the program began keeping the day of each, so it is in no month." in text

    html = page.standalone(report)
    shown = re.findall(r'<tr><th scope="row">([A-Z][a-z]+ \d{4})</th><td data-label="Cycles completed">(\d+)</td></tr>', html)
    assert [(month, int(n)) for month, n in shown] == expected
    assert 'alt="Coaching cycles completed per month' in html and html.count("data:image/svg+xml;base64,") == 2  # attendance, cycles
    assert "so it is in no month." in html


def test_the_chart_has_a_bar_for_every_month_even_before_any_cycle_completed() -> None:
    empty = report_of([_summary("ann--tia")])
    assert all(m.cycles_completed == 0 for m in empty.cycles_by_month) and empty.cycles_undated == 0
    drawn = charts.cycles_per_month(empty)
    (axes,) = drawn.axes
    assert [t.get_text() for t in axes.get_xticklabels()] == SCHOOL_YEAR
    assert len(axes.patches) == len(SCHOOL_YEAR)
    assert "<svg" in charts.svg(drawn) and charts.png(drawn).startswith(b"\x89PNG")
    assert "in no month" not in page.standalone(empty)
