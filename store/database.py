"""The connection to the program's database, and its migrations.

Every process (worker, web app, command line) opens one `Database`. Opening checks
that the schema is at Alembic's head, so a process never runs against tables it does
not know: a database that is behind says "run `peercoach db upgrade`", and one that
cannot be reached says so in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

MIGRATIONS = Path(__file__).parent / "migrations"
DATABASE_FILE = "peercoach.sqlite3"


class DatabaseProblem(Exception):
    """The database cannot serve this process; the message says what to do, in one line."""


def database_url(configured: str | None, data_dir: Path) -> str:
    """The configured URL (PostgreSQL in production), or the SQLite file in the data directory."""
    if not configured:
        return f"sqlite:///{(data_dir / DATABASE_FILE).resolve()}"
    url = make_url(configured)
    if url.drivername in ("postgresql", "postgres"):  # psycopg 3 is the driver installed
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("pragma journal_mode=wal")  # readers (the web app) do not wait for the worker's writes
            # Commits are not synced one by one: a crashed process loses nothing, a power cut at most the last few.
            cursor.execute("pragma synchronous=normal")
            cursor.execute("pragma foreign_keys=on")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args={"connect_timeout": 10})


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(url)

    @classmethod
    def open(cls, url: str) -> Database:
        """The database, checked to be reachable and migrated to the newest schema."""
        database = cls(url)
        database.check()
        return database

    @property
    def where(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def head(self) -> str | None:
        return ScriptDirectory.from_config(_alembic_config(self.url)).get_current_head()

    def current(self) -> str | None:
        with self._reach() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def check(self) -> None:
        current, head = self.current(), self.head()
        if current != head:
            state = "has no tables yet" if current is None else f"is at migration {current}, not {head}"
            raise DatabaseProblem(f"the database {self.where} {state}: run `peercoach db upgrade`")

    def upgrade(self) -> tuple[str | None, str | None]:
        """Migrate to the newest schema; returns (before, after)."""
        before = self.current()
        with self._reach() as connection:
            config = _alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        return before, self.current()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed when the block ends, rolled back on error."""
        with _translated(self.where), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _reach(self) -> Iterator[Connection]:
        with _translated(self.where), self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _translated(where: str) -> Iterator[None]:
    """A database that cannot be reached becomes one line for the person at the door."""
    try:
        yield
    except OperationalError as err:
        if _unreachable(err):
            raise DatabaseProblem(f"the database {where} cannot be reached: {_first_line(err)}") from None
        raise


def insert(db: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both do); SQLAlchemy's generic one does not."""
    return postgresql.insert(table) if db.dialect.name == "postgresql" else sqlite.insert(table)


def _unreachable(err: DBAPIError) -> bool:
    """A connection that failed, not a statement: the database is down, gone or refusing us."""
    return err.connection_invalidated or "connect" in str(err.orig).lower() or "unable to open" in str(err.orig).lower()


def _first_line(err: DBAPIError) -> str:
    return str(err.orig).strip().splitlines()[0] if str(err.orig).strip() else type(err.orig).__name__
