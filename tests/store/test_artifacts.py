"""Artifacts in the database: sealed at rest, opened only for their own row, refused whole (nothing half-written)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from domain.artifacts import PARTNERSHIP_MAX_ARTIFACTS, PARTNERSHIP_MAX_BYTES, PDF, ArtifactKind
from domain.cohort import PartnershipSummary
from domain.cycle import Stage
from domain.problems import Refused
from store import artifacts, read_model, rosters, tables
from store.database import Database
from store.sealed import Sealer, Unsealable
from tests.conftest import TEST_KEYS, program_starting
from tests.domain.test_artifacts import EXE_BYTES, PDF_BYTES
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, PRINCIPAL, TIA, small_roster
from workers.codec import KeyRing

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
MARKER = "artifact-marker-5531"
SEALER = Sealer(TEST_KEYS)


def _launched(database: Database, stage: Stage = Stage.observe, cycle: int = 2) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    _at_stage(database, stage, cycle, revision=1)


def _at_stage(database: Database, stage: Stage, cycle: int, revision: int) -> None:
    summary = PartnershipSummary(id=ANN_TIA, coach=ANN, partners=[TIA], school="hazel", stage=stage, cycle=cycle, revision=revision)
    assert read_model.publish_partnership(database, "c", summary)


def _rows(database: Database) -> list[dict[str, object]]:
    with database.begin() as db:
        return [dict(r._mapping) for r in db.execute(select(tables.artifacts)).all()]


def _count(database: Database) -> int:
    with database.begin() as db:
        return int(db.execute(select(func.count()).select_from(tables.artifacts)).scalar_one())


def test_a_link_and_a_file_are_sealed_at_rest_and_listed_opened(database: Database) -> None:
    _launched(database)
    pdf = PDF_BYTES + f"% {MARKER}\n".encode()
    link = artifacts.add_link(database, SEALER, "c", ANN_TIA, TIA, f"Slides {MARKER}", f"https://example.org/{MARKER}", AT)
    kept = artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, f"Plan {MARKER}", f"{MARKER}.pdf", pdf, AT + timedelta(minutes=1))

    for row in _rows(database):  # what a dump, a backup or an engineer's query sees
        raw = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
        assert MARKER.encode() not in raw
    assert kept.cycle == 2 and kept.stage == Stage.observe and kept.media_type == PDF.media_type and kept.size == len(pdf)

    listed = artifacts.artifacts_of(database, SEALER, "c", ANN_TIA)
    assert [a.id for a in listed] == [link.id, kept.id]  # newest last
    assert listed[0].kind == ArtifactKind.link and listed[0].link == f"https://example.org/{MARKER}" and listed[0].size == 0
    assert listed[1].title == f"Plan {MARKER}" and listed[1].file_name == f"{MARKER}.pdf" and listed[1].link is None
    assert listed == [link, kept]

    found = artifacts.file_of(database, SEALER, "c", kept.id)
    assert found is not None and found == (kept, pdf)
    assert artifacts.file_of(database, SEALER, "c", link.id) is None  # a link has no file
    assert artifacts.file_of(database, SEALER, "c", "nothing-here") is None
    assert artifacts.file_of(database, SEALER, "other-cohort", kept.id) is None
    assert artifacts.artifacts_of(database, SEALER, "c", BOB_TED) == []


def test_a_sealed_value_opens_only_in_its_own_row_and_with_the_ring(database: Database) -> None:
    _launched(database)
    first = artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, "First", "a.pdf", PDF_BYTES, AT)
    second = artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, "Second", "b.pdf", PDF_BYTES + b"%2\n", AT)
    a = tables.artifacts.c
    with database.begin() as db:  # someone with the database but not the key moves one file's bytes into the other's row
        moved = db.execute(select(a.content).where(a.id == first.id)).scalar_one()
        db.execute(update(tables.artifacts).where(a.id == second.id).values(content=moved))
    with pytest.raises(Unsealable, match=f"artifacts/{second.id}/content"):
        artifacts.file_of(database, SEALER, "c", second.id)

    other_ring = KeyRing.parse(json.dumps({"elsewhere": base64.b64encode(bytes(32)).decode()}), "a test")
    with pytest.raises(Unsealable, match="not in the key ring"):
        artifacts.artifacts_of(database, Sealer(other_ring), "c", ANN_TIA)


@pytest.mark.parametrize("person", [BOB, PRINCIPAL, COORDINATOR])
def test_only_the_partnerships_people_add(database: Database, person: str) -> None:
    _launched(database)
    with pytest.raises(Refused, match="only the coach and the collaborating teachers of a partnership add artifacts"):
        artifacts.add_link(database, SEALER, "c", ANN_TIA, person, "Slides", "https://example.org", AT)
    assert _count(database) == 0


def test_refused_inputs_and_an_ended_partnership_write_nothing(database: Database) -> None:
    _launched(database)
    with pytest.raises(Refused, match=r"a \.exe file is not one of the kinds an artifact may be"):
        artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, "Tool", "setup.exe", EXE_BYTES, AT)
    with pytest.raises(Refused, match="a link must be a web address"):
        artifacts.add_link(database, SEALER, "c", ANN_TIA, ANN, "Slides", "javascript:alert(1)", AT)
    with pytest.raises(Refused, match="give the artifact a title"):
        artifacts.add_link(database, SEALER, "c", ANN_TIA, ANN, " ", "https://example.org", AT)
    with pytest.raises(Refused, match="there is no partnership nobody in cohort c"):
        artifacts.add_link(database, SEALER, "c", "nobody", ANN, "Slides", "https://example.org", AT)
    _at_stage(database, Stage.withdrawn, 2, revision=2)
    with pytest.raises(Refused, match="the partnership is withdrawn; artifacts can no longer be added"):
        artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, "Plan", "plan.pdf", PDF_BYTES, AT)
    assert _count(database) == 0


def test_a_partnership_room_is_counted_in_the_insert(database: Database) -> None:
    _launched(database)
    kept = artifacts.add_file(database, SEALER, "c", ANN_TIA, ANN, "Plan", "plan.pdf", PDF_BYTES, AT)
    a = tables.artifacts.c
    with database.begin() as db:  # as if earlier files had filled the partnership's share but for a few bytes
        db.execute(update(tables.artifacts).where(a.id == kept.id).values(size=PARTNERSHIP_MAX_BYTES - 10))
    with pytest.raises(Refused, match="the partnership's files take 50 MB of the 50 MB it may keep"):
        artifacts.add_file(database, SEALER, "c", ANN_TIA, TIA, "Photo", "board.pdf", PDF_BYTES, AT)
    artifacts.add_link(database, SEALER, "c", ANN_TIA, TIA, "A link takes no bytes", "https://example.org", AT)
    for n in range(PARTNERSHIP_MAX_ARTIFACTS - 2):
        artifacts.add_link(database, SEALER, "c", ANN_TIA, TIA, f"Link {n}", "https://example.org", AT)
    with pytest.raises(Refused, match=f"a partnership keeps at most {PARTNERSHIP_MAX_ARTIFACTS} artifacts"):
        artifacts.add_link(database, SEALER, "c", ANN_TIA, TIA, "One too many", "https://example.org", AT)
    assert _count(database) == PARTNERSHIP_MAX_ARTIFACTS


def test_only_who_added_one_removes_it(database: Database) -> None:
    _launched(database)
    kept = artifacts.add_link(database, SEALER, "c", ANN_TIA, TIA, "Slides", "https://example.org", AT)
    with pytest.raises(Refused, match="only the person who added “Slides” removes it"):
        artifacts.remove(database, SEALER, "c", ANN_TIA, kept.id, ANN)
    for stranger in (BOB, PRINCIPAL, COORDINATOR):
        with pytest.raises(Refused, match=f"there is no artifact {kept.id} among your partnerships"):
            artifacts.remove(database, SEALER, "c", ANN_TIA, kept.id, stranger)
    with pytest.raises(Refused, match=f"there is no artifact {kept.id}"):
        artifacts.remove(database, SEALER, "c", BOB_TED, kept.id, TIA)  # not one of that partnership's
    assert _count(database) == 1
    assert artifacts.remove(database, SEALER, "c", ANN_TIA, kept.id, TIA) == kept
    assert _count(database) == 0
    with pytest.raises(Refused, match=f"there is no artifact {kept.id}"):
        artifacts.remove(database, SEALER, "c", ANN_TIA, kept.id, TIA)
