"""The lesson library as kept: lessons, their tags, links and files, and the teachers' agreement; and its search.

The rules (who publishes, agrees and features, what a lesson holds) are `domain/lessons.py`'s. Publishing copies the
chosen artifacts (opened from their sealed rows) into the lesson's own rows, and checks the partnership inside the
transaction that inserts, with its row locked on PostgreSQL: a refused publish writes nothing.

Search is the database's own full-text search over the title, summary and standards: FTS5 (porter stemming) on
SQLite, `to_tsvector('english', …)` on PostgreSQL (migration 0010). What people type is reduced to its words
(`domain.lessons.search_words`) and each is quoted for FTS5 or handed to `plainto_tsquery`, so no input is ever
read as query syntax: every word must be there, in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Row, column, func, literal_column, select, table, update

from domain import lessons as rules
from domain.artifacts import ArtifactKind
from domain.lessons import Agreement, Attachment, Facet, Lesson, LessonStatus, LessonText
from domain.problems import Refused
from store import artifacts, tables
from store.database import Database
from store.read_model import Page, PartnershipRow
from store.sealed import Sealer

n, tg, ag, at_ = tables.lessons.c, tables.lesson_tags.c, tables.lesson_agreements.c, tables.lesson_attachments.c


class Provenance(BaseModel):
    """Where a lesson comes from, as the program names it when it is published."""

    coach_name: str
    school_name: str
    program: str
    school_year: str


class Copy(BaseModel):
    """An attachment about to be written: a link, or a file with its bytes."""

    kind: str
    title: str
    link: str | None = None
    file_name: str | None = None
    media_type: str | None = None
    content: bytes | None = None


def _copies(database: Database, sealer: Sealer, cohort: str, partnership: str, chosen: list[str]) -> list[Copy]:
    listed = {a.id: a for a in artifacts.artifacts_of(database, sealer, cohort, partnership)}
    copies = []
    for artifact_id in rules.check_attachments(chosen, list(listed)):
        a = listed[artifact_id]
        if a.kind == ArtifactKind.link:
            copies.append(Copy(kind="link", title=a.title, link=a.link))
            continue
        found = artifacts.file_of(database, sealer, cohort, artifact_id)
        if found is None:
            raise Refused(f"{a.title} was removed from the partnership a moment ago; reload the page and choose again")
        copies.append(Copy(kind="file", title=a.title, file_name=a.file_name, media_type=a.media_type, content=found[1]))
    return copies


def _partnership(db: Connection, cohort: str, partnership: str) -> PartnershipRow:
    t = tables.partnerships.c
    query = select(tables.partnerships).where(t.cohort == cohort, t.id == partnership).with_for_update()
    row = db.execute(query).one_or_none()
    if row is None:
        raise Refused(f"there is no partnership {partnership} in cohort {cohort}")
    return PartnershipRow.model_validate(row._asdict())


def published_cycles(database: Database, cohort: str, partnership: str) -> list[int]:
    with database.begin() as db:
        return _cycles(db, cohort, partnership)


def _cycles(db: Connection, cohort: str, partnership: str) -> list[int]:
    return list(db.execute(select(n.cycle).where(n.cohort == cohort, n.partnership == partnership)).scalars())


def publish(
    database: Database,
    sealer: Sealer,
    cohort: str,
    partnership: str,
    coach: str,
    cycle: int,
    lesson: LessonText,
    chosen: list[str],
    provenance: Provenance,
    at: datetime,
) -> Lesson:
    """Publish a lesson as a draft for the partnership's teachers to agree to; refused (nothing written) as the domain says."""
    copies = _copies(database, sealer, cohort, partnership, chosen)
    copies += [Copy(kind="link", title=link.title, link=link.link) for link in lesson.links]
    with database.begin() as db:
        found = _partnership(db, cohort, partnership)
        rules.check_publish(found, coach, cycle, _cycles(db, cohort, partnership))
        values = provenance.model_dump() | {"title": lesson.title, "summary": lesson.summary, "standards": lesson.standards}
        lesson_id = db.execute(
            tables.lessons.insert()
            .values(
                cohort=cohort, partnership=partnership, cycle=cycle, coach=coach, status=LessonStatus.draft.value, created_at=at, **values
            )
            .returning(n.id)
        ).scalar_one()
        tags = [(Facet.grade, lesson.grades), (Facet.subject, lesson.subjects), (Facet.technology, lesson.technology)]
        rows = [{"lesson": lesson_id, "facet": facet.value, "value": v} for facet, values_ in tags for v in values_]
        if rows:
            db.execute(tables.lesson_tags.insert(), rows)
        db.execute(tables.lesson_agreements.insert(), [{"lesson": lesson_id, "teacher": t, "agreed_at": None} for t in found.partners])
        if copies:
            attached = [_sealed(sealer, c, lesson_id, i) for i, c in enumerate(copies, 1)]
            db.execute(tables.lesson_attachments.insert(), attached)
        return _lessons(db, [lesson_id])[0]


