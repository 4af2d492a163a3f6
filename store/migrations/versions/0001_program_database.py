"""The program's database: rosters, read model, outbox, bookings, sessions

Revision ID: 0001
Revises:
Create Date: 2026-11-29 13:23:22.032811
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "cohorts",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("program", sa.JSON(), nullable=False),
        sa.Column("launched_by", sa.String(length=254), nullable=False),
        sa.Column("launched_at", UtcDateTime(), nullable=True),
        sa.Column("roster_version", sa.Integer(), nullable=False),
        sa.Column("coaches", sa.Integer(), nullable=False),
        sa.Column("partnerships", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("cohort", name=op.f("pk_cohorts")),
    )
    op.create_table(
        "outbox",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("cohort", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("invite", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", "recipient", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_cohort_created_at"), ["cohort", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_recipient"), ["recipient"], unique=False)

    op.create_table(
        "release_requests",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("requester", sa.String(length=254), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("partnership", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_requests")),
    )
    with op.batch_alter_table("release_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_requests_cohort_school_status"), ["cohort", "school", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_release_requests_requester"), ["requester"], unique=False)

    op.create_table(
        "roster_versions",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("cohort", "version", name=op.f("pk_roster_versions")),
    )
    op.create_table(
        "substitute_bookings",
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("requester", sa.String(length=254), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.Column("booked_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_substitute_bookings")),
        sa.UniqueConstraint("request_id", name=op.f("uq_substitute_bookings_request_id")),
    )
    op.create_table(
        "used_sign_in_links",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_sign_in_links")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sid_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_email"), ["email"], unique=False)

    op.create_table(
        "ledgers",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("principal", sa.String(length=254), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_ledgers_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "school", name=op.f("pk_ledgers")),
    )
    op.create_table(
        "partnerships",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("coach", sa.String(length=254), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("focus", sa.Text(), nullable=False),
        sa.Column("school_goal", sa.Text(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("stage_since", UtcDateTime(), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("cycles_completed", sa.Integer(), nullable=False),
        sa.Column("stalled_since", UtcDateTime(), nullable=True),
        sa.Column("follow_ups", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_partnerships_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "id", name=op.f("pk_partnerships")),
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnerships_cohort_coach"), ["cohort", "coach"], unique=False)
        batch_op.create_index(batch_op.f("ix_partnerships_cohort_school"), ["cohort", "school"], unique=False)
        batch_op.create_index(batch_op.f("ix_partnerships_cohort_stage"), ["cohort", "stage"], unique=False)

    op.create_table(
        "people",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("school", sa.Text(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_people_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "email", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_email"), ["email"], unique=False)

    op.create_table(
        "schools",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("principal", sa.String(length=254), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_schools_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "id", name=op.f("pk_schools")),
    )
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schools_principal"), ["principal"], unique=False)

    op.create_table(
        "trainings",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("coach", sa.String(length=254), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attendance", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_trainings_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "coach", name=op.f("pk_trainings")),
    )
    op.create_table(
        "partnership_members",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("partnership", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort", "partnership"],
            ["partnerships.cohort", "partnerships.id"],
            name=op.f("fk_partnership_members_cohort_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort", "partnership", "email", name=op.f("pk_partnership_members")),
    )
    with op.batch_alter_table("partnership_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnership_members_email"), ["email"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("partnership_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_members_email"))

    op.drop_table("partnership_members")
    op.drop_table("trainings")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schools_principal"))

    op.drop_table("schools")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_email"))

    op.drop_table("people")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnerships_cohort_stage"))
        batch_op.drop_index(batch_op.f("ix_partnerships_cohort_school"))
        batch_op.drop_index(batch_op.f("ix_partnerships_cohort_coach"))

    op.drop_table("partnerships")
    op.drop_table("ledgers")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_email"))

    op.drop_table("web_sessions")
    op.drop_table("used_sign_in_links")
    op.drop_table("substitute_bookings")
    op.drop_table("roster_versions")
    with op.batch_alter_table("release_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_requests_requester"))
        batch_op.drop_index(batch_op.f("ix_release_requests_cohort_school_status"))

    op.drop_table("release_requests")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_recipient"))
        batch_op.drop_index(batch_op.f("ix_outbox_kind"))
        batch_op.drop_index(batch_op.f("ix_outbox_created_at"))

    op.drop_table("outbox")
    op.drop_table("cohorts")
