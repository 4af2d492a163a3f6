"""Recurring meetings at a school: series, their invitees, and who came

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

EMAIL = 254


def upgrade() -> None:
    op.create_table(
        "meeting_series",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("coach", sa.String(length=EMAIL), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("series", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_meeting_series_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "id", name=op.f("pk_meeting_series")),
    )
    op.create_index(op.f("ix_meeting_series_coach"), "meeting_series", ["coach"], unique=False)
    op.create_table(
        "meetings_held",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("reminded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort", "series"],
            ["meeting_series.cohort", "meeting_series.id"],
            name=op.f("fk_meetings_held_cohort_meeting_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort", "series", "held_on", name=op.f("pk_meetings_held")),
    )
    op.create_table(
        "meeting_attendance",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("email", sa.String(length=EMAIL), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort", "series", "held_on"],
            ["meetings_held.cohort", "meetings_held.series", "meetings_held.held_on"],
            name=op.f("fk_meeting_attendance_cohort_meetings_held"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort", "series", "held_on", "email", name=op.f("pk_meeting_attendance")),
    )


def downgrade() -> None:
    op.drop_table("meeting_attendance")
    op.drop_table("meetings_held")
    op.drop_index(op.f("ix_meeting_series_coach"), table_name="meeting_series")
    op.drop_table("meeting_series")
