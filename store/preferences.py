"""Each person's choices of how often they hear of each kind of notice (the rule is domain/preferences.py).

A person with no row for a kind gets their role's default; the choice is the person's, in
every cohort they are in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from domain.notices import NoticeKind
from domain.preferences import Frequency
from domain.roster import Role
from store import tables
from store.database import Database, insert


def chosen(database: Database, email: str) -> dict[str, Frequency]:
    """The kinds the person chose for, and what they chose."""
    n = tables.notice_preferences.c
    with database.begin() as db:
        rows = db.execute(select(n.kind, n.frequency).where(n.email == email.strip().lower())).all()
    return {row.kind: Frequency(row.frequency) for row in rows}


def choose(database: Database, email: str, kind: NoticeKind, frequency: Frequency, now: datetime) -> None:
    """Record a choice (the rule that the kind allows it is the caller's: domain/preferences.py check_choice)."""
    row = {"email": email.strip().lower(), "kind": kind.value, "frequency": frequency.value, "chosen_at": now}
    with database.begin() as db:
        statement = insert(db, tables.notice_preferences).values(row)
        db.execute(statement.on_conflict_do_update(index_elements=["email", "kind"], set_={"frequency": frequency.value, "chosen_at": now}))


def recipient(database: Database, cohort: str | None, email: str) -> tuple[Role | None, dict[str, Frequency]]:
    """What decides how a notice of this cohort reaches the person: their role in it and their choices."""
    email = email.strip().lower()
    p, n = tables.people.c, tables.notice_preferences.c
    with database.begin() as db:
        role = db.execute(select(p.role).where(p.cohort == cohort, p.email == email)).scalar() if cohort else None
        rows = db.execute(select(n.kind, n.frequency).where(n.email == email)).all()
    return (Role(role) if role else None), {row.kind: Frequency(row.frequency) for row in rows}


def role_of(database: Database, email: str) -> Role | None:
    """The role the person's defaults follow on their preferences page: coordinator if they coordinate any cohort."""
    p = tables.people.c
    with database.begin() as db:
        roles = set(db.execute(select(p.role).where(p.email == email.strip().lower(), p.withdrawn.is_(False))).scalars())
    for role in Role:  # coordinator first
        if role.value in roles:
            return role
    return None
