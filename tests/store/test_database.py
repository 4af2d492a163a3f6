"""The database layer on both backends: migrations, the check every process makes, and one-line faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from store import tables
from store.database import Database, DatabaseProblem, database_url
from tests.databases import postgres_url


def test_a_migrated_database_passes_the_check_and_keeps_what_it_is_given(database: Database) -> None:
    database.check()
    assert database.current() == database.head()
    with database.begin() as db:
        db.execute(insert(tables.used_sign_in_links).values(id="abc", email="a@x.org", used_at=_now()))
    with database.begin() as db:
        (row,) = db.execute(select(tables.used_sign_in_links)).all()
    assert row.email == "a@x.org"
    assert row.used_at == _now()  # read back as the same aware moment on both backends


def test_upgrading_a_migrated_database_changes_nothing(database: Database) -> None:
    assert database.upgrade() == (database.head(), database.head())


def test_an_empty_database_is_named_with_the_command_that_migrates_it(tmp_path: Path) -> None:
    database = Database(database_url(None, tmp_path))
    with pytest.raises(DatabaseProblem, match=r"has no tables yet: run `peercoach db upgrade`"):
        database.check()
    before, after = database.upgrade()
    assert (before, after) == (None, database.head())
    database.check()


def test_a_database_that_cannot_be_reached_is_one_line_without_the_password() -> None:
    url = postgres_url().replace("127.0.0.1:", "127.0.0.1:1").rsplit(":", 1)[0] + ":1/none"  # nothing listens on port 1
    unreachable = Database(url.replace("peercoach_test:peercoach_test@", "peercoach_test:secret-word@"))
    with pytest.raises(DatabaseProblem) as refused:
        unreachable.check()
    message = str(refused.value)
    assert "cannot be reached" in message and "\n" not in message
    assert "secret-word" not in message


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 11, 29, 12, 30, 15, 123000, tzinfo=UTC)


def test_the_migrations_build_exactly_the_tables_the_code_describes(database: Database) -> None:
    with database.engine.connect() as connection:
        # The lessons' full-text index is the database's own (an FTS5 table, a tsvector column): `described` leaves it out
        compared = MigrationContext.configure(connection, opts={"include_name": tables.described})
        assert compare_metadata(compared, tables.metadata) == []
