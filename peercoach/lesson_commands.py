"""`peercoach lessons ...`: what coordinators script of the lesson library: list and search the published lessons,
export them as CSV, feature one. Publishing and agreeing are the coaches' and teachers' to do on the web.

These read and write the program's database only; no Temporal is needed. Who may feature is `domain/access.py`'s.
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from domain import access
from domain import lessons as rules
from domain.lessons import Facet, Lesson
from domain.problems import Refused
from peercoach.invocation import settings
from peercoach.output import console, print_json, table
from peercoach.plan_commands import program_database
from store import lessons, members
from store.database import Database

lessons_app = typer.Typer(help="The lesson library: list, export and feature published lessons.", no_args_is_help=True)

COLUMNS = ["id", "title", "grades", "subjects", "technology", "standards", "summary", "coach", "coach_name", "school"]
COLUMNS += ["program", "school_year", "published_at", "featured", "links", "files"]
EXPORT_PAGE = 200  # lessons read a page at a time, so an export of the whole library holds one page in memory


class ListFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


Q = Annotated[str | None, typer.Option("--q", help="Words in a lesson's title, text or standards (every one of them).")]
Grade = Annotated[str | None, typer.Option(help=f"A grade level: {', '.join(rules.GRADES)}.")]
Subject = Annotated[str | None, typer.Option(help="A subject, as the library names it (for example Science).")]
Technology = Annotated[str | None, typer.Option(help="A technology, as the library names it (for example Chromebooks).")]


def _narrowed(grade: str | None, subject: str | None, technology: str | None) -> tuple[str | None, str | None, str | None]:
    checked = rules.checked_filter
    return checked(Facet.grade, grade), checked(Facet.subject, subject), checked(Facet.technology, technology)


def _row(lesson: Lesson) -> dict[str, Any]:
    t = lesson.text
    return {
        "id": lesson.id,
        "title": t.title,
        "grades": "; ".join(t.grades),
        "subjects": "; ".join(t.subjects),
        "technology": "; ".join(t.technology),
        "standards": t.standards,
        "summary": t.summary,
        "coach": lesson.coach,
        "coach_name": lesson.coach_name,
        "school": lesson.school_name,
        "program": lesson.program,
        "school_year": lesson.school_year,
        "published_at": lesson.published_at.isoformat() if lesson.published_at else "",
        "featured": "yes" if lesson.featured_at else "",
        "links": "; ".join(a.link or "" for a in lesson.attachments if a.kind == "link"),
        "files": "; ".join(a.file_name or "" for a in lesson.attachments if a.kind == "file"),
    }


def _csv(rows: list[dict[str, Any]], header: bool) -> None:
    out = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    if header:
        out.writeheader()
    out.writerows(rows)


@lessons_app.command("list")
def list_lessons(
    q: Q = None,
    grade: Grade = None,
    subject: Subject = None,
    technology: Technology = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many lessons at most.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="How many to skip (the next page).")] = 0,
    form: Annotated[ListFormat, typer.Option("--format", help="table, csv or json.")] = ListFormat.table,
) -> None:
    """Published lessons, featured first, then the best matches (or the newest)."""
    with program_database() as database:
        found = lessons.search(database, q, *_narrowed(grade, subject, technology), limit, offset)
    rows = [_row(lesson) for lesson in found.rows]
    if form == ListFormat.csv:
        _csv(rows, header=True)
    elif form == ListFormat.json:
        print_json(rows)
    elif not rows:
        console.print("No published lesson has all of that." if q or grade or subject or technology else "No lesson is published yet.")
    else:
        shown = [[r["id"], r["title"], r["grades"], r["subjects"], r["coach_name"], r["school_year"], r["featured"]] for r in rows]
        console.print(table("Lesson library", ["id", "title", "grades", "subjects", "coach", "year", "featured"], shown), markup=False)
        console.print(f"{found.offset + 1}-{found.offset + len(rows)} of {found.total}", markup=False)


@lessons_app.command("export")
def export(q: Q = None, grade: Grade = None, subject: Subject = None, technology: Technology = None) -> None:
    """Every published lesson (or those found), whole, as CSV on standard output: `peercoach lessons export > lessons.csv`."""
    with program_database() as database:
        narrowed = _narrowed(grade, subject, technology)
        offset = 0
        while True:
            found = lessons.search(database, q, *narrowed, EXPORT_PAGE, offset)
            _csv([_row(lesson) for lesson in found.rows], header=offset == 0)
            offset += EXPORT_PAGE
            if offset >= found.total:
                break


def _featurer(database: Database, actor: str) -> str:
    """The person featuring: a coordinator of a running cohort, or of the program office; anyone else is refused."""
    actor = actor.strip().lower()
    standing = [s.member for s in members.standings(database, actor)]
    if not access.may_feature_lessons(standing, access.in_program_office(settings().program_office, actor)):
        raise Refused(f"{access.FEATURERS}; {actor} coordinates no running cohort and is not of the program office")
    return actor


@lessons_app.command("feature")
def feature(
    lesson: Annotated[int, typer.Argument(help="The lesson's id, as `peercoach lessons list` shows it.")],
    actor: Annotated[str, typer.Option("--as", help="The coordinator featuring it.")],
    off: Annotated[bool, typer.Option("--off", help="Stop featuring it.")] = False,
) -> None:
    """Feature a published lesson (it comes first in the library), or stop featuring it with --off."""
    with program_database() as database:
        by = _featurer(database, actor)
        changed = lessons.feature(database, lesson, not off, by, datetime.now(UTC))
    said = "featured: it comes first in the library" if changed.featured_at else "no longer featured"
    console.print(f"Lesson {changed.id}, “{changed.text.title}”: {said}.", markup=False)
    console.print(f"Read it at {settings().web_url.rstrip('/')}/lessons/{changed.id}", markup=False)
