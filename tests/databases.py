"""Fresh, migrated databases for tests: a SQLite file, or a database on the real PostgreSQL server that `make test` starts.

PostgreSQL databases are copied from a template migrated once per test session
(`create database ... template ...` takes a fraction of a second), and dropped after the test.
"""

from __future__ import annotations

import atexit
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg.errors import InsufficientPrivilege
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from store.database import Database, database_url

POSTGRES_URL = "PEERCOACH_TEST_POSTGRES_URL"
TEMPLATE = f"peercoach_template_{os.getpid()}"  # one per test process: two runs side by side never share one


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL)
    if not url:
        raise RuntimeError(
            f"{POSTGRES_URL} is not set: run the tests with `make test`, which starts PostgreSQL (tests/services/postgres.sh)"
        )
    return database_url(url, Path("."))


def sqlite_database(data_dir: Path) -> Database:
    database = Database(database_url(None, data_dir))
    database.upgrade()
    return database


_template_ready = False


@contextmanager
def postgres_database() -> Iterator[Database]:
    """A new database on the test server, at the newest migration; dropped afterwards."""
    global _template_ready
    server = make_url(postgres_url())
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        if not _template_ready:
            with admin.connect() as c:
                c.execute(text(f"drop database if exists {TEMPLATE}"))
                c.execute(text(f"create database {TEMPLATE}"))
            template = Database(server.set(database=TEMPLATE).render_as_string(hide_password=False))
            template.upgrade()
            template.dispose()
            _template_ready = True
            atexit.register(_drop_template, server.render_as_string(hide_password=False))
        name = f"peercoach_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.execute(text(f"create database {name} template {TEMPLATE}"))
        database = Database(server.set(database=name).render_as_string(hide_password=False))
        try:
            yield database
        finally:
            database.dispose()
            _drop(admin, name)
    finally:
        admin.dispose()


def _drop(admin: Engine, name: str) -> None:
    """Drop a test database; an autovacuum worker in it (the server's, which this role may not end) goes in a moment."""
    for attempt in range(10):
        try:
            with admin.connect() as c:
                c.execute(text(f"drop database if exists {name} with (force)"))
            return
        except ProgrammingError as err:
            if not isinstance(err.orig, InsufficientPrivilege) or attempt == 9:
                raise
            time.sleep(0.5)


def _drop_template(server: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"drop database if exists {TEMPLATE} with (force)"))
    admin.dispose()


@contextmanager
def fresh_database(backend: str, data_dir: Path) -> Iterator[Database]:
    if backend == "postgresql":
        with postgres_database() as database:
            yield database
    else:
        database = sqlite_database(data_dir)
        try:
            yield database
        finally:
            database.dispose()
