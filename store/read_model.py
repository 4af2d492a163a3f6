"""The read model: what the workflows last published of each training, partnership and school ledger.

Doors answer from these tables instead of asking workflows on every request. Each
write carries the `revision` of the workflow record it came from, and a row only ever
moves forward: a late or retried write of an older revision changes nothing. Nothing
here holds note, reflection or artifact text; a ledger's requests carry their purpose
and the principal's reason, which are the request itself, not coaching content.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, Table, and_, func, not_, select

from domain.cohort import PartnershipSummary, TrainingSummary
from domain.cycle import OPEN_STAGES, Stage
from domain.release import ReleaseLedgerRecord
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
        return _forward(db, tables.trainings, row, ["cohort", "coach"])


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
        "revision": summary.revision,
        "as_of": summary.as_of,
    }
    members = member_rows(cohort, summary.id, summary.coach, summary.partners)
    with database.begin() as db:
        moved = _forward(db, tables.partnerships, row, ["cohort", "id"])
        for member in members:  # who is in a partnership never changes: written once
            db.execute(insert(db, tables.partnership_members).values(member).on_conflict_do_nothing())
        return moved


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
        moved = _forward(db, tables.ledgers, row, ["cohort", "school"])
        if moved:  # the requests are the ledger's: they move with it, and only forward
            for request in requests:
                statement = insert(db, tables.release_requests).values(request)
                db.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"status": statement.excluded.status}))
        return moved


def member_rows(cohort: str, partnership: str, coach: str, partners: list[str]) -> list[dict[str, Any]]:
    """Who is in a partnership, one row each: the doors find a person's partnerships by email."""
    rows = [{"cohort": cohort, "partnership": partnership, "email": coach, "role": "coach"}]
    return rows + [{"cohort": cohort, "partnership": partnership, "email": email, "role": "teacher"} for email in partners]


def _forward(db: Connection, table: Table, row: dict[str, Any], key: list[str]) -> bool:
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
        return self.stalled_since is not None and self.stage in OPEN_STAGES


class Page(BaseModel, Generic[Row]):
    rows: list[Row]
    total: int
    offset: int
    limit: int


def cohorts_of(database: Database, email: str) -> list[str]:
    """The running cohorts this person is in and has not withdrawn from: one indexed query."""
    p, c = tables.people.c, tables.cohorts.c
    query = (
        select(p.cohort)
        .join(tables.cohorts, c.cohort == p.cohort)
        .where(p.email == email.strip().lower(), p.withdrawn.is_(False), c.status == "running")
        .order_by(p.cohort)
    )
    with database.begin() as db:
        return list(db.execute(query).scalars())


def find_partnerships(
    database: Database,
    cohort: str | None = None,
    school: str | None = None,
    coach: str | None = None,
    stage: Stage | None = None,
    stalled: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[PartnershipRow]:
    """Partnerships by cohort, school, coach, stage and whether stalled, a page at a time (ordered by id)."""
    t = tables.partnerships.c
    where = [column == value for column, value in ((t.cohort, cohort), (t.school, school), (t.coach, coach)) if value is not None]
    if stage is not None:
        where.append(t.stage == stage.value)
    if stalled is not None:
        is_stalled = and_(t.stalled_since.is_not(None), t.stage.in_([s.value for s in OPEN_STAGES]))
        where.append(is_stalled if stalled else not_(is_stalled))
    with database.begin() as db:
        total = db.execute(select(func.count()).select_from(tables.partnerships).where(*where)).scalar_one()
        rows = db.execute(select(tables.partnerships).where(*where).order_by(t.cohort, t.id).limit(limit).offset(offset)).all()
    found = [PartnershipRow.model_validate(row._asdict()) for row in rows]
    return Page[PartnershipRow](rows=found, total=total, offset=offset, limit=limit)
