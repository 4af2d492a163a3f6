"""The report as HTML: the body the web app's page shows, and a whole page to download and keep."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from domain.report import YearReport, meetings_words, movement_words, not_shown, plans_words, undated, year_two_words
from domain.training import Attendance
from domain.words import label
from domain.year_two import YearTwoChoice
from peercoach.report import charts
from peercoach.report.sheets import number

LINES_SHOWN = 300  # partnerships listed on a page or in the PDF; past that the CSV and the workbook list them
_env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(default=True, default_for_string=True))
_env.globals |= {"label": label, "number": number, "marks": list(Attendance), "lines_shown": LINES_SHOWN, "undated": undated}
_env.globals |= {"not_shown": not_shown, "plans_words": plans_words, "movement_words": movement_words, "year_two_words": year_two_words}
_env.globals |= {"choices": list(YearTwoChoice), "meetings_words": meetings_words}

STANDALONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; max-width: 60rem; margin: 0 auto; padding: 1rem; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; }
.muted { color: #57606a; } img { max-width: 100%; height: auto; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style></head><body><main>{{ body }}</main></body></html>
"""


def body(report: YearReport, chart_sources: dict[str, str | None]) -> Markup:
    """The report's sections; `chart_sources` are the charts' addresses (URLs, or data: URIs in a file of its own)."""
    return Markup(_env.get_template("body.html.j2").render(r=report, charts=chart_sources))


def standalone(report: YearReport) -> str:
    sources = {
        "attendance": _data_uri(charts.svg(charts.attendance(report))),
        "cycles": _data_uri(charts.svg(charts.cycles_per_month(report))),
        "release": None,
        "tiers": None,
    }
    if any(s.days_requested for s in report.schools):
        sources["release"] = _data_uri(charts.svg(charts.release_days(report)))
    if has_tier_chart(report):
        sources["tiers"] = _data_uri(charts.svg(charts.tier_movement(report)))
    title = f"{report.program} {report.school_year}: year-end report"
    return _env.from_string(STANDALONE).render(title=title, body=body(report, sources))


def has_tier_chart(report: YearReport) -> bool:
    """A school's bar is drawn only when its movement is shown; with none, there is no chart."""
    return any(s.percent is not None for s in report.tiers.schools)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
