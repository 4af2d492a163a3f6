"""The lesson library at the terminal: coordinators list and search published lessons, export them whole as CSV and
feature one; anyone else's featuring is refused in one line and changes nothing. Drafts are never listed."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

from domain.cohort import PartnershipSummary
from domain.cycle import Stage
from domain.lessons import checked_text
from store import lessons, read_model, rosters
from store.lessons import Provenance
from store.sealed import Sealer
from tests.cli.conftest import Terminal
from tests.conftest import TEST_KEYS, program_starting
from tests.databases import sqlite_database
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, TED, TIA, small_roster

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
HAZEL = Provenance(coach_name="Ann Coach", school_name="Hazel", program="Test Peer Coaching", school_year="2026-2027")


async def test_coordinators_list_export_and_feature_published_lessons(tmp_path: Path) -> None:
    database = sqlite_database(tmp_path)
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    for pid, coach, teacher in ((ANN_TIA, ANN, TIA), (BOB_TED, BOB, TED)):
        done = PartnershipSummary(
            id=pid, coach=coach, partners=[teacher], school="hazel", stage=Stage.closed, cycles_completed=1, revision=1
        )
        read_model.publish_partnership(database, "c", done)
    volcanoes = checked_text("Volcano research", ["4"], ["Science"], [], "", 'Students cite two sources, comma, "quoted".', "")
    graphs = checked_text("Graphing growth", ["7"], ["Mathematics"], ["Google Workspace"], "", "Plants, week by week.", "")
    published = lessons.publish(database, Sealer(TEST_KEYS), "c", ANN_TIA, ANN, 1, volcanoes, [], HAZEL, AT)
    lessons.agree(database, published.id, TIA, AT)
    draft = lessons.publish(database, Sealer(TEST_KEYS), "c", BOB_TED, BOB, 1, graphs, [], HAZEL, AT)
    database.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCOACH_")} | {"PEERCOACH_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    terminal = Terminal(env)

    listed = await terminal("lessons", "list", "--q", "sources", "--grade", "4")
    assert listed.code == 0, listed.err
    assert "Volcano research" in listed.out and "Graphing growth" not in listed.out  # a draft is never listed
    for actor, lesson, reason in (
        (ANN, published.id, "lessons are featured by coordinators; ann@hazel.test coordinates no running cohort"),
        (COORDINATOR, draft.id, "is not published yet; only a published lesson is featured"),
    ):
        refused = await terminal("lessons", "feature", str(lesson), "--as", actor)
        assert refused.code == 1 and reason in refused.err and "Traceback" not in refused.err, refused
    featured = await terminal("lessons", "feature", str(published.id), "--as", COORDINATOR)
    assert featured.code == 0 and "it comes first in the library" in featured.out, featured

    exported = await terminal("lessons", "export")
    rows = list(csv.DictReader(io.StringIO(exported.out)))
    assert [(r["id"], r["title"], r["summary"], r["featured"]) for r in rows] == [
        (str(published.id), "Volcano research", volcanoes.summary, "yes")
    ]