def lesson(database: Database, lesson_id: int) -> Lesson | None:
    with database.begin() as db:
        found = _lessons(db, [lesson_id])
    return found[0] if found else None


def of_partnership(database: Database, cohort: str, partnership: str) -> list[Lesson]:
    with database.begin() as db:
        ids = db.execute(select(n.id).where(n.cohort == cohort, n.partnership == partnership).order_by(n.cycle)).scalars()
        return _lessons(db, list(ids))


def waiting_for(database: Database, teacher: str) -> list[Lesson]:
    """The drafts waiting for this teacher's agreement, oldest first."""
    query = select(ag.lesson).where(ag.teacher == teacher, ag.agreed_at.is_(None)).order_by(ag.lesson)
    with database.begin() as db:
        return _lessons(db, list(db.execute(query).scalars()))


def drafts_of(database: Database, coach: str) -> list[Lesson]:
    """A coach's lessons still waiting for their teachers."""
    query = select(n.id).where(n.coach == coach, n.status == LessonStatus.draft.value).order_by(n.id)
    with database.begin() as db:
        return _lessons(db, list(db.execute(query).scalars()))


def agree(database: Database, lesson_id: int, teacher: str, at: datetime) -> Lesson:
    """Record a teacher's agreement; the last one publishes the lesson. Refused (nothing written) as the domain says."""
    with database.begin() as db:
        found = _locked(db, lesson_id)
        rules.check_agree(found, teacher)
        db.execute(update(tables.lesson_agreements).where(ag.lesson == lesson_id, ag.teacher == teacher).values(agreed_at=at))
        if found.waiting_for == [teacher]:
            db.execute(update(tables.lessons).where(n.id == lesson_id).values(status=LessonStatus.published.value, published_at=at))
        return _lessons(db, [lesson_id])[0]


def feature(database: Database, lesson_id: int, featured: bool, by: str, at: datetime) -> Lesson:
    """Feature a published lesson (first on the library page), or stop featuring it. Who may is the caller's to ask."""
    with database.begin() as db:
        found = _locked(db, lesson_id)
        rules.check_feature(found)
        values = {"featured_at": at, "featured_by": by} if featured else {"featured_at": None, "featured_by": None}
        db.execute(update(tables.lessons).where(n.id == lesson_id).values(**values))
        return _lessons(db, [lesson_id])[0]


def _locked(db: Connection, lesson_id: int) -> Lesson:
    db.execute(select(n.id).where(n.id == lesson_id).with_for_update())
    found = _lessons(db, [lesson_id])
    if not found:
        raise Refused(rules.unseen(lesson_id))
    return found[0]


def _file_row(lesson_id: int, number: int) -> str:
    return f"lesson_attachments/{lesson_id}/{number}/content"


def _sealed(sealer: Sealer, copy: Copy, lesson_id: int, number: int) -> dict[str, object]:
    """A file's bytes sealed as the artifact they came from was: a draft is still the partnership's alone, and a file
    copied from a sealed artifact is not left readable in the database or its backups."""
    content = None if copy.content is None else sealer.seal(copy.content, _file_row(lesson_id, number))
    size = len(copy.content or b"")
    return copy.model_dump() | {"lesson": lesson_id, "number": number, "size": size, "content": content}


def file_of(database: Database, sealer: Sealer, lesson_id: int, number: int) -> tuple[Attachment, bytes] | None:
    query = select(tables.lesson_attachments).where(at_.lesson == lesson_id, at_.number == number, at_.kind == "file")
    with database.begin() as db:
        row = db.execute(query).one_or_none()
    if row is None:
        return None
    return _attachment(row), sealer.open(bytes(row.content), _file_row(lesson_id, number)) if row.content else b""


# -- the library's search --------------------------------------------------------------------------


