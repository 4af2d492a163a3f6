"""The report as data: a CSV of every figure, and an Excel workbook with a sheet per table."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from domain.report import UNDATED, SchoolYear, YearReport, figures
from domain.training import Attendance
from domain.words import label

MARKS = list(Attendance)


def number(value: float) -> int | float:
    """1.0 reads as 1; a half day stays 0.5."""
    return int(value) if float(value).is_integer() else value


def as_csv(report: YearReport) -> str:
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["section", "group", "measure", "value"])
    rows.writerows([f.section, f.group, f.measure, number(f.value)] for f in figures(report))
    return out.getvalue()


def as_xlsx(report: YearReport) -> bytes:
    book = Workbook(write_only=True)
    about = book.create_sheet("Report")
    about.append([f"{report.program} {report.school_year}", report.cohort])
    about.append(["as of", report.as_of.strftime("%Y-%m-%d %H:%M %Z"), "final" if report.final else "so far"])
    about.append([])
    about.append(["section", "group", "measure", "value"])
    for f in figures(report):
        about.append([f.section, f.group, f.measure, number(f.value)])
    attendance = book.create_sheet("Attendance")
    attendance.append(["session", "title", "first day", *(label(m) for m in MARKS), "not recorded"])
    for s in report.sessions:
        attendance.append([s.session, s.title, s.starts_on, *(s.marks[m] for m in MARKS), s.unrecorded])
    months = book.create_sheet("Cycles per month")
    months.append(["month", "cycles completed"])
    for m in report.cycles_by_month:
        months.append([m.month, m.cycles_completed])
    if report.cycles_undated:
        months.append([UNDATED, report.cycles_undated])
    schools = book.create_sheet("Schools")
    columns = [c for c in SchoolYear.model_fields if c != "school"]
    schools.append(["school", *(c.replace("_", " ") for c in columns)])
    for school in report.schools:
        values = school.model_dump()
        schools.append([school.school, *(number(values[c]) for c in columns)])
    partnerships = book.create_sheet("Partnerships")
    partnerships.append(["partnership", "school", "stage", "cycles completed", "follow-ups", "escalations"])
    for line in report.lines:
        partnerships.append([line.title, line.school, line.stage, line.cycles_completed, line.follow_ups, line.escalations])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
