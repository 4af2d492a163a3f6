"""The outbox: every notification the program sends, one row per (business key, recipient).

It is the embedded default's delivery (a fresh machine shows every message that would
have gone out) and, with SMTP configured, the ledger that keeps a notice from going out
again: a (key, recipient) marked sent or undeliverable is not claimed again, by any worker
on any machine sharing the database. A pending one is, by every attempt that asks (each is
counted in `attempts`).

What that guarantees: every notice arrives at least once. It may arrive twice when the mail
server took it and the mark did not follow (the worker died in between, or the attempt
outlived its timeouts while Temporal ran the retry). The copy is the same message with the
same Message-ID, so a receiving system that de-duplicates by Message-ID keeps one, and the
outbox holds one row for it. A message held for a person's daily digest is a row too (status
"held for digest", then "sent in digest" with the digest's key), and so is one the person
turned off. What it does not guarantee: that a mail server which keeps
no record of Message-IDs drops the copy; or that the recipient reads it (mail accepted
by the server may still bounce later, which the program does not hear about).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select, update

from domain.notices import cohort_of
from store.database import Database, insert
from store.tables import outbox

REPLY_MAX = 1000  # a server's reply can run to several lines; the first thousand characters say why
PENDING, SENT, UNDELIVERABLE = "pending", "sent", "undeliverable"
# Not sent on its own (domain/preferences.py): held for the person's daily digest, then sent in it; or turned off.
HELD, DIGESTED, TURNED_OFF = "held for digest", "sent in digest", "turned off"


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
    message_id: str | None
    reply: str | None  # the mail server's refusal, for an undeliverable one
    digest: str | None = None  # the key of the digest that holds it, for a held one


class Outbox:
    def __init__(self, database: Database):
        self.database = database

    def claim(
        self,
        key: str,
        recipient: str,
        kind: str,
        subject: str,
        body: str,
        invite: str | None,
        asked_at: datetime,
        message_id: str | None = None,
    ) -> bool:
        """Record the message as pending and count the attempt; False if it is sent or undeliverable (so do not send it)."""
        recipient = recipient.lower()
        row = {
            "key": key,
            "recipient": recipient,
            "cohort": cohort_of(key),
            "kind": kind,
            "subject": subject,
            "body": body,
            "invite": invite,
            "message_id": message_id,
            "status": PENDING,
            "created_at": asked_at,  # a retry keeps the first ask
        }
        with self.database.begin() as db:
            db.execute(insert(db, outbox).values(row).on_conflict_do_nothing())
            # Counting and checking in one statement: a row another worker marked sent is left as it is.
            counted = db.execute(
                update(outbox).where(_one(key, recipient), outbox.c.status == PENDING).values(attempts=outbox.c.attempts + 1)
            )
            return counted.rowcount == 1

    def hold(
        self,
        key: str,
        recipient: str,
        kind: str,
        subject: str,
        body: str,
        asked_at: datetime,
        status: str,
        message_id: str | None = None,
    ) -> bool:
        """Record a message that is not sent now (HELD for the digest, or TURNED_OFF); False if it was recorded already.
        It stays one row per (key, recipient), as a sent one: the counts by kind are the same whatever people chose."""
        assert status in (HELD, TURNED_OFF), status
        row = {
            "key": key,
            "recipient": recipient.lower(),
            "cohort": cohort_of(key),
            "kind": kind,
            "subject": subject,
            "body": body,
            "message_id": message_id,
            "status": status,
            "created_at": asked_at,
        }
        with self.database.begin() as db:
            return db.execute(insert(db, outbox).values(row).on_conflict_do_nothing()).rowcount == 1

    def held_recipients(self, until: datetime) -> list[str]:
        """Everyone with a message held for a digest, asked for at or before `until`."""
        with self.database.begin() as db:
            query = select(outbox.c.recipient).where(_held(until)).distinct().order_by(outbox.c.recipient)
            return list(db.execute(query).scalars())

    def gather(self, recipient: str, digest: str, until: datetime) -> list[OutboxEntry]:
        """The messages the digest `digest` holds. Until the digest is sent, each call adds the recipient's messages held
        since (asked for at or before `until`); once it is sent, none: a later one waits for the next day's digest.
        So a digest sent again after a crash lists what it listed the first time."""
        recipient = recipient.lower()
        with self.database.begin() as db:
            sent = db.execute(select(outbox.c.status).where(_one(digest, recipient))).scalar()
            if sent not in (SENT, UNDELIVERABLE):
                db.execute(update(outbox).where(_held(until), outbox.c.recipient == recipient).values(digest=digest))
            rows = db.execute(
                select(outbox).where(outbox.c.digest == digest, outbox.c.recipient == recipient).order_by(outbox.c.created_at, outbox.c.key)
            )
            return [OutboxEntry.model_validate(row._mapping) for row in rows]

    def mark_digested(self, recipient: str, digest: str) -> None:
        """The digest went out (or its address was refused): the messages it holds are done."""
        with self.database.begin() as db:
            db.execute(
                update(outbox)
                .where(outbox.c.digest == digest, outbox.c.recipient == recipient.lower(), outbox.c.status == HELD)
                .values(status=DIGESTED, via="digest", sent_at=datetime.now(UTC))
            )

    def mark_sent(self, key: str, recipient: str, via: str) -> None:
        with self.database.begin() as db:
            db.execute(update(outbox).where(_one(key, recipient.lower())).values(status=SENT, via=via, sent_at=datetime.now(UTC)))

    def mark_undeliverable(self, key: str, recipient: str, reply: str) -> None:
        """The mail server refused the address for good: no attempt claims it again."""
        with self.database.begin() as db:
            db.execute(update(outbox).where(_one(key, recipient.lower())).values(status=UNDELIVERABLE, reply=reply[:REPLY_MAX]))

    def find(self, key: str) -> list[OutboxEntry]:
        """Every recipient's message of one notice."""
        with self.database.begin() as db:
            rows = db.execute(select(outbox).where(outbox.c.key == key).order_by(outbox.c.recipient))
            return [OutboxEntry.model_validate(row._mapping) for row in rows]

    def entries(
        self, recipient: str | None = None, kind: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[OutboxEntry]:
        """Messages in the order they were asked for, the earliest first; `limit` and `offset` page through them."""
        query = select(outbox).order_by(outbox.c.created_at, outbox.c.key, outbox.c.recipient).offset(offset or None).limit(limit)
        if recipient:
            query = query.where(outbox.c.recipient == recipient.lower())
        if kind:
            query = query.where(outbox.c.kind == kind)
        with self.database.begin() as db:
            return [OutboxEntry.model_validate(row._mapping) for row in db.execute(query)]


def _held(until: datetime) -> ColumnElement[bool]:
    return (outbox.c.status == HELD) & outbox.c.digest.is_(None) & (outbox.c.created_at <= until)


def _one(key: str, recipient: str) -> ColumnElement[bool]:
    return (outbox.c.key == key) & (outbox.c.recipient == recipient)
