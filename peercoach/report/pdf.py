"""The report as a PDF for a funder's or a district's file: the same sections, tables and charts as the page.

fpdf2 writes it in pure Python. The font is DejaVu Sans, which matplotlib ships, so
names in Latin, Greek or Cyrillic script print as written on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from matplotlib.figure import Figure

from domain.report import YearReport, meetings_words, movement_words, not_shown, plans_words, undated, year_two_words
from domain.training import Attendance
from domain.words import label
from domain.year_two import YearTwoChoice
from peercoach.report import charts
from peercoach.report.page import LINES_SHOWN, has_tier_chart
from peercoach.report.sheets import number

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
HEADINGS = FontFace(emphasis="BOLD", fill_color=(234, 238, 242))
HEADING_HEIGHT = 12  # mm: a heading's line and the space above it


class ReportPdf(FPDF):
    def __init__(self, report: YearReport):
        super().__init__(format="A4")
        self.report = report
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(f"{report.program} {report.school_year}: year-end report")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, f"{self.report.program} {self.report.school_year} · cohort {self.report.cohort} · page {self.page_no()}", align="C")
        self.set_font("DejaVu", size=10)

    def heading(self, text: str, size: int = 14) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", size=10)

    def words(self, text: str) -> None:
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[object]], first: int = 3) -> None:
        """A table whose first column (a name) is `first` times as wide as each column of numbers."""
        self.set_font("DejaVu", size=8)
        widths = (first, *([1] * (len(header) - 1)))
        with self.table(headings_style=HEADINGS, line_height=4.5, text_align="LEFT", col_widths=widths) as table:
            for cells in (header, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(str(cell))
        self.set_font("DejaVu", size=10)
        self.ln(2)

    def chart(self, png: bytes) -> None:
        self.image(io.BytesIO(png), w=self.epw)
        self.ln(2)

    def room_for(self, figure: Figure) -> None:
        """A new page unless a heading and this chart fit on this one: a heading is not left alone at a page's foot."""
        width, height = figure.get_size_inches()
        if self.get_y() + HEADING_HEIGHT + self.epw * height / width > self.page_break_trigger:
            self.add_page()


def as_pdf(report: YearReport) -> bytes:
    r = report
    pdf = ReportPdf(r)
    pdf.add_page()
    pdf.heading(f"{r.program} {r.school_year}: the year {'in numbers' if r.final else 'so far'}", 16)
    state = "the year has closed" if r.final else "so far, as of"
    pdf.words(f"Cohort {r.cohort} · {state} {r.as_of.strftime('%A %B %-d, %Y at %H:%M %Z')}.")
    pdf.words("No note, reflection or individual's answer is in this report: only counts, sums and stages.")
    pdf.heading(f"Teachers who moved up at least one tier: {r.tiers.cohort.said()}.", 12)

    pdf.heading("Training")
    years = ", ".join(f"{n} {label(status)}" for status, n in sorted(r.training.items()))
    pdf.words(f"Coaches: {r.coaches}. Coaching unlocked: {r.coaching_unlocked}. The year stands: {years}.")
    pdf.chart(charts.png(charts.attendance(r)))
    marks = list(Attendance)
    sessions = [
        [f"{s.session}. {s.title}", s.starts_on.strftime("%a %b %-d, %Y"), *(s.marks[m] for m in marks), s.unrecorded] for s in r.sessions
    ]
    pdf.grid(["Session", "First day", *(label(m).capitalize() for m in marks), "Not recorded"], sessions, first=2)

    pdf.heading("Coaching")
    pdf.words(
        f"Partnerships: {r.partnerships}. Coaching cycles completed: {r.cycles_completed}. "
        f"Stall follow-ups: {r.follow_ups}. Escalations: {r.escalations}. Stalled now: {r.stalled_now}. "
        f"Cycles that named a goal: {r.goals_named}; goals met: {r.goals_met}."
    )
    if r.by_stage:
        pdf.grid(["Stage", "Partnerships"], list(r.by_stage.items()))
    per_month = charts.cycles_per_month(r)
    pdf.room_for(per_month)
    pdf.heading("Cycles completed per month", 12)
    pdf.chart(charts.png(per_month))
    pdf.grid(["Month", "Cycles completed"], [[m.month, m.cycles_completed] for m in r.cycles_by_month])
    if r.cycles_undated:
        pdf.words(undated(r.cycles_undated))

    pdf.heading("Schools")
    if any(s.days_requested for s in r.schools):
        pdf.chart(charts.png(charts.release_days(r)))
    header = ["School", "Partner- ships", "Cycles", "Follow- ups", "Escal- ations", "Days asked", "Approved", "Used", "Denied"]
    rows = [
        [s.school, s.partnerships, s.cycles_completed, s.follow_ups, s.escalations]
        + [number(d) for d in (s.days_requested, s.days_approved, s.days_used, s.days_denied)]
        for s in r.schools
    ]
    pdf.grid(header, rows, first=2)
    _outcomes(pdf, r)

    pdf.heading("Partnerships")
    if len(r.lines) > LINES_SHOWN:
        pdf.words(f"{len(r.lines)} partnerships: too many to list here. The CSV and the workbook list every one.")
    elif r.lines:
        lines = [[p.title, p.school, p.stage, p.cycles_completed, p.follow_ups, p.escalations] for p in r.lines]
        pdf.grid(["Partnership", "School", "Stage", "Cycles", "Follow-ups", "Escalations"], lines, first=3)
    else:
        pdf.words("No partnership yet.")
    return bytes(pdf.output())


