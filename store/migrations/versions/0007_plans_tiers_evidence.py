"""A school's coaching plan, self-assessments on the tiers, year-2 decisions, a partnership's artifacts and a coach's portfolio

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

EMAIL = 254


def upgrade() -> None:
    op.create_table(
        "school_plans",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("assignments", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("communication", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("written_by", sa.String(length=EMAIL), nullable=False),
        sa.Column("written_at", UtcDateTime(), nullable=False),
        sa.Column("endorsed_by", sa.String(length=EMAIL), nullable=True),
        sa.Column("endorsed_at", UtcDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_school_plans_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "school", name=op.f("pk_school_plans")),
    )
    op.create_table(
        "self_assessments",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=EMAIL), nullable=False),
        sa.Column("round", sa.String(length=10), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("answers", sa.LargeBinary(), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_self_assessments_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "email", "round", name=op.f("pk_self_assessments")),
    )
    op.create_index(op.f("ix_self_assessments_cohort_school"), "self_assessments", ["cohort", "school"], unique=False)
    op.create_table(
        "year_two_decisions",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("school", sa.Text(), nullable=False),
        sa.Column("choice", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=EMAIL), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_year_two_decisions_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "subject", name=op.f("pk_year_two_decisions")),
    )
    op.create_index(op.f("ix_year_two_decisions_cohort_school"), "year_two_decisions", ["cohort", "school"], unique=False)
    op.create_table(
        "artifacts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("partnership", sa.Text(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("file_name", sa.LargeBinary(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=EMAIL), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort", "partnership"],
            ["partnerships.cohort", "partnerships.id"],
            name=op.f("fk_artifacts_cohort_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifacts")),
    )
    op.create_index(op.f("ix_artifacts_cohort_partnership"), "artifacts", ["cohort", "partnership"], unique=False)
    op.create_table(
        "portfolios",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("coach", sa.String(length=EMAIL), nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=True),
        sa.Column("chosen", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], name=op.f("fk_portfolios_cohort_cohorts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort", "coach", name=op.f("pk_portfolios")),
    )
    op.create_table(
        "portfolio_readers",
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("coach", sa.String(length=EMAIL), nullable=False),
        sa.Column("email", sa.String(length=EMAIL), nullable=False),
        sa.Column("shared_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort", "coach"],
            ["portfolios.cohort", "portfolios.coach"],
            name=op.f("fk_portfolio_readers_cohort_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort", "coach", "email", name=op.f("pk_portfolio_readers")),
    )
    op.create_index(op.f("ix_portfolio_readers_email"), "portfolio_readers", ["email"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_portfolio_readers_email"), table_name="portfolio_readers")
    op.drop_table("portfolio_readers")
    op.drop_table("portfolios")
    op.drop_index(op.f("ix_artifacts_cohort_partnership"), table_name="artifacts")
    op.drop_table("artifacts")
    op.drop_index(op.f("ix_year_two_decisions_cohort_school"), table_name="year_two_decisions")
    op.drop_table("year_two_decisions")
    op.drop_index(op.f("ix_self_assessments_cohort_school"), table_name="self_assessments")
    op.drop_table("self_assessments")
    op.drop_table("school_plans")
