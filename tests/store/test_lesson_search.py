"""The lesson library in the database, on SQLite (FTS5) and PostgreSQL (tsvector) alike: a lesson is a draft until its
teachers agree, carries its own copies of the artifacts chosen, and is found by the database's own full-text search
with filters, whatever people type; a refused publish writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain.cohort import PartnershipSummary
from domain.cycle import Stage
from domain.lessons import Lesson, LessonStatus, LessonText, checked_text
from domain.problems import Refused
from store import artifacts, lessons, read_model, rosters, tables
from store.database import Database
from store.lessons import Provenance
from store.read_model import Page
from store.sealed import Sealer
from tests.conftest import TEST_KEYS, program_starting
from tests.domain.test_artifacts import PDF_BYTES
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, TED, TIA, small_roster

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
SEALER = Sealer(TEST_KEYS)
HAZEL = Provenance(coach_name="Ann Coach", school_name="Hazel", program="Test Peer Coaching", school_year="2026-2027")

VOLCANOES = checked_text(
    "Researching with the library's databases",
    ["4", "5"],
    ["Science", "Library and information literacy"],
    ["Library databases"],
    "CCSS.ELA-LITERACY.W.4.7",
    "Students compare two sources on volcanoes and cite them.",
    "Slide deck https://example.org/slides",
)
GRAPHS = checked_text(
    "Spreadsheets for graphing",
    ["7"],
    ["Mathematics"],
    ["Google Workspace"],
    "",
    "Graphing plant growth week by week.",
    "",
)


def _summary(pid: str, coach: str, teacher: str, stage: Stage, cycle: int, completed: int, revision: int) -> PartnershipSummary:
    return PartnershipSummary(
        id=pid, coach=coach, partners=[teacher], school="hazel", stage=stage, cycle=cycle, cycles_completed=completed, revision=revision
    )


def _count(database: Database) -> int:
    with database.begin() as db:
        return sum(db.execute(select(func.count()).select_from(t)).scalar_one() for t in (tables.lessons, tables.lesson_attachments))


def _ids(found: Page[Lesson]) -> list[str]:
    return [lesson.text.title for lesson in found.rows]


def test_lessons_are_drafts_until_agreed_then_found_by_words_and_filters_whatever_is_typed(database: Database) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    read_model.publish_partnership(database, "c", _summary(ANN_TIA, ANN, TIA, Stage.observe, 1, 0, 1))
    link = artifacts.add_link(database, SEALER, "c", ANN_TIA, TIA, "Anchor chart", "https://example.org/chart", AT)
    plan = artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, "Lesson plan", "plan.pdf", PDF_BYTES, AT)
    read_model.publish_partnership(database, "c", _summary(ANN_TIA, ANN, TIA, Stage.initiate, 2, 1, 2))
    read_model.publish_partnership(database, "c", _summary(BOB_TED, BOB, TED, Stage.closed, 1, 1, 1))

    def publish(pid: str, coach: str, cycle: int, text: LessonText, chosen: list[str], minutes: int = 0) -> int:
        at = AT + timedelta(minutes=minutes)
        return lessons.publish(database, SEALER, "c", pid, coach, cycle, text, chosen, HAZEL, at).id

    graphs = publish(BOB_TED, BOB, 1, GRAPHS, [])
    volcanoes = publish(ANN_TIA, ANN, 1, VOLCANOES, [link.id, plan.id], minutes=1)

    before = _count(database)
    for refused, reason in (
        (lambda: publish(ANN_TIA, TIA, 1, VOLCANOES, []), "only the partnership's coach publishes"),
        (lambda: publish(ANN_TIA, ANN, 1, VOLCANOES, []), "cycle 1 has a lesson already"),
        (lambda: publish(ANN_TIA, ANN, 2, VOLCANOES, []), "cycle 2 is not a completed cycle"),
        (lambda: publish(ANN_TIA, BOB, 2, VOLCANOES, []), "only the partnership's coach publishes"),
        (lambda: publish(BOB_TED, BOB, 1, GRAPHS, [plan.id]), "is not one of this partnership's artifacts"),
    ):
        with pytest.raises(Refused, match=reason):
            refused()
    assert _count(database) == before

    kept = lessons.lesson(database, volcanoes)
    assert kept is not None and kept.status == LessonStatus.draft and kept.waiting_for == [TIA]
    assert [(a.kind, a.title) for a in kept.attachments] == [("link", "Anchor chart"), ("file", "Lesson plan"), ("link", "Slide deck")]
    assert lessons.search(database).total == 0  # drafts are the partnership's alone
    assert [w.id for w in lessons.waiting_for(database, TIA)] == [volcanoes]

    with pytest.raises(Refused, match="only the partnership's collaborating teachers agree"):
        lessons.agree(database, volcanoes, ANN, AT)
    with pytest.raises(Refused, match="not published yet"):
        lessons.feature(database, volcanoes, True, COORDINATOR, AT)
    assert lessons.agree(database, volcanoes, TIA, AT + timedelta(hours=1)).status == LessonStatus.published
    with pytest.raises(Refused, match="published already"):
        lessons.agree(database, volcanoes, TIA, AT)
    lessons.agree(database, graphs, TED, AT)
    assert lessons.waiting_for(database, TIA) == []

    # The lesson keeps its own copy of a file: the partnership's artifact going leaves it whole.
    artifacts.remove(database, SEALER, "c", ANN_TIA, plan.id, ANN)
    copied = lessons.file_of(database, SEALER, volcanoes, 2)
    assert copied is not None and copied[1] == PDF_BYTES and copied[0].media_type == plan.media_type
    with database.begin() as db:  # sealed at rest, as the artifact it was copied from
        kept = db.execute(select(tables.lesson_attachments.c.content).where(tables.lesson_attachments.c.kind == "file")).scalars().all()
    assert kept and all(PDF_BYTES[:64] not in bytes(k) for k in kept)

    search = lessons.search
    assert _ids(search(database)) == [VOLCANOES.title, GRAPHS.title]  # newest first
    assert _ids(search(database, "volcano")) == [VOLCANOES.title]  # "volcanoes" in the summary, stemmed
    assert _ids(search(database, "RESEARCH sources")) == [VOLCANOES.title]  # "Researching", "sources": every word, any case
    assert _ids(search(database, "w.4.7")) == [VOLCANOES.title]  # the standards
    assert _ids(search(database, "graphs plants")) == [GRAPHS.title]
    assert _ids(search(database, "volcano graphing")) == []
    assert _ids(search(database, "about the and")) == [VOLCANOES.title, GRAPHS.title]  # only common words: no narrowing
    for typed in ('"volcano', "volcano* AND (cite OR", "volcano -(cite) ^ AND: {}", "cite'); --"):
        assert _ids(search(database, typed)) == [VOLCANOES.title], typed
    assert _ids(search(database, grade="4")) == [VOLCANOES.title]
    assert _ids(search(database, "graphing", subject="Mathematics", technology="Google Workspace")) == [GRAPHS.title]
    assert _ids(search(database, "volcano", technology="Google Workspace")) == []
    assert _ids(search(database, subject="Science", grade="7")) == []
    assert search(database, limit=1, offset=1).total == 2 and _ids(search(database, limit=1, offset=1)) == [GRAPHS.title]
    with pytest.raises(Refused, match="a search is at most"):
        search(database, "x" * 201)

    lessons.feature(database, graphs, True, COORDINATOR, AT)
    assert _ids(search(database)) == [GRAPHS.title, VOLCANOES.title]  # featured first
    assert _ids(search(database, "volcano")) == [VOLCANOES.title]
    lessons.feature(database, graphs, False, COORDINATOR, AT)
    assert _ids(search(database)) == [VOLCANOES.title, GRAPHS.title]
