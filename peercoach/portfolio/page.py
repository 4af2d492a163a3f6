"""The portfolio as HTML: the body the web app's pages show, and a whole page to download and keep."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from domain.portfolio import Portfolio
from domain.words import day, label

STANDALONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; max-width: 50rem; margin: 0 auto; padding: 1rem; overflow-wrap: anywhere; }
.muted { color: #57606a; } .wrap { white-space: pre-wrap; }
section.cycle { border-top: 1px solid #d0d7de; margin-top: 1rem; }
</style></head><body><main>{{ body }}</main></body></html>
"""


def on(at: datetime, timezone: str) -> str:
    """The day of a moment, in the program's time zone, as a school calendar reads it."""
    return day(at.astimezone(ZoneInfo(timezone)).date())


_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters |= {"on": on, "label": label}


def body(portfolio: Portfolio, timezone: str, links: bool = True) -> Markup:
    """The portfolio's sections; `links`: whether a file artifact links to its download (only the partnership's own
    people may open one, so a reader's page names the file without a link)."""
    return Markup(_env.get_template("body.html.j2").render(p=portfolio, zone=timezone, links=links))


def title(portfolio: Portfolio) -> str:
    return f"{portfolio.coach_name}: coaching portfolio, {portfolio.program} {portfolio.school_year}"


def standalone(portfolio: Portfolio, timezone: str) -> str:
    return _env.from_string(STANDALONE).render(title=title(portfolio), body=body(portfolio, timezone))
