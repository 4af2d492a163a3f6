"""The discussion board: threads, replies, tags, mentions, follows and moderation

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EMAIL = 254


def upgrade() -> None:
    op.create_table(
        "board_threads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cohort", sa.String(length=60), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(length=EMAIL), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("last_post_at", UtcDateTime(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=EMAIL), nullable=True),
        sa.Column("locked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_threads")),
    )
    op.create_index(op.f("ix_board_threads_cohort_last_post_at"), "board_threads", ["cohort", "last_post_at"], unique=False)
    op.create_table(
        "board_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("thread", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=EMAIL), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("posted_at", UtcDateTime(), nullable=False),
        sa.Column("hidden_by", sa.String(length=EMAIL), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["thread"], ["board_threads.id"], name=op.f("fk_board_posts_thread_board_threads"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_posts")),
    )
    op.create_index(op.f("ix_board_posts_thread_id"), "board_posts", ["thread", "id"], unique=False)
    op.create_table(
        "board_follows",
        sa.Column("thread", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=EMAIL), nullable=False),
        sa.Column("followed_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["thread"], ["board_threads.id"], name=op.f("fk_board_follows_thread_board_threads"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread", "email", name=op.f("pk_board_follows")),
    )
    op.create_index(op.f("ix_board_follows_email"), "board_follows", ["email"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_board_follows_email"), table_name="board_follows")
    op.drop_table("board_follows")
    op.drop_index(op.f("ix_board_posts_thread_id"), table_name="board_posts")
    op.drop_table("board_posts")
    op.drop_index(op.f("ix_board_threads_cohort_last_post_at"), table_name="board_threads")
    op.drop_table("board_threads")
