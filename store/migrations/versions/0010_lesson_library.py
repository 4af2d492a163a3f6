"""The lesson library: lessons coaches publish from their cycles, with full-text search

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 01:30:00.000000

The search index is each database's own: an FTS5 table on SQLite, kept by triggers in the transaction that writes
a lesson (its rowid is the lesson's INTEGER PRIMARY KEY); a generated tsvector column with a GIN index on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

EMAIL = 254

SQLITE_INDEX = (
    # porter: "researching" finds "research"; the lessons table holds the text (external content), the index only terms
    "create virtual table lessons_fts using fts5(title, summary, standards, content='lessons', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "create trigger lessons_fts_insert after insert on lessons begin "
    "insert into lessons_fts(rowid, title, summary, standards) values (new.id, new.title, new.summary, new.standards); end",
    "create trigger lessons_fts_delete after delete on lessons begin "
    "insert into lessons_fts(lessons_fts, rowid, title, summary, standards) "
    "values ('delete', old.id, old.title, old.summary, old.standards); end",
    "create trigger lessons_fts_update after update of title, summary, standards on lessons begin "
    "insert into lessons_fts(lessons_fts, rowid, title, summary, standards) "
    "values ('delete', old.id, old.title, old.summary, old.standards); "
    "insert into lessons_fts(rowid, title, summary, standards) values (new.id, new.title, new.summary, new.standards); end",
)
# Words only, as FTS5's unicode61 splits them: PostgreSQL's parser would keep "CCSS.ELA-LITERACY.W.4.7" as a few
# host-like tokens, where a search for "W.4.7" looks for its words.
WORDS = "regexp_replace({}, '[^[:alnum:]]+', ' ', 'g')"
POSTGRES_INDEX = (
    # A title's words weigh more than the summary's, the summary's more than the standards'
    "alter table lessons add column search tsvector generated always as ("
    f"setweight(to_tsvector('english', {WORDS.format('title')}), 'A') || "
    f"setweight(to_tsvector('english', {WORDS.format('summary')}), 'B') || "
    f"setweight(to_tsvector('english', {WORDS.format('standards')}), 'C')) stored",
    "create index ix_lessons_search on lessons using gin (search)",
)


def upgrade() -> None:
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort", sa.String(length=60), nullable=False),
        sa.Column("partnership", sa.Text(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("coach", sa.String(length=EMAIL), nullable=False),
        sa.Column("coach_name", sa.Text(), nullable=False),
        sa.Column("school_name", sa.Text(), nullable=False),
        sa.Column("program", sa.Text(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("standards", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("featured_at", UtcDateTime(), nullable=True),
        sa.Column("featured_by", sa.String(length=EMAIL), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
        sa.UniqueConstraint("cohort", "partnership", "cycle", name=op.f("uq_lessons_cohort_partnership_cycle")),
    )
    op.create_index(op.f("ix_lessons_status_featured_at_published_at"), "lessons", ["status", "featured_at", "published_at"])
    op.create_table(
        "lesson_tags",
        sa.Column("lesson", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["lesson"], ["lessons.id"], name=op.f("fk_lesson_tags_lesson_lessons"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lesson", "facet", "value", name=op.f("pk_lesson_tags")),
    )
    op.create_index(op.f("ix_lesson_tags_facet_value"), "lesson_tags", ["facet", "value"])
    op.create_table(
        "lesson_agreements",
        sa.Column("lesson", sa.Integer(), nullable=False),
        sa.Column("teacher", sa.String(length=EMAIL), nullable=False),
        sa.Column("agreed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["lesson"], ["lessons.id"], name=op.f("fk_lesson_agreements_lesson_lessons"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lesson", "teacher", name=op.f("pk_lesson_agreements")),
    )
    op.create_index(op.f("ix_lesson_agreements_teacher"), "lesson_agreements", ["teacher"])
    op.create_table(
        "lesson_attachments",
        sa.Column("lesson", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["lesson"], ["lessons.id"], name=op.f("fk_lesson_attachments_lesson_lessons"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lesson", "number", name=op.f("pk_lesson_attachments")),
    )
    for statement in SQLITE_INDEX if op.get_bind().dialect.name == "sqlite" else POSTGRES_INDEX:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("lessons_fts_insert", "lessons_fts_delete", "lessons_fts_update"):
            op.execute(f"drop trigger {trigger}")
        op.execute("drop table lessons_fts")
    op.drop_table("lesson_attachments")
    op.drop_index(op.f("ix_lesson_agreements_teacher"), table_name="lesson_agreements")
    op.drop_table("lesson_agreements")
    op.drop_index(op.f("ix_lesson_tags_facet_value"), table_name="lesson_tags")
    op.drop_table("lesson_tags")
    op.drop_index(op.f("ix_lessons_status_featured_at_published_at"), table_name="lessons")
    op.drop_table("lessons")  # on PostgreSQL its search column and index go with it
