"""`peercoach board ...`: the discussion board for coordinators at the terminal: list and export the threads they may
read, hide a post and lock a thread where they moderate (the rules are `domain/board.py` and `domain/access.py`'s).
`--as` names who acts; what they may not read or moderate is refused in one line and changes nothing."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from domain import access, board
from domain.board import REASON_MAX_CHARS, Reach, Tag
from domain.problems import Refused
from peercoach.invocation import UserError, settings
from peercoach.output import console, print_json, table, when
from peercoach.plan_commands import program_database
from store import board as kept
from store.database import Database

board_app = typer.Typer(help="The discussion board: list, export and moderate its threads.", no_args_is_help=True)
moderate_app = typer.Typer(help="Hide a post (with a reason its author reads) or lock a thread.", no_args_is_help=True)
board_app.add_typer(moderate_app, name="moderate")

As = Annotated[str, typer.Option("--as", help="Who acts: a coordinator (or the program office, PEERCOACH_COORDINATORS).")]
Cohort = Annotated[str | None, typer.Option(help="Only this cohort's threads.")]
ProgramWide = Annotated[bool, typer.Option("--program-wide", help="Only the program-wide threads.")]
COLUMNS = ["thread", "place", "title", "tags", "locked", "post", "author", "posted_at", "status", "text"]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def _reach(database: Database, actor: str) -> Reach:
    reach = kept.reach_of(database, actor.strip().lower(), settings().program_office)
    if not reach.anywhere:
        raise UserError(f"{actor} may not read the discussion board: {access.BOARD_READERS}")
    return reach


def _places(reach: Reach, cohort: str | None, program_wide: bool) -> tuple[list[str], bool]:
    """The cohorts and whether the program-wide threads: what was asked for, within what the actor may read."""
    if cohort is not None and program_wide:
        raise UserError("give --cohort or --program-wide, not both")
    if cohort is not None:
        if not reach.may_read(cohort):
            raise UserError(board.refusal_to_read(cohort))
        return [cohort], False
    if program_wide:
        if not reach.may_read(None):
            raise UserError(access.BOARD_READERS)
        return [], True
    return reach.reads, reach.reads_program


@board_app.command("list")
def list_threads(
    actor: As, cohort: Cohort = None, program_wide: ProgramWide = False, tag: Annotated[Tag | None, typer.Option()] = None
) -> None:
    """The threads the coordinator may read, the liveliest first."""
    with program_database() as database:
        cohorts, wide = _places(_reach(database, actor), cohort, program_wide)
        found = kept.threads(database, cohorts, wide, tag, limit=1000)
    if not found.rows:
        console.print("No threads.")
        return
    rows = [
        [
            str(t.id),
            t.cohort or "program-wide",
            t.title,
            ", ".join(x.label for x in t.tags),
            str(t.posts),
            when(t.last_post_at),
            "locked" if t.locked else "",
        ]
        for t in found.rows
    ]
    console.print(table("Discussion board", ["thread", "place", "title", "tags", "posts", "last post", ""], rows))


@board_app.command("export")
def export(
    actor: As,
    cohort: Cohort = None,
    program_wide: ProgramWide = False,
    form: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.csv,
) -> None:
    """Every post of the threads the coordinator may read, one row each; a hidden post's text is left out."""
    with program_database() as database:
        cohorts, wide = _places(_reach(database, actor), cohort, program_wide)
        found = kept.export(database, cohorts, wide)
    rows = [_row(t, p) for t, posts in found for p in posts]
    if form == ExportFormat.json:
        print_json(rows)
        return
    out = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    out.writeheader()
    out.writerows(rows)


def _row(thread: board.Thread, post: board.Post) -> dict[str, Any]:
    hidden = post.hidden_by is not None
    return {
        "thread": thread.id,
        "place": thread.cohort or "program-wide",
        "title": thread.title,
        "tags": " ".join(t.value for t in thread.tags),
        "locked": "yes" if thread.locked else "",
        "post": post.id,
        "author": post.author,
        "posted_at": post.posted_at.isoformat(),
        "status": f"{board.HIDDEN} ({post.hidden_by}): {post.hidden_reason}" if hidden else "shown",
        "text": "" if hidden else post.body,
    }


def _moderated(database: Database, actor: str, thread_id: int) -> board.Thread:
    found = kept.thread(database, thread_id)
    if found is None or not _reach(database, actor).may_read(found.cohort):
        raise UserError(f"there is no thread {thread_id} {actor} may read; `peercoach board list --as {actor}` lists them")
    if not _reach(database, actor).may_moderate(found.cohort):
        raise Refused(access.BOARD_MODERATORS)
    return found


@moderate_app.command("hide")
def hide(
    post: int,
    actor: As,
    reason: Annotated[str, typer.Option(help=f"Why: the post's author reads it (up to {REASON_MAX_CHARS} characters).")],
) -> None:
    """Hide a post: its author sees it was hidden and why; everyone else sees that a coordinator hid it."""
    with program_database() as database:
        found = kept.post(database, post)
        if found is None:
            raise UserError(f"there is no post {post}; `peercoach board export --as {actor}` lists every post with its number")
        thread = _moderated(database, actor, found.thread)
        kept.hide(database, found, actor.strip().lower(), reason, datetime.now(UTC))
    console.print(f"Post {post} in thread {thread.id} ({thread.title}) is hidden; its author sees why.", markup=False)


@moderate_app.command("lock")
def lock(thread: int, actor: As) -> None:
    """Lock a thread: it takes no more replies."""
    with program_database() as database:
        found = _moderated(database, actor, thread)
        kept.lock(database, found, actor.strip().lower(), datetime.now(UTC))
    console.print(f"Thread {thread} ({found.title}) is locked: it takes no more replies.", markup=False)
