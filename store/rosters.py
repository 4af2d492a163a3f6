"""Rosters and programs as stored: each upload and each change is an immutable version with its content hash.

A launch stores the program and roster once (version 1) and the cohort's people, schools
and partnerships as rows, in one transaction; the cohort workflow keeps the reference.
Adding or withdrawing someone while the cohort runs records a new version with that one
change, and changes the rows. One email per cohort and one school id per cohort are the
database's rules too (primary keys), not only the loader's.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.cycle import Stage
from domain.problems import Refused
from domain.processes.cohort import SessionMove
from domain.program import Program
from domain.roster import Partnership, Person, Role, Roster, School
from store import tables
from store.database import Database
from store.read_model import member_rows


class RosterVersion(BaseModel):
    cohort: str
    version: int
    content_hash: str


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def record_launch(
    database: Database, cohort: str, program: Program, roster: Roster, launched_by: str, at: datetime, file_name: str | None = None
) -> RosterVersion:
    """Store the cohort, its roster as version 1, and its people, schools and partnerships; Refused if the cohort exists."""
    content = {"program": program.model_dump(mode="json"), "roster": roster.model_dump(mode="json")}
    version = RosterVersion(cohort=cohort, version=1, content_hash=content_hash(content))
    try:
        with database.begin() as db:
            db.execute(
                insert(tables.cohorts).values(
                    cohort=cohort,
                    name=program.name,
                    school_year=program.school_year,
                    program=content["program"],
                    launched_by=launched_by,
                    launched_at=at,
                    roster_version=1,
                    coaches=len(roster.with_role(Role.coach)),
                    partnerships=len(roster.partnerships),
                    status="running",
                )
            )
            _version(db, version, "upload", launched_by, at, file_name, content)
            _rows(db, tables.schools, [_school(cohort, s) for s in roster.schools])
            _rows(db, tables.people, [_person(cohort, p) for p in roster.people])
            # The read model starts as the roster says (revision 0); each workflow's first publish moves it on.
            _rows(db, tables.trainings, [_training(cohort, p) for p in roster.people if p.role == Role.coach])
            _rows(db, tables.partnerships, [_partnership(cohort, p) for p in roster.partnerships])
            _rows(db, tables.partnership_members, [m for p in roster.partnerships for m in member_rows(cohort, p.id, p.coach, p.partners)])
    except IntegrityError:
        raise Refused(f"cohort {cohort} already exists; nothing new was started") from None
    return version


def forget_launch(database: Database, cohort: str) -> None:
    """Undo a launch whose workflow could not be started, so that nothing is half-done."""
    with database.begin() as db:
        for table in (tables.people, tables.schools, tables.roster_versions, tables.cohorts):
            db.execute(delete(table).where(table.c.cohort == cohort))


def record_participant(database: Database, cohort: str, person: Person, by: str, at: datetime) -> RosterVersion:
    """A person added to a running cohort: a new roster version and their row; Refused if the email is taken."""
    change = {"added": person.model_dump(mode="json")}
    try:
        with database.begin() as db:
            done = _recorded(db, cohort, change)
            if done is not None:  # a retry of a change that committed
                return done
            version = _next_version(db, cohort, "added", by, at, change)
            db.execute(insert(tables.people).values(_person(cohort, person)))
            if person.role == Role.coach:  # listed with the cohort's trainings at once, as at the launch
                db.execute(insert(tables.trainings).values(_training(cohort, person)))
    except IntegrityError:
        raise Refused(f"{person.email} is already in cohort {cohort}") from None
    return version


def record_withdrawal(database: Database, cohort: str, email: str, reason: str, by: str, at: datetime) -> tuple[Role, str | None]:
    """A coach or teacher who left: a new roster version (with why), and their row marked (the history stays); their role
    and school."""
    change = {"withdrawn": email} | ({"reason": reason} if reason else {})
    p = tables.people.c
    with database.begin() as db:
        found = db.execute(select(p.role, p.school).where(p.cohort == cohort, p.email == email)).first()
        if found is None:
            raise Refused(f"{email} is not in cohort {cohort}")
        if _recorded(db, cohort, change) is None:  # not a retry of a withdrawal that committed
            _next_version(db, cohort, "withdrawn", by, at, change)
            db.execute(update(tables.people).where(p.cohort == cohort, p.email == email).values(withdrawn=True))
    return Role(found.role), found.school


def record_session_move(database: Database, cohort: str, move: SessionMove, by: str, at: datetime) -> RosterVersion:
    """A session moved while the cohort runs: a new version (the session as it now is, and why) and the cohort's program."""
    change = {"session": move.moved.model_dump(mode="json")}
    with database.begin() as db:
        done = _recorded(db, cohort, change)
        if done is not None:
            return done
        version = _next_version(db, cohort, "session", by, at, change)
        db.execute(update(tables.cohorts).where(tables.cohorts.c.cohort == cohort).values(program=move.program.model_dump(mode="json")))
    return version


