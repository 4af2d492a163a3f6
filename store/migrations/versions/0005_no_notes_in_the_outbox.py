"""The outbox keeps no note: stage-move messages already kept lose the coach's note

A stage move's message quotes the coach's note to the collaborating teachers. Since this
revision the outbox keeps the message with the note replaced (domain/notices.py NOT_KEPT);
this rewrites the ones kept before, a page at a time. There is no way back: the notes stay
in their partnerships' workflows, encrypted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 19:45:00.000000
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The words around a note in the stage_moved template as it was (activities/templates/stage_moved.txt.j2).
NOTE = re.compile(r"(\nTheir note:\n).*?(\n+Peer Coaching Program\s*)$", re.DOTALL)
NOT_KEPT = "(not kept here: notes are private to the partnership; read it on the partnership's page)"
PAGE = 1_000

# The table as this revision knows it, not as store/tables.py may later declare it.
outbox = sa.table(
    "outbox", sa.column("key", sa.Text), sa.column("recipient", sa.String), sa.column("kind", sa.String), sa.column("body", sa.Text)
)


def upgrade() -> None:
    connection = op.get_bind()
    last: tuple[str, str] = ("", "")
    while True:
        rows = connection.execute(
            sa.select(outbox.c.key, outbox.c.recipient, outbox.c.body)
            .where(outbox.c.kind == "stage_moved", sa.tuple_(outbox.c.key, outbox.c.recipient) > last)
            .order_by(outbox.c.key, outbox.c.recipient)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        for key, recipient, body in rows:
            kept = NOTE.sub(lambda m: f"{m.group(1)}{NOT_KEPT}{m.group(2)}", body)
            if kept != body:
                connection.execute(sa.update(outbox).where(outbox.c.key == key, outbox.c.recipient == recipient).values(body=kept))
        last = (rows[-1].key, rows[-1].recipient)


def downgrade() -> None:
    pass  # the notes are not kept anywhere the database could take them back from
