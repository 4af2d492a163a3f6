"""The read model: what the workflows last published of each training, partnership and school ledger.

Doors answer from these tables instead of asking workflows on every request. Each
write carries the `revision` of the workflow record it came from, and a row only ever
moves forward: a late or retried write of an older revision changes nothing. Nothing
here holds note, reflection or artifact text; a ledger's requests carry their purpose
and the principal's reason, which are the request itself, not coaching content.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Table, and_, exists, func, not_, or_, select, update

from domain.cohort import CohortSummary, PartnershipSummary, TrainingSummary, YearCounts, is_stalled, summarize_year
from domain.cycle import OPEN_STAGES, Stage
from domain.program import Program
from domain.release import ReleaseLedgerRecord
from domain.training import OPEN_TRAINING, Attendance, TrainingStatus
from store import tables
from store.database import Database, insert

Row = TypeVar("Row", bound=BaseModel)


def publish_training(database: Database, cohort: str, summary: TrainingSummary) -> bool:
    """Keep this training's row; False if a newer revision is there already."""
    row = {
        "cohort": cohort,
        "coach": summary.coach,
        "name": summary.name,
        "school": summary.school,
        "status": summary.status.value,
        "attendance": {str(n): a.value for n, a in summary.attendance.items()},
        "revision": summary.revision,
        "as_of": summary.as_of,
    }
    with database.begin() as db:
        return forward(db, tables.trainings, row, ["cohort", "coach"])


def publish_partnership(database: Database, cohort: str, summary: PartnershipSummary) -> bool:
    row = {
        "cohort": cohort,
        "id": summary.id,
        "coach": summary.coach,
        "partners": summary.partners,
        "school": summary.school,
        "focus": summary.focus,
        "stage": summary.stage.value,
        "stage_since": summary.stage_since,
        "cycle": summary.cycle,
        "cycles_completed": summary.cycles_completed,
        "stalled_since": summary.stalled_since,
        "follow_ups": summary.follow_ups,
        "escalations": summary.escalations,
        "goals_named": summary.goals_named,
        "goals_met": summary.goals_met,
        "cycles_completed_on": [day.isoformat() for day in summary.cycles_completed_on],
        "revision": summary.revision,
        "as_of": summary.as_of,
    }
    with database.begin() as db:  # who is in it was written with its roster row, at the launch or when it was started
        return forward(db, tables.partnerships, row, ["cohort", "id"])


def publish_ledger(database: Database, record: ReleaseLedgerRecord) -> bool:
    row = {
        "cohort": record.cohort,
        "school": record.school,
        "principal": record.principal,
        "record": record.model_dump(mode="json"),
        "revision": record.revision,
        "as_of": max((r.requested_at for r in record.requests), default=None),
    }
    requests = [
        {
            "id": r.id,
            "cohort": record.cohort,
            "school": record.school,
            "number": int(r.id.rsplit("/", 1)[1]),
            "requester": r.requester,
            "days": r.days,
            "on": r.on,
            "status": r.status.value,
            "asked_at": r.requested_at,
            "partnership": r.partnership,
        }
        for r in record.requests
    ]
    with database.begin() as db:
        moved = forward(db, tables.ledgers, row, ["cohort", "school"])
        if moved:  # the requests are the ledger's: they move with it, and only forward
            for request in requests:
                statement = insert(db, tables.release_requests).values(request)
                db.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"status": statement.excluded.status}))
        return moved


def member_rows(cohort: str, partnership: str, coach: str, partners: list[str]) -> list[dict[str, Any]]:
    """Who is in a partnership, one row each: the doors find a person's partnerships by email."""
    rows = [{"cohort": cohort, "partnership": partnership, "email": coach, "role": "coach"}]
    return rows + [{"cohort": cohort, "partnership": partnership, "email": email, "role": "teacher"} for email in partners]


def forward(db: Connection, table: Table, row: dict[str, Any], key: list[str]) -> bool:
    """Insert the row, or update it if the stored revision is older; True if it was written."""
    statement = insert(db, table).values(row)
    changed = {name: statement.excluded[name] for name in row if name not in key}
    written = db.execute(
        statement.on_conflict_do_update(index_elements=key, set_=changed, where=table.c.revision < statement.excluded.revision).returning(
            table.c.revision
        )
    )
    return written.first() is not None


# -- what the doors read ------------------------------------------------------------------


