"""The report as data: a CSV of every figure, and an Excel workbook with a sheet per table."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from domain.report import UNDATED, SchoolYear, YearReport, figures
from domain.training import Attendance
from domain.words import label
from domain.year_two import YearTwoChoice

MARKS = list(Attendance)


def number(value: float) -> int | float:
    """1.0 reads as 1; a half day stays 0.5."""
    return int(value) if float(value).is_integer() else value


def value(figure: float | str) -> int | float | str:
    """A figure's value as written: a number as `number` has it, words as they are ("too few to show")."""
    return figure if isinstance(figure, str) else number(figure)


def as_csv(report: YearReport) -> str:
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["section", "group", "measure", "value"])
    rows.writerows([f.section, f.group, f.measure, value(f.value)] for f in figures(report))
    return out.getvalue()


def as_xlsx(report: YearReport) -> bytes:
    book = Workbook(write_only=True)
    about = book.create_sheet("Report")
    about.append([f"{report.program} {report.school_year}", report.cohort])
    about.append(["as of", report.as_of.strftime("%Y-%m-%d %H:%M %Z"), "final" if report.final else "so far"])
    about.append([])
    about.append(["section", "group", "measure", "value"])
    for f in figures(report):
        about.append([f.section, f.group, f.measure, value(f.value)])
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
    _outcome_sheets(book, report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _outcome_sheets(book: Workbook, report: YearReport) -> None:
    """Plans, their goals, tier movement and year 2: counts only; a group too small to show says so instead."""
    plans = book.create_sheet("Plans")
    plans.append(["school", "plan", "endorsed on", "partnerships", "on no plan goal"])
    for p in report.plans.lines:
        plans.append([p.school, p.status, p.endorsed_on, p.partnerships, p.unlinked])
    goals = book.create_sheet("Plan goals")
    goals.append(["school", "goal", "partnerships working on it"])
    for p in report.plans.lines:
        for g in p.goals:
            goals.append([p.school, g.goal, g.partnerships])
    tiers = book.create_sheet("Tier movement")
    tiers.append(
        [
            "group",
            "name",
            "answered before coaching",
            "answered after the year",
            "teachers who answered both",
            "moved up",
            "percent moved up",
        ]
    )
    t = report.tiers
    for kind, m, pre, post in [
        ("cohort", t.cohort, None, None),
        *(("school", s, s.answered_pre, s.answered_post) for s in t.schools),
        *(("school model", m, None, None) for m in t.models),
    ]:
        moved, share = m.counts()
        tiers.append([kind, m.group, pre, post, m.people, moved, share])
    year_two = book.create_sheet("Year 2")
    year_two.append(["school", *(c.value for c in YearTwoChoice), "undecided"])
    for s in report.year_two.schools:
        year_two.append([s.school, *(s.decided[c] for c in YearTwoChoice), s.undecided])
