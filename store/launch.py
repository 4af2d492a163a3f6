"""What a launch batch starts, read from the stored roster: each workflow's first record.

The cohort workflow names a batch (a page of schools, coaches or partnerships, or the
ones just added); this reads those rows, and only those, and asks the domain for each
record. A partnership starts unlocked if its coach's training has already published
that coaching is unlocked.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Select, select

from domain.cycle import PartnershipRecord
from domain.launch import LaunchBatch, ledger_record, partnership_record, school_year_record, training_record
from domain.program import Program
from domain.release import ReleaseLedgerRecord
from domain.roster import PARTICIPANTS, Partnership, Person, Role, School
from domain.school_year import SchoolYearRecord
from domain.training import COACHING_UNLOCKED, TrainingRecord
from store import tables
from store.database import Database


class Entity(BaseModel):
    """One workflow to start: its first record, and the school and coach it is listed under."""

    kind: str  # release | school | training | partnership
    key: str  # school id, coach email or partnership id
    record: ReleaseLedgerRecord | SchoolYearRecord | TrainingRecord | PartnershipRecord
    school: str
    coach: str | None = None


def batch_entities(database: Database, cohort: str, batch: LaunchBatch) -> tuple[Program, list[Entity]]:
    with database.begin() as db:
        program = Program.model_validate(db.execute(select(tables.cohorts.c.program).where(tables.cohorts.c.cohort == cohort)).scalar_one())
        coordinators = _coordinators(db, cohort)
        if batch.kind == "release":
            return program, _schools(db, cohort, program, coordinators, batch)
        if batch.kind == "training":
            return program, _trainings(db, cohort, coordinators, batch)
        return program, _partnerships(db, cohort, coordinators, batch)


def _page(query: Select[Any], key: ColumnElement[str], batch: LaunchBatch) -> Select[Any]:
    """The batch's rows: the ones it names, or a page in a stable order (the same page on a retry)."""
    if batch.ids is not None:
        return query.where(key.in_(batch.ids))
    return query.order_by(key).limit(batch.limit).offset(batch.offset)


def _coordinators(db: Connection, cohort: str) -> list[str]:
    p = tables.people.c
    return list(db.execute(select(p.email).where(p.cohort == cohort, p.role == Role.coordinator.value).order_by(p.email)).scalars())


def _schools(db: Connection, cohort: str, program: Program, coordinators: list[str], batch: LaunchBatch) -> list[Entity]:
    """Each school's two workflows: its release ledger and its year (plan, self-assessments, year 2)."""
    s, p, t = tables.schools.c, tables.people.c, tables.partnerships.c
    schools = [School.model_validate(r._asdict()) for r in db.execute(_page(select(tables.schools).where(s.cohort == cohort), s.id, batch))]
    ids = [school.id for school in schools]
    members = [
        Person(name=r.name, email=r.email, role=Role(r.role), school=r.school)
        for r in db.execute(select(tables.people).where(p.cohort == cohort, p.school.in_(ids), p.role.in_([r.value for r in PARTICIPANTS])))
    ]
    partnerships = [_partnership(r) for r in db.execute(select(tables.partnerships).where(t.cohort == cohort, t.school.in_(ids)))]
    launched_at = db.execute(select(tables.cohorts.c.launched_at).where(tables.cohorts.c.cohort == cohort)).scalar_one()
    entities = []
    for school in schools:
        theirs = [m for m in members if m.school == school.id]
        at_school = [x for x in partnerships if x.school == school.id]
        entities += [
            Entity(kind="release", key=school.id, school=school.id, record=ledger_record(cohort, program, school, theirs, at_school)),
            Entity(
                kind="school",
                key=school.id,
                school=school.id,
                record=school_year_record(cohort, school, theirs, at_school, coordinators, launched_at),
            ),
        ]
    return entities


def _trainings(db: Connection, cohort: str, coordinators: list[str], batch: LaunchBatch) -> list[Entity]:
    p, t = tables.people.c, tables.partnerships.c
    coaches = [
        Person(name=r.name, email=r.email, role=Role(r.role), school=r.school)
        for r in db.execute(_page(select(tables.people).where(p.cohort == cohort, p.role == Role.coach.value), p.email, batch))
    ]
    emails = [c.email for c in coaches]
    theirs = db.execute(select(t.coach, t.id).where(t.cohort == cohort, t.coach.in_(emails)).order_by(t.id)).all()
    return [
        Entity(
            kind="training",
            key=coach.email,
            school=str(coach.school),
            coach=coach.email,
            record=training_record(cohort, coach, coordinators, [pid for who, pid in theirs if who == coach.email]),
        )
        for coach in coaches
    ]


def _partnerships(db: Connection, cohort: str, coordinators: list[str], batch: LaunchBatch) -> list[Entity]:
    t, s, tr = tables.partnerships.c, tables.schools.c, tables.trainings.c
    partnerships = [_partnership(r) for r in db.execute(_page(select(tables.partnerships).where(t.cohort == cohort), t.id, batch))]
    schools = {p.school for p in partnerships}
    principals = {row.id: row.principal for row in db.execute(select(s.id, s.principal).where(s.cohort == cohort, s.id.in_(schools)))}
    coaches = {p.coach for p in partnerships}
    unlocked = set(
        db.execute(
            select(tr.coach).where(tr.cohort == cohort, tr.coach.in_(coaches), tr.status.in_([s.value for s in COACHING_UNLOCKED]))
        ).scalars()
    )
    return [
        Entity(
            kind="partnership",
            key=p.id,
            school=p.school,
            coach=p.coach,
            record=partnership_record(cohort, p, principals[p.school], coordinators, p.coach in unlocked),
        )
        for p in partnerships
    ]


def _partnership(row: object) -> Partnership:
    return Partnership.model_validate(row._asdict())  # type: ignore[attr-defined]