class PartnershipRow(PartnershipSummary):
    """One partnership as lists show it: its summary (stages, dates and counts, never notes) and its cohort."""

    cohort: str

    @property
    def stalled(self) -> bool:
        return is_stalled(self)


class Page(BaseModel, Generic[Row]):
    rows: list[Row]
    total: int
    offset: int
    limit: int


SEARCH_ESCAPE = "\\"


def containing(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Whether the column holds `text`, whatever the case, and with `%` and `_` meaning themselves (searches are what
    people type): the same on SQLite and PostgreSQL. Lower-casing both sides, rather than ILIKE, keeps the two alike."""
    escaped = text.strip().lower().replace(SEARCH_ESCAPE, SEARCH_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape=SEARCH_ESCAPE)


def find_partnerships(
    database: Database,
    cohort: str | None = None,
    school: str | None = None,
    coach: str | None = None,
    stage: Stage | None = None,
    stalled: bool | None = None,
    limit: int = 100,
    offset: int = 0,
    schools: list[str] | None = None,
    q: str | None = None,
    member: str | None = None,
    in_focus: bool = False,
) -> Page[PartnershipRow]:
    """Partnerships by cohort, school (or any of `schools`: a principal may lead several), coach, stage, whether
    stalled, a person in them (`member`) and text (`q`: in the id, or a coach's or teacher's name or address; in the
    focus too with `in_focus`, for the partnership's own people: others see no focus, so they cannot search it),
    a page at a time (ordered by id)."""
    t = tables.partnerships.c
    where = [column == value for column, value in ((t.cohort, cohort), (t.school, school), (t.coach, coach)) if value is not None]
    if schools is not None:
        where.append(t.school.in_(schools))
    m, p = tables.partnership_members.c, tables.people.c
    if member is not None:
        where.append(exists().where(m.cohort == t.cohort, m.partnership == t.id, m.email == member.strip().lower()))
    if q and q.strip():
        named = (
            select(m.partnership)
            .join(tables.people, (p.cohort == m.cohort) & (p.email == m.email))
            .where(m.cohort == t.cohort, m.partnership == t.id, or_(containing(p.name, q), containing(m.email, q)))
        )
        matches = [containing(t.id, q), named.exists()] + ([containing(t.focus, q)] if in_focus else [])
        where.append(or_(*matches))
    if stage is not None:
        where.append(t.stage == stage.value)
    if stalled is not None:
        is_stalled = and_(t.stalled_since.is_not(None), t.stage.in_([s.value for s in OPEN_STAGES]))  # domain.cohort.is_stalled
        where.append(is_stalled if stalled else not_(is_stalled))
    with database.begin() as db:
        total = db.execute(select(func.count()).select_from(tables.partnerships).where(*where)).scalar_one()
        rows = db.execute(select(tables.partnerships).where(*where).order_by(t.cohort, t.id).limit(limit).offset(offset)).all()
    found = [PartnershipRow.model_validate(row._asdict()) for row in rows]
    return Page[PartnershipRow](rows=found, total=total, offset=offset, limit=limit)


class TrainingRow(TrainingSummary):
    """One coach's training year as lists show it: its summary and its cohort."""

    cohort: str


def trainings(database: Database, cohort: str, coaches: list[str] | None = None, limit: int = 100, offset: int = 0) -> Page[TrainingRow]:
    """A cohort's trainings (ordered by the coach's name), or just these coaches'."""
    t = tables.trainings.c
    where = [t.cohort == cohort]
    if coaches is not None:
        where.append(t.coach.in_([c.strip().lower() for c in coaches]))
    with database.begin() as db:
        total = db.execute(select(func.count()).select_from(tables.trainings).where(*where)).scalar_one()
        rows = db.execute(select(tables.trainings).where(*where).order_by(t.name, t.coach).limit(limit).offset(offset)).all()
    return Page[TrainingRow](rows=[TrainingRow.model_validate(r._asdict()) for r in rows], total=total, offset=offset, limit=limit)


def partnership(database: Database, cohort: str, pid: str) -> PartnershipRow | None:
    t = tables.partnerships.c
    with database.begin() as db:
        row = db.execute(select(tables.partnerships).where(t.cohort == cohort, t.id == pid)).one_or_none()
    return None if row is None else PartnershipRow.model_validate(row._asdict())


def partnerships_of(database: Database, cohort: str, email: str) -> list[PartnershipRow]:
    """The partnerships this person coaches or is a collaborating teacher in (by the members' index)."""
    m, t = tables.partnership_members.c, tables.partnerships.c
    query = (
        select(tables.partnerships)
        .join(tables.partnership_members, (m.cohort == t.cohort) & (m.partnership == t.id))
        .where(m.cohort == cohort, m.email == email.strip().lower())
        .order_by(t.id)
    )
    with database.begin() as db:
        return [PartnershipRow.model_validate(r._asdict()) for r in db.execute(query).all()]


def ledgers(database: Database, cohort: str | None = None, school: str | None = None) -> list[ReleaseLedgerRecord]:
    """School ledgers as last published (allowances, members, requests)."""
    t = tables.ledgers.c
    where = [column == value for column, value in ((t.cohort, cohort), (t.school, school)) if value is not None]
    with database.begin() as db:
        records = db.execute(select(t.record).where(*where).order_by(t.cohort, t.school)).scalars().all()
    return [ReleaseLedgerRecord.model_validate(record) for record in records]


def close_cohort(database: Database, cohort: str, now: datetime) -> CohortSummary | None:
    """Mark the cohort's year closed and return its summary, or None while a training or partnership still shows open."""
    c, t, p = tables.cohorts.c, tables.trainings.c, tables.partnerships.c
    with database.begin() as db:
        row = db.execute(select(c.program, c.launched_at).where(c.cohort == cohort)).one()
        open_trainings = db.execute(
            select(func.count()).where(t.cohort == cohort, t.status.in_([s.value for s in OPEN_TRAINING]))
        ).scalar_one()
        open_partnerships = db.execute(
            select(func.count()).where(p.cohort == cohort, p.stage.in_([s.value for s in OPEN_STAGES]))
        ).scalar_one()
        if open_trainings or open_partnerships:
            return None
        db.execute(update(tables.cohorts).where(c.cohort == cohort).values(status="closed"))
    return cohort_summary(database, cohort, Program.model_validate(row.program), row.launched_at, now)


def cohort_summary(database: Database, cohort: str, program: Program, launched_at: datetime | None, now: datetime) -> CohortSummary:
    """The coordinator's summary (the domain's `summarize_year`) over counts the database groups: a dashboard asks for it
    on every request, and reading a cohort of 1,000 coaches row by row costs tens of milliseconds. Only each coach's
    attendance marks and the stalled partnerships come back row by row."""
    t, p = tables.trainings.c, tables.partnerships.c
    with database.begin() as db:
        statuses = db.execute(select(t.status, func.count()).where(t.cohort == cohort).group_by(t.status)).all()
        marked = db.execute(select(t.attendance).where(t.cohort == cohort)).scalars().all()
        stages = db.execute(
            select(
                p.stage,
                func.count().label("n"),
                func.sum(p.cycles_completed).label("cycles_completed"),
                func.sum(p.follow_ups).label("follow_ups"),
                func.sum(p.escalations).label("escalations"),
            )
            .where(p.cohort == cohort)
            .group_by(p.stage)
        ).all()
        stalled = db.execute(
            select(tables.partnerships).where(p.cohort == cohort, p.stalled_since.is_not(None), p.stage.in_([s.value for s in OPEN_STAGES]))
        ).all()
    attendance: dict[int, Counter[Attendance]] = {}
    for marks in marked:
        for n, mark in marks.items():
            attendance.setdefault(int(n), Counter())[Attendance(mark)] += 1
    counts = YearCounts(
        training={TrainingStatus(status): n for status, n in statuses},
        attendance={n: dict(c) for n, c in attendance.items()},
        stages={Stage(row.stage): row.n for row in stages},
        cycles_completed=sum(row.cycles_completed for row in stages),
        follow_ups=sum(row.follow_ups for row in stages),
        escalations=sum(row.escalations for row in stages),
    )
    return summarize_year(cohort, program, launched_at, counts, [PartnershipSummary.model_validate(r._asdict()) for r in stalled], now)


def school_goals(database: Database, cohort: str) -> dict[str, list[str | None]]:
    """The school goal each partnership still open or ended well names, by school (withdrawn ones work on nothing).

    Only the goal's words the roster or the coach gave, which the plan is matched against; no note or focus."""
    t = tables.partnerships.c
    query = select(t.school, t.school_goal).where(t.cohort == cohort, t.stage != Stage.withdrawn.value).order_by(t.school, t.id)
    found: dict[str, list[str | None]] = {}
    with database.begin() as db:
        for row in db.execute(query):
            found.setdefault(row.school, []).append(row.school_goal)
    return found
