"""How often each person hears of each kind of notice, and which digest holds a message

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_preferences",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("chosen_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email", "kind", name=op.f("pk_notice_preferences")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_digest"), ["digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_digest"))
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_column("digest")
    op.drop_table("notice_preferences")
