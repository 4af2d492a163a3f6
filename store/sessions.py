"""Signed-in sessions of the web app, and the sign-in links already used.

A session is a row, so it ends for every copy of its cookie at once: at sign-out, or
when a coordinator withdraws the person. The row is keyed by the sha256 of the
cookie's session id, never the id itself: whoever reads the table (a backup, a dump)
cannot sign in with it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select, update

from store.database import Database, insert
from store.tables import used_sign_in_links, web_sessions

SESSION_HOURS = 12
_NOT_ENDED = web_sessions.c.ended_at.is_(None)


def start_session(database: Database, sid: str, email: str, now: datetime) -> None:
    """A signed-in session for `email`, lasting SESSION_HOURS from `now`."""
    with database.begin() as db:
        db.execute(
            web_sessions.insert().values(
                sid_hash=_hashed(sid), email=email, started_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)
            )
        )


def signed_in_as(database: Database, sid: str, now: datetime) -> str | None:
    """The email of a session still running at `now`; None if it ended, expired or never was."""
    with database.begin() as db:
        return db.execute(
            select(web_sessions.c.email).where(web_sessions.c.sid_hash == _hashed(sid), _NOT_ENDED, web_sessions.c.expires_at > now)
        ).scalar_one_or_none()


def end_session(database: Database, sid: str, now: datetime) -> None:
    """Sign-out: the session ends for every copy of its cookie."""
    with database.begin() as db:
        db.execute(update(web_sessions).where(web_sessions.c.sid_hash == _hashed(sid), _NOT_ENDED).values(ended_at=now))


def end_sessions_of(database: Database, email: str, now: datetime) -> int:
    """End every running session of a person (withdrawn or removed from the program); returns how many ended."""
    with database.begin() as db:
        ended = db.execute(update(web_sessions).where(web_sessions.c.email == email, _NOT_ENDED).values(ended_at=now))
        return ended.rowcount


def link_used(database: Database, link_id: str) -> bool:
    with database.begin() as db:
        return db.execute(select(used_sign_in_links.c.id).where(used_sign_in_links.c.id == link_id)).first() is not None


def use_link(database: Database, link_id: str, email: str, now: datetime) -> bool:
    """Mark a sign-in link used; False if it was already, even when two requests race to use it."""
    row = {"id": link_id, "email": email, "used_at": now}
    # One statement, no read-then-write: the database's primary key decides who was first.
    with database.begin() as db:
        # The row comes back only if it went in: SQLAlchemy keeps no rowcount for an INSERT (psycopg's reads -1).
        inserted = insert(db, used_sign_in_links).values(row).on_conflict_do_nothing().returning(used_sign_in_links.c.id)
        return db.execute(inserted).first() is not None


def _hashed(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()
