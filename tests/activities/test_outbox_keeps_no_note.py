"""A coach's note reaches the partners it was written for, and nobody else: the outbox, which coordinators read and
the database keeps in plain text, has the message without it, now and for messages kept before."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import insert, select

from activities.messages import render
from activities.notifications import Mailer, NoticeActivities
from domain.notices import NOT_KEPT
from store import tables
from store.database import Database, _alembic_config, database_url
from store.outbox import Outbox
from tests.activities.conftest import ASKED_AT, SmtpServer
from tests.activities.test_notifications import notice, send
from tests.roster_fixtures import TIA

NOTE = "Brainstormed the research unit"  # the note of the realistic stage move (tests/activities/records.py)


async def test_the_partner_gets_the_note_and_the_outbox_keeps_the_message_without_it(database: Database, smtp_server: SmtpServer) -> None:
    moved = notice("stage_moved")
    outbox = Outbox(database)

    assert await send(NoticeActivities(outbox, Mailer(smtp_server.settings)), moved) == 1

    [message] = smtp_server.inbox.messages()
    text = message.get_body(("plain",))
    assert text is not None and NOTE in text.get_content()
    [row] = outbox.entries()
    assert (row.recipient, row.kind) == (TIA, "stage_moved")
    assert NOTE not in row.body and NOT_KEPT in row.body
    assert row.body == render(moved.as_kept())[1]


def test_messages_kept_before_lose_their_note_when_the_database_is_upgraded(tmp_path: Path) -> None:
    url = database_url(None, tmp_path)
    config = _alembic_config(url)
    command.upgrade(config, "0004")
    database = Database(url)
    moved = notice("stage_moved")
    subject, body = render(moved)
    with database.begin() as db:
        db.execute(
            insert(tables.outbox).values(
                key=moved.key, recipient=TIA, kind="stage_moved", subject=subject, body=body, status="sent", attempts=1, created_at=ASKED_AT
            )
        )
    assert NOTE in body

    database.upgrade()

    with database.begin() as db:
        kept = db.execute(select(tables.outbox.c.body)).scalar_one()
    assert NOTE not in kept and NOT_KEPT in kept
    assert kept == render(moved.as_kept())[1]  # as the outbox now keeps it