def _outcomes(pdf: ReportPdf, r: YearReport) -> None:
    """School plans, tier movement and year 2: the same words and tables as the page."""
    plans = r.plans
    pdf.heading("School plans")
    pdf.words(plans_words(plans))
    rows = [
        [p.school, p.status, p.endorsed_on.strftime("%a %b %-d, %Y") if p.endorsed_on else "not yet", p.partnerships, p.unlinked]
        for p in plans.lines
    ]
    pdf.grid(["School", "Plan", "Endorsed on", "Partnerships", "On no plan goal"], rows, first=2)
    goals = [[g.goal, p.school, g.partnerships] for p in plans.lines for g in p.goals]
    if goals:
        pdf.heading("Plan goals", 12)
        pdf.grid(["Goal", "School", "Partnerships working on it"], goals, first=3)
    else:
        pdf.words("No school has written its plan yet.")

    t = r.tiers
    pdf.heading("Tier movement")
    pdf.words(movement_words(r))
    if has_tier_chart(r):
        figure = charts.tier_movement(r)
        pdf.room_for(figure)
        pdf.chart(charts.png(figure))
    missing = not_shown(t)
    if missing:
        pdf.words(missing)
    header = ["School", "Answered before coaching", "Answered after the year", "Teachers who answered both", "Moved up a tier"]
    pdf.grid(header, [[s.group, s.answered_pre, s.answered_post, s.people, s.said()] for s in t.schools], first=2)
    if t.models:
        pdf.grid(
            ["School model", "Teachers who answered both", "Moved up a tier"], [[m.group, m.people, m.said()] for m in t.models], first=2
        )

    pdf.heading("Year 2")
    pdf.words(year_two_words(r))
    choices = list(YearTwoChoice)
    rows = [[s.school, *(s.decided[c] for c in choices), s.undecided] for s in r.year_two.schools]
    pdf.grid(["School", *(c.value.capitalize() for c in choices), "Undecided"], rows, first=2)

    pdf.heading("School meetings")
    pdf.words(meetings_words(r))
    if r.meetings:
        pdf.grid(["School", "Series", "Meetings held", "Present in all"], [[m.school, m.series, m.held, m.present] for m in r.meetings])
