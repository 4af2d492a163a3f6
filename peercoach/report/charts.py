"""Charts where people would rather look than read: attendance per session, cycles completed per month, release days per
school, and the share of teachers who moved up a tier per school (only schools whose movement is shown).

Drawn with matplotlib's object interface (no pyplot, so no screen and no global state
shared between requests): SVG for pages, PNG for the PDF.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from domain.report import YearReport
from domain.training import Attendance
from domain.words import label

COLOURS = {Attendance.attended: "#166534", Attendance.made_up: "#4d7c0f", Attendance.excused: "#b45309", Attendance.absent: "#9a3412"}


def attendance(report: YearReport) -> Figure:
    figure = Figure(figsize=(7, 3.2))
    axes = figure.subplots()
    sessions = [str(s.session) for s in report.sessions]
    below = [0] * len(sessions)
    for mark, colour in COLOURS.items():
        counts = [s.marks[mark] for s in report.sessions]
        axes.bar(sessions, counts, bottom=below, color=colour, label=label(mark))
        below = [b + c for b, c in zip(below, counts, strict=True)]
    axes.set(xlabel="session", ylabel="coaches", title="Attendance per session")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # people, not fractions of them
    axes.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    figure.tight_layout()
    return figure


def cycles_per_month(report: YearReport) -> Figure:
    figure = Figure(figsize=(7, 3.2))
    axes = figure.subplots()
    months = [m.month for m in report.cycles_by_month]
    counts = [m.cycles_completed for m in report.cycles_by_month]
    axes.bar(months, counts, color="#0b5cad")
    axes.set(ylabel="cycles", title="Coaching cycles completed per month")
    if not any(counts):
        axes.set_ylim(0, 1)  # a year with none yet still has a zero line to read
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole cycles
    axes.tick_params(axis="x", labelrotation=45)
    for tick in axes.get_xticklabels():
        tick.set_horizontalalignment("right")  # each month's name ends under its bar
    figure.tight_layout()
    return figure


def release_days(report: YearReport) -> Figure:
    schools = [s for s in report.schools if s.days_requested]
    figure = Figure(figsize=(7, max(1.6, 0.45 * len(schools) + 1)))
    axes = figure.subplots()
    names = [s.school for s in schools]
    axes.barh(names, [s.days_requested for s in schools], color="#d0d7de", label="requested")
    axes.barh(names, [s.days_approved for s in schools], color="#0b5cad", height=0.5, label="approved")
    axes.barh(names, [s.days_used for s in schools], color="#166534", height=0.25, label="used")
    axes.set(xlabel="days", title="Release days per school")
    axes.invert_yaxis()
    axes.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    figure.tight_layout()
    return figure


def tier_movement(report: YearReport) -> Figure:
    schools = [s for s in report.tiers.schools if s.percent is not None]
    figure = Figure(figsize=(7, max(1.6, 0.45 * len(schools) + 1)))
    axes = figure.subplots()
    names = [s.group for s in schools]
    shares = [s.percent or 0 for s in schools]
    bars = axes.barh(names, shares, color="#0b5cad")
    axes.bar_label(bars, labels=[f"{n}%" for n in shares], padding=3)
    axes.set(xlabel="% of teachers who answered both rounds", xlim=(0, 100), title="Teachers who moved up at least one tier, per school")
    axes.invert_yaxis()
    figure.tight_layout()
    return figure


def svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg")
    return out.getvalue()


def png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=150)
    return out.getvalue()