def record_partnership(database: Database, cohort: str, partnership: Partnership, by: str, at: datetime) -> RosterVersion:
    """A partnership started while the cohort runs: a new roster version and its rows; Refused if its id is taken."""
    change = {"partnership": partnership.model_dump(mode="json")}
    try:
        with database.begin() as db:
            done = _recorded(db, cohort, change)
            if done is not None:
                return done
            version = _next_version(db, cohort, "partnership", by, at, change)
            db.execute(insert(tables.partnerships).values(_partnership(cohort, partnership)))
            db.execute(insert(tables.partnership_members), member_rows(cohort, partnership.id, partnership.coach, partnership.partners))
    except IntegrityError:
        raise Refused(f"there is already a partnership {partnership.id} in cohort {cohort}") from None
    return version


def _school(cohort: str, s: School) -> dict[str, Any]:
    return {"cohort": cohort, "id": s.id, "name": s.name, "district": s.district, "principal": s.principal, "model": s.model.value}


def _training(cohort: str, p: Person) -> dict[str, Any]:
    return {"cohort": cohort, "coach": p.email, "name": p.name, "school": p.school, "status": "enrolled", "attendance": {}, "revision": 0}


def _partnership(cohort: str, p: Partnership) -> dict[str, Any]:
    return {
        "cohort": cohort,
        "id": p.id,
        "coach": p.coach,
        "partners": p.partners,
        "school": p.school,
        "focus": p.focus,
        "school_goal": p.school_goal,
        "stage": Stage.pending.value,
        "revision": 0,
    }


def _person(cohort: str, p: Person) -> dict[str, Any]:
    return {"cohort": cohort, "email": p.email, "name": p.name, "role": p.role.value, "school": p.school, "withdrawn": False}


def _rows(db: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(insert(table), rows)


def _version(
    db: Connection, version: RosterVersion, change: str, by: str, at: datetime, file_name: str | None, content: dict[str, Any]
) -> None:
    db.execute(
        insert(tables.roster_versions).values(
            cohort=version.cohort,
            version=version.version,
            change=change,
            content_hash=version.content_hash,
            recorded_by=by,
            recorded_at=at,
            file_name=file_name,
            content=content,
        )
    )


def _next_version(db: Connection, cohort: str, change: str, by: str, at: datetime, content: dict[str, Any]) -> RosterVersion:
    latest = db.execute(select(func.max(tables.roster_versions.c.version)).where(tables.roster_versions.c.cohort == cohort)).scalar()
    if latest is None:
        raise Refused(f"there is no cohort {cohort}")
    version = RosterVersion(cohort=cohort, version=latest + 1, content_hash=content_hash(content))
    # Two changes racing for the same number: the primary key refuses the second, which is retried by its caller.
    _version(db, version, change, by, at, None, content)
    return version


def _recorded(db: Connection, cohort: str, change: dict[str, Any]) -> RosterVersion | None:
    """The version that already records this very change, if any."""
    found = content_hash(change)
    v = tables.roster_versions.c
    version = db.execute(select(v.version).where(v.cohort == cohort, v.content_hash == found)).scalar()
    return None if version is None else RosterVersion(cohort=cohort, version=version, content_hash=found)
