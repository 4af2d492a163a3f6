"""A partnership's artifacts, sealed column by column (the rules are domain/artifacts.py).

The title, the link or the file's bytes, and the file's name are sealed (`store/sealed.py`) with
the row's identity, `artifacts/<id>/<column>`, so a database dump, a backup or a reporting replica
holds nothing a person wrote or uploaded. What is left in the clear says only how the cycle went:
which partnership, cycle and stage, the kind, the media type and size, who added it and when.

Adding checks who may add and whether the partnership has room inside the transaction that
inserts, with the partnership's row locked on PostgreSQL (SQLite lets one writer in at a time):
two uploads at once never both take the last of a partnership's share, and a refused one writes
nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, RowMapping, case, delete, func, select

from domain import artifacts as rules
from domain.artifacts import Artifact, ArtifactKind
from domain.cycle import Stage
from domain.problems import Refused
from store import tables
from store.database import Database
from store.read_model import PartnershipRow
from store.sealed import Sealer

a = tables.artifacts.c
SEALED = ("title", "content", "file_name")


def _row(artifact_id: str, column: str) -> str:
    return f"artifacts/{artifact_id}/{column}"


def _partnership(db: Connection, cohort: str, partnership: str, locked: bool = False) -> PartnershipRow:
    t = tables.partnerships.c
    query = select(tables.partnerships).where(t.cohort == cohort, t.id == partnership)
    row = db.execute(query.with_for_update() if locked else query).one_or_none()
    if row is None:
        raise Refused(f"there is no partnership {partnership} in cohort {cohort}")
    return PartnershipRow.model_validate(row._asdict())


def _add(
    database: Database,
    sealer: Sealer,
    cohort: str,
    partnership: str,
    actor: str,
    at: datetime,
    kind: ArtifactKind,
    title: str,
    content: bytes,
    file_name: str | None,
    media_type: str | None,
) -> Artifact:
    size = len(content) if kind == ArtifactKind.file else 0
    artifact_id = uuid.uuid4().hex
    with database.begin() as db:
        found = _partnership(db, cohort, partnership, locked=True)
        rules.check_add(found, actor)
        count, stored = db.execute(
            select(func.count(), func.coalesce(func.sum(a.size), 0)).where(a.cohort == cohort, a.partnership == partnership)
        ).one()
        rules.check_room(count, stored, size)
        artifact = Artifact(
            id=artifact_id,
            partnership=partnership,
            cycle=found.cycle,
            stage=found.stage,
            kind=kind,
            title=title,
            link=content.decode() if kind == ArtifactKind.link else None,
            file_name=file_name,
            media_type=media_type,
            size=size,
            added_by=actor,
            added_at=at,
        )
        db.execute(
            tables.artifacts.insert().values(
                id=artifact_id,
                cohort=cohort,
                partnership=partnership,
                cycle=found.cycle,
                stage=found.stage.value,
                kind=kind.value,
                title=sealer.seal_text(title, _row(artifact_id, "title")),
                content=sealer.seal(content, _row(artifact_id, "content")),
                file_name=None if file_name is None else sealer.seal_text(file_name, _row(artifact_id, "file_name")),
                media_type=media_type,
                size=size,
                added_by=actor,
                added_at=at,
            )
        )
    return artifact


def add_link(
    database: Database, sealer: Sealer, cohort: str, partnership: str, actor: str, title: str, link: str, at: datetime
) -> Artifact:
    """Add a link, tagged with the partnership's cycle and stage now; refused (nothing written) as domain/artifacts.py says."""
    title, link = rules.checked_title(title), rules.checked_link(link)
    return _add(database, sealer, cohort, partnership, actor.strip().lower(), at, ArtifactKind.link, title, link.encode(), None, None)


