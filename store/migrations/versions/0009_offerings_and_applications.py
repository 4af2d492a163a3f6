"""The program office's offerings and their applications, as the enrollment workflow publishes them

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 01:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

EMAIL = 254


def upgrade() -> None:
    op.create_table(
        "offerings",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offerings")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("offering", sa.String(length=60), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=EMAIL), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("offering", "number", name=op.f("uq_applications_offering_number")),
    )
    op.create_index(op.f("ix_applications_offering"), "applications", ["offering"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_applications_offering"), table_name="applications")
    op.drop_table("applications")
    op.drop_table("offerings")
