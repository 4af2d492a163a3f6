"""Just-in-time help: a teacher's quick question to their coach, and the answer

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

EMAIL = 254


def upgrade() -> None:
    op.create_table(
        "help_requests",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("partnership", sa.Text(), nullable=False),
        sa.Column("teacher", sa.String(length=EMAIL), nullable=False),
        sa.Column("coach", sa.String(length=EMAIL), nullable=False),
        sa.Column("focused_time", sa.Boolean(), nullable=False),
        sa.Column("question", sa.LargeBinary(), nullable=False),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("remind_at", UtcDateTime(), nullable=True),
        sa.Column("reminded_at", UtcDateTime(), nullable=True),
        sa.Column("answer_kind", sa.String(length=20), nullable=True),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_help_requests_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "id", name=op.f("pk_help_requests")),
    )
    op.create_index(op.f("ix_help_requests_cohort_coach"), "help_requests", ["cohort", "coach"], unique=False)
    op.create_index(op.f("ix_help_requests_cohort_teacher"), "help_requests", ["cohort", "teacher"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_help_requests_cohort_teacher"), table_name="help_requests")
    op.drop_index(op.f("ix_help_requests_cohort_coach"), table_name="help_requests")
    op.drop_table("help_requests")
