"""How many cycles of each partnership named a goal, and met it (the words stay in the partnership's workflow)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goals_named", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("goals_met", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("goals_met")
        batch_op.drop_column("goals_named")
