"""The outbox: every notification the program sends, in a SQLite file.

It is the embedded default's delivery (a fresh machine shows every message that
would have gone out) and, with SMTP configured, the ledger that makes sending
idempotent: a (key, recipient) marked sent is never sent again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

SCHEMA = """
create table if not exists outbox (
    key text not null,
    recipient text not null,
    kind text not null,
    subject text not null,
    body text not null,
    invite text,
    status text not null,          -- pending | sent
    via text,                      -- outbox | smtp
    attempts integer not null default 0,
    created_at text not null,      -- when the workflow asked for it (Temporal's clock)
    sent_at text,
    primary key (key, recipient)
);
create index if not exists outbox_recipient on outbox (recipient);
"""


class OutboxEntry(BaseModel):
    key: str
    recipient: str
    kind: str
    subject: str
    body: str
    invite: str | None
    status: str
    via: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None


class Outbox:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # A connection per thread, kept: notices are sent from a pool of threads, one or more
        # per move, and opening a connection each time was a good part of a notice's cost.
        self._connections = threading.local()
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A transaction on this thread's connection: committed when the block ends, rolled back on error."""
        db: sqlite3.Connection | None = getattr(self._connections, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("pragma journal_mode=wal")
            # Commits are not synced to disk one by one: a crashed process loses nothing (the
            # operating system has the write), only a power cut can, and then at most the last
            # "sent" marks, so a message could go out twice then, never be lost.
            db.execute("pragma synchronous=normal")
            self._connections.db = db
        with db:
            yield db

    def claim(self, key: str, recipient: str, kind: str, subject: str, body: str, invite: str | None, asked_at: datetime) -> bool:
        """Record the message as pending; False if it was already sent (so do not send it again)."""
        now = asked_at.isoformat()
        recipient = recipient.lower()
        with self._db() as db:
            db.execute(
                "insert into outbox (key, recipient, kind, subject, body, invite, status, created_at) values (?,?,?,?,?,?,'pending',?) "
                "on conflict (key, recipient) do nothing",
                (key, recipient, kind, subject, body, invite, now),
            )
            (status,) = db.execute("select status from outbox where key=? and recipient=?", (key, recipient)).fetchone()
            if status == "sent":
                return False
            db.execute("update outbox set attempts = attempts + 1 where key=? and recipient=?", (key, recipient))
            return True

    def mark_sent(self, key: str, recipient: str, via: str) -> None:
        recipient = recipient.lower()
        with self._db() as db:
            db.execute(
                "update outbox set status='sent', via=?, sent_at=? where key=? and recipient=?",
                (via, datetime.now(UTC).isoformat(), key, recipient),
            )

    def entries(self, recipient: str | None = None, kind: str | None = None, limit: int | None = None) -> list[OutboxEntry]:
        query, args = "select * from outbox where 1=1", []
        if recipient:
            query += " and recipient = ?"
            args.append(recipient.lower())
        if kind:
            query += " and kind = ?"
            args.append(kind)
        query += " order by created_at, key, recipient"
        if limit:
            query += f" limit {int(limit)}"
        with self._db() as db:
            rows = db.cursor()
            rows.row_factory = sqlite3.Row
            return [OutboxEntry(**dict(row)) for row in rows.execute(query, args)]
