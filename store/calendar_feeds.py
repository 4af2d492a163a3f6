"""Each person's calendar feed: the secret in its address is the only credential it takes.

The token is the HMAC of the person and the feed's creation time under the web app's
secret, so the home page can show the address again while the database keeps only its
sha256: a copy of the database alone gives no feed away. Making a new feed replaces
the row, and the old address stops working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from sqlalchemy import select

from store import tables
from store.database import Database, insert


def token_of(database: Database, email: str, secret: bytes, now: datetime) -> str:
    """The person's feed token, made the first time it is asked for."""
    with database.begin() as db:
        db.execute(insert(db, tables.calendar_feeds).values(_row(email, secret, now)).on_conflict_do_nothing())
        created_at = db.execute(select(tables.calendar_feeds.c.created_at).where(tables.calendar_feeds.c.email == email)).scalar_one()
    return _token(email, secret, created_at)


def rotate(database: Database, email: str, secret: bytes, now: datetime) -> str:
    """A new token for the person; the old one no longer finds them."""
    row = _row(email, secret, now)
    with database.begin() as db:
        statement = insert(db, tables.calendar_feeds).values(row)
        db.execute(statement.on_conflict_do_update(index_elements=["email"], set_={"token_hash": row["token_hash"], "created_at": now}))
    return _token(email, secret, now)


def owner(database: Database, token: str) -> str | None:
    """Whose feed this token opens, if anyone's."""
    f = tables.calendar_feeds.c
    with database.begin() as db:
        return db.execute(select(f.email).where(f.token_hash == _hash(token))).scalar()


def _row(email: str, secret: bytes, now: datetime) -> dict[str, object]:
    return {"email": email, "token_hash": _hash(_token(email, secret, now)), "created_at": now}


def _token(email: str, secret: bytes, created_at: datetime) -> str:
    mac = hmac.new(secret, f"calendar-feed:{email}:{created_at.astimezone(UTC).isoformat()}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