def fts5_query(words: list[str]) -> str:
    """Each word as an FTS5 string (its quotes doubled), all of them required: nothing typed is FTS5 syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def search(
    database: Database,
    q: str | None = None,
    grade: str | None = None,
    subject: str | None = None,
    technology: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[Lesson]:
    """Published lessons with every word of `q` and the chosen grade, subject and technology: featured first, then the
    best matches (or the newest, with no words), a page at a time."""
    words = rules.search_words(q)
    where: list[ColumnElement[bool]] = [n.status == LessonStatus.published.value]
    for facet, value in ((Facet.grade, grade), (Facet.subject, subject), (Facet.technology, technology)):
        if value:
            tagged = select(tg.lesson).where(tg.facet == facet.value, tg.value == value)
            where.append(n.id.in_(tagged))
    with database.begin() as db:
        order: list[ColumnElement[Any]] = [n.featured_at.is_(None), n.featured_at.desc()]
        query = select(n.id)
        if words and db.dialect.name == "sqlite":
            fts = table(tables.LESSON_SEARCH_TABLE, column("rowid"))  # the FTS5 table, which tables.py does not describe
            matching = select(fts.c.rowid.label("id"), literal_column("bm25(lessons_fts)").label("rank"))
            matched = matching.where(literal_column("lessons_fts").op("MATCH")(fts5_query(words))).subquery()
            query = query.join(matched, matched.c.id == n.id)
            order.append(matched.c.rank)  # bm25: lower is better
        elif words:
            asked = func.plainto_tsquery("english", " ".join(words))
            searched: ColumnElement[Any] = literal_column("lessons.search")
            where.append(searched.op("@@")(asked))
            order.append(func.ts_rank(searched, asked).desc())
        order += [n.published_at.desc(), n.id.desc()]
        total = db.execute(select(func.count()).select_from(query.where(*where).subquery())).scalar_one()
        ids = list(db.execute(query.where(*where).order_by(*order).limit(limit).offset(offset)).scalars())
        return Page[Lesson](rows=_lessons(db, ids), total=total, offset=offset, limit=limit)


# -- reading lessons whole -------------------------------------------------------------------------


def _lessons(db: Connection, ids: Sequence[int]) -> list[Lesson]:
    """The lessons with these ids, whole, in this order (ids not found are left out)."""
    if not ids:
        return []
    rows = {r.id: r for r in db.execute(select(tables.lessons).where(n.id.in_(ids)))}
    tags: dict[int, dict[str, list[str]]] = {}
    for t in db.execute(select(tg.lesson, tg.facet, tg.value).where(tg.lesson.in_(ids))):
        tags.setdefault(t.lesson, {}).setdefault(t.facet, []).append(t.value)
    agreed: dict[int, list[Agreement]] = {}
    for a in db.execute(select(ag.lesson, ag.teacher, ag.agreed_at).where(ag.lesson.in_(ids)).order_by(ag.teacher)):
        agreed.setdefault(a.lesson, []).append(Agreement(teacher=a.teacher, agreed_at=a.agreed_at))
    attached: dict[int, list[Attachment]] = {}
    listed = [c for c in tables.lesson_attachments.c if c.name != "content"]
    for f in db.execute(select(*listed).where(at_.lesson.in_(ids)).order_by(at_.number)):
        attached.setdefault(f.lesson, []).append(_attachment(f))
    return [_lesson(rows[i], tags.get(i, {}), agreed.get(i, []), attached.get(i, [])) for i in ids if i in rows]


def _attachment(row: Row[object]) -> Attachment:
    r = row._mapping
    return Attachment(
        number=r["number"],
        kind=r["kind"],
        title=r["title"],
        link=r["link"],
        file_name=r["file_name"],
        media_type=r["media_type"],
        size=r["size"],
    )


def _in_order(facet: Facet, values: list[str]) -> list[str]:
    return [v for v in facet.vocabulary if v in values]


def _lesson(r: Row[object], tags: dict[str, list[str]], agreements: list[Agreement], attachments: list[Attachment]) -> Lesson:
    m = r._mapping
    return Lesson(
        id=m["id"],
        cohort=m["cohort"],
        partnership=m["partnership"],
        cycle=m["cycle"],
        coach=m["coach"],
        coach_name=m["coach_name"],
        school_name=m["school_name"],
        program=m["program"],
        school_year=m["school_year"],
        status=LessonStatus(m["status"]),
        text=LessonText(
            title=m["title"],
            grades=_in_order(Facet.grade, tags.get("grade", [])),
            subjects=_in_order(Facet.subject, tags.get("subject", [])),
            technology=_in_order(Facet.technology, tags.get("technology", [])),
            standards=m["standards"],
            summary=m["summary"],
        ),
        attachments=attachments,
        agreements=agreements,
        created_at=m["created_at"],
        published_at=m["published_at"],
        featured_at=m["featured_at"],
    )
