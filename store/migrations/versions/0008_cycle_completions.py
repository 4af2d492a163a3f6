"""The day each of a partnership's cycles completed, so the year-end report counts cycles per month

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before this read '[]' until their partnership next publishes; the report counts those cycles as undated.
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cycles_completed_on", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("cycles_completed_on")
