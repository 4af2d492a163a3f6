"""`peercoach board` as a coordinator uses it: real processes against a real database (the board needs no Temporal).
Listing and exporting show what `--as` may read; hiding and locking are a coordinator's; every refusal is one line
that changes nothing."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

from domain.board import Tag
from store import board, rosters
from tests.cli.conftest import Terminal
from tests.cli.test_plan_commands import refused_cleanly
from tests.conftest import program_starting
from tests.databases import sqlite_database
from tests.roster_fixtures import ANN, BOB, COORDINATOR, TIA, small_roster

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def test_a_coordinator_lists_exports_hides_and_locks_at_the_terminal(tmp_path: Path) -> None:
    database = sqlite_database(tmp_path)
    rosters.record_launch(database, "hazel-2026", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    opening = board.start_thread(database, "hazel-2026", "Co-planning in October", [Tag.roadblock], ANN, "Any tips?", AT)
    thread = board.thread(database, opening.thread)
    assert thread is not None
    reply, _ = board.reply(database, thread, BOB, "Tell them about Maya in grade 4", AT)
    database.dispose()
    terminal = Terminal({**os.environ, "PEERCOACH_DATA_DIR": str(tmp_path), "COLUMNS": "200"})

    listed = await terminal("board", "list", "--as", ANN)
    assert listed.code == 0, listed.err
    assert "Co-planning in October" in listed.out and "hazel-2026" in listed.out and "roadblock" in listed.out
    refused_cleanly(await terminal("board", "list", "--as", TIA), f"{TIA} may not read the discussion board")

    refused_cleanly(
        await terminal("board", "moderate", "hide", str(reply.id), "--as", BOB, "--reason", "mine"),
        "refused: only a coordinator hides a post or locks a thread",
    )
    refused_cleanly(await terminal("board", "moderate", "hide", str(reply.id), "--as", COORDINATOR, "--reason", " "), "refused: say why")
    hidden = await terminal("board", "moderate", "hide", str(reply.id), "--as", COORDINATOR, "--reason", "Names a student")
    assert hidden.code == 0 and f"Post {reply.id} in thread {thread.id} (Co-planning in October) is hidden" in hidden.out

    exported = await terminal("board", "export", "--as", COORDINATOR)
    rows = list(csv.DictReader(io.StringIO(exported.out)))
    assert [(r["author"], r["text"]) for r in rows] == [(ANN, "Any tips?"), (BOB, "")]  # a hidden post's text stays out
    assert rows[1]["status"] == f"hidden by a coordinator ({COORDINATOR}): Names a student"

    locked = await terminal("board", "moderate", "lock", str(thread.id), "--as", COORDINATOR)
    assert locked.code == 0 and "is locked: it takes no more replies" in locked.out
    refused_cleanly(
        await terminal("board", "moderate", "lock", str(thread.id), "--as", COORDINATOR), "refused: this thread is locked already"
    )
