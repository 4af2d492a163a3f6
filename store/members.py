"""Who someone is in the program, as the doors look it up: indexed queries, never a workflow's state.

A person's standing in each running cohort (their role, school and the schools they
lead) decides what they may see (`domain/access.py`); the people of a cohort are listed
a page at a time.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, or_, select

from domain import access
from domain.access import Member
from domain.cohort import Roll
from domain.problems import Refused
from domain.program import Program
from domain.roster import Person, Role, School
from domain.training import COACHING_UNLOCKED
from store import tables
from store.database import Database
from store.outbox import UNDELIVERABLE, OutboxEntry
from store.read_model import Page, containing


class Standing(BaseModel):
    """One person in one running cohort."""

    cohort: str
    program: Program
    name: str
    member: Member
    schools: list[School]  # the schools they lead, for principals


class CohortRow(BaseModel):
    cohort: str
    name: str
    school_year: str
    program: Program
    launched_by: str
    launched_at: datetime | None
    status: str
    coaches: int
    partnerships: int


def standings(database: Database, email: str) -> list[Standing]:
    """Every running cohort this person is in and has not withdrawn from (two indexed queries)."""
    email = email.strip().lower()
    p, c, s = tables.people.c, tables.cohorts.c, tables.schools.c
    with database.begin() as db:
        rows = db.execute(
            select(p.cohort, p.name, p.role, p.school, c.program)
            .join(tables.cohorts, c.cohort == p.cohort)
            .where(p.email == email, p.withdrawn.is_(False), c.status == "running")
            .order_by(p.cohort)
        ).all()
        led = db.execute(select(tables.schools).where(s.principal == email, s.cohort.in_([r.cohort for r in rows]))).all()
    found = []
    for row in rows:
        schools = [_school(school) for school in led if school.cohort == row.cohort]
        member = Member(email=email, role=Role(row.role), school=row.school, principal_of=[school.id for school in schools])
        found.append(
            Standing(cohort=row.cohort, program=Program.model_validate(row.program), name=row.name, member=member, schools=schools)
        )
    return found


def launched_by(database: Database, email: str) -> list[Standing]:
    """The running cohorts this person launched and whose roster does not name them (a program-office coordinator's):
    they coordinate them on the doors (`domain.access.as_launcher`). One indexed query of a short table."""
    email = email.strip().lower()
    c, p = tables.cohorts.c, tables.people.c
    named = select(p.cohort).where(p.email == email)
    with database.begin() as db:
        rows = db.execute(
            select(c.cohort, c.program).where(c.launched_by == email, c.status == "running", c.cohort.not_in(named)).order_by(c.cohort)
        ).all()
    member = access.as_launcher(email)
    return [Standing(cohort=r.cohort, program=Program.model_validate(r.program), name="", member=member, schools=[]) for r in rows]


def cohorts(database: Database) -> list[CohortRow]:
    with database.begin() as db:
        rows = db.execute(select(tables.cohorts).order_by(tables.cohorts.c.cohort)).all()
    return [CohortRow.model_validate(row._asdict()) for row in rows]


def program_of(database: Database, cohort: str) -> Program | None:
    with database.begin() as db:
        found = db.execute(select(tables.cohorts.c.program).where(tables.cohorts.c.cohort == cohort)).scalar()
    return None if found is None else Program.model_validate(found)


def people(
    database: Database,
    cohort: str,
    role: Role | None = None,
    school: str | None = None,
    emails: list[str] | None = None,
    include_withdrawn: bool = False,
    limit: int = 100,
    offset: int = 0,
    q: str | None = None,
) -> Page[Person]:
    """A cohort's people by role, school and text in their name or address (ordered by name), or just the ones named
    by `emails`."""
    p = tables.people.c
    where = [p.cohort == cohort]
    if role is not None:
        where.append(p.role == role.value)
    if school is not None:
        where.append(p.school == school)
    if emails is not None:
        where.append(p.email.in_([e.strip().lower() for e in emails]))
    if not include_withdrawn:
        where.append(p.withdrawn.is_(False))
    if q and q.strip():
        where.append(or_(containing(p.name, q), containing(p.email, q)))
    with database.begin() as db:
        total = db.execute(select(func.count()).select_from(tables.people).where(*where)).scalar_one()
        rows = db.execute(select(tables.people).where(*where).order_by(p.name, p.email).limit(limit).offset(offset)).all()
    found = [Person(name=r.name, email=r.email, role=Role(r.role), school=r.school) for r in rows]
    return Page[Person](rows=found, total=total, offset=offset, limit=limit)


def withdrawn(database: Database, cohort: str, emails: list[str]) -> list[str]:
    """Which of these people have withdrawn from the cohort."""
    p = tables.people.c
    with database.begin() as db:
        return list(db.execute(select(p.email).where(p.cohort == cohort, p.email.in_(emails), p.withdrawn.is_(True))).scalars())


def school(database: Database, cohort: str, school_id: str) -> School | None:
    s = tables.schools.c
    with database.begin() as db:
        row = db.execute(select(tables.schools).where(s.cohort == cohort, s.id == school_id)).one_or_none()
    return None if row is None else _school(row)


def schools(database: Database, cohort: str) -> list[School]:
    with database.begin() as db:
        rows = db.execute(select(tables.schools).where(tables.schools.c.cohort == cohort).order_by(tables.schools.c.name)).all()
    return [_school(row) for row in rows]


def _school(row: object) -> School:
    return School.model_validate(row._asdict())  # type: ignore[attr-defined]


def roll(database: Database, cohort: str, emails: list[str], coach: str | None = None) -> Roll:
    """What the rules for changing a cohort need about these people (domain/cohort.py), in a few indexed queries."""
    emails = [e.strip().lower() for e in emails]
    p, s, t, tr = tables.people.c, tables.schools.c, tables.partnerships.c, tables.trainings.c
    with database.begin() as db:
        program = db.execute(select(tables.cohorts.c.program).where(tables.cohorts.c.cohort == cohort)).scalar()
        if program is None:
            raise Refused(f"there is no cohort {cohort}")
        coordinators = db.execute(select(p.email).where(p.cohort == cohort, p.role == Role.coordinator.value)).scalars().all()
        named = db.execute(select(tables.people).where(p.cohort == cohort, p.email.in_(emails))).all()
        unlocked = (
            db.execute(
                select(tr.coach).where(tr.cohort == cohort, tr.coach.in_(emails), tr.status.in_([s.value for s in COACHING_UNLOCKED]))
            )
            .scalars()
            .all()
        )
        schools = db.execute(select(s.id).where(s.cohort == cohort).order_by(s.id)).scalars().all()
        taken = db.execute(select(t.id).where(t.cohort == cohort, t.coach == coach)).scalars().all() if coach else []
    return Roll(
        cohort=cohort,
        coordinators=list(coordinators),
        unlocks_after=Program.model_validate(program).coaching_unlocks_after,
        people={r.email: Person(name=r.name, email=r.email, role=Role(r.role), school=r.school) for r in named},
        withdrawn=[r.email for r in named if r.withdrawn],
        unlocked=list(unlocked),
        schools=list(schools),
        taken=list(taken),
    )


def launched_at(database: Database, cohort: str) -> datetime | None:
    with database.begin() as db:
        return db.execute(select(tables.cohorts.c.launched_at).where(tables.cohorts.c.cohort == cohort)).scalar()


def messages_to(
    database: Database,
    cohort: str,
    limit: int = 100,
    offset: int = 0,
    kind: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Page[OutboxEntry]:
    """What the program told about this cohort (sign-in links belong to no cohort), the newest first, a page at a time:
    of one kind and status, and with text (`q`) in the recipient's address or name, the subject or the kind."""
    o, p = tables.outbox.c, tables.people.c
    where = [o.cohort == cohort]
    if kind:
        where.append(o.kind == kind)
    if status:
        where.append(o.status == status)
    if q and q.strip():
        named = select(p.email).where(p.cohort == cohort, containing(p.name, q))
        where.append(or_(containing(o.recipient, q), containing(o.subject, q), containing(o.kind, q), o.recipient.in_(named)))
    with database.begin() as db:
        total = db.execute(select(func.count()).select_from(tables.outbox).where(*where)).scalar_one()
        rows = db.execute(
            select(tables.outbox).where(*where).order_by(o.created_at.desc(), o.key, o.recipient).limit(limit).offset(offset)
        ).all()
    return Page[OutboxEntry](rows=[OutboxEntry.model_validate(r._mapping) for r in rows], total=total, offset=offset, limit=limit)


def names(database: Database, cohort: str, emails: list[str]) -> dict[str, str]:
    """The roster's names of these people (withdrawn ones too: a page about the past names them), by email."""
    p = tables.people.c
    wanted = sorted({e.strip().lower() for e in emails})
    if not wanted:
        return {}
    with database.begin() as db:
        return dict(db.execute(select(p.email, p.name).where(p.cohort == cohort, p.email.in_(wanted))).all())  # type: ignore[arg-type]


def undeliverable(database: Database, cohort: str) -> list[str]:
    """The addresses of the cohort's people that a mail server refused for good, so the coordinator can correct them."""
    o = tables.outbox.c
    with database.begin() as db:
        found = db.execute(
            select(o.recipient).where(o.cohort == cohort, o.status == UNDELIVERABLE).group_by(o.recipient).order_by(o.recipient)
        )
        return list(found.scalars())