def add_file(
    database: Database, sealer: Sealer, cohort: str, partnership: str, actor: str, title: str, file_name: str, content: bytes, at: datetime
) -> Artifact:
    """Add an uploaded file, kept as the kind its bytes are; refused (nothing written) as domain/artifacts.py says."""
    title = rules.checked_title(title)
    kind = rules.checked_file(file_name, content)
    name = rules.clean_file_name(file_name)
    return _add(database, sealer, cohort, partnership, actor.strip().lower(), at, ArtifactKind.file, title, content, name, kind.media_type)


def _listed(sealer: Sealer, r: RowMapping, link: bytes | None) -> Artifact:
    artifact_id = r["id"]
    return Artifact(
        id=artifact_id,
        partnership=r["partnership"],
        cycle=r["cycle"],
        stage=Stage(r["stage"]),
        kind=ArtifactKind(r["kind"]),
        title=sealer.open_text(r["title"], _row(artifact_id, "title")),
        link=None if link is None else sealer.open_text(link, _row(artifact_id, "content")),
        file_name=None if r["file_name"] is None else sealer.open_text(r["file_name"], _row(artifact_id, "file_name")),
        media_type=r["media_type"],
        size=r["size"],
        added_by=r["added_by"],
        added_at=r["added_at"],
    )


LISTED = (a.id, a.partnership, a.cycle, a.stage, a.kind, a.title, a.file_name, a.media_type, a.size, a.added_by, a.added_at)


def artifacts_of(database: Database, sealer: Sealer, cohort: str, partnership: str) -> list[Artifact]:
    """The partnership's artifacts, newest last, opened; a file's bytes are not read (`file_of` reads one)."""
    link = case((a.kind == ArtifactKind.link.value, a.content), else_=None).label("link")
    query = select(*LISTED, link).where(a.cohort == cohort, a.partnership == partnership).order_by(a.added_at, a.id)
    with database.begin() as db:
        rows = db.execute(query).all()
    return [_listed(sealer, row._mapping, row.link) for row in rows]


def artifact(database: Database, sealer: Sealer, cohort: str, artifact_id: str) -> Artifact | None:
    """One artifact as listed (a link's address, never a file's bytes)."""
    link = case((a.kind == ArtifactKind.link.value, a.content), else_=None).label("link")
    with database.begin() as db:
        row = db.execute(select(*LISTED, link).where(a.cohort == cohort, a.id == artifact_id)).one_or_none()
    return None if row is None else _listed(sealer, row._mapping, row.link)


def file_of(database: Database, sealer: Sealer, cohort: str, artifact_id: str) -> tuple[Artifact, bytes] | None:
    """An artifact that is a file, with its bytes opened; None if there is no such file. Who may have it is the caller's to ask."""
    query = select(*LISTED, a.content).where(a.cohort == cohort, a.id == artifact_id, a.kind == ArtifactKind.file.value)
    with database.begin() as db:
        row = db.execute(query).one_or_none()
    if row is None:
        return None
    return _listed(sealer, row._mapping, None), sealer.open(row.content, _row(artifact_id, "content"))


def remove(database: Database, sealer: Sealer, cohort: str, partnership: str, artifact_id: str, actor: str) -> Artifact:
    """Remove one of the partnership's artifacts: only the person who added it, while they are one of its people."""
    actor = actor.strip().lower()
    link = case((a.kind == ArtifactKind.link.value, a.content), else_=None).label("link")
    query = select(*LISTED, link).where(a.cohort == cohort, a.partnership == partnership, a.id == artifact_id)
    with database.begin() as db:
        row = db.execute(query).one_or_none()
        if row is None:
            raise Refused(rules.unseen(artifact_id))
        found = _listed(sealer, row._mapping, row.link)
        people = _partnership(db, cohort, partnership)
        if not rules.is_theirs(people, actor):
            raise Refused(rules.unseen(artifact_id))  # the same words as for one that is not there
        rules.check_remove(people, found, actor)
        db.execute(delete(tables.artifacts).where(a.cohort == cohort, a.id == artifact_id))
    return found
