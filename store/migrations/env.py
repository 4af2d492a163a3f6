"""Alembic's environment: migrations run on the connection `Database.upgrade` hands over, or on the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from store.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with create_engine(config.get_main_option("sqlalchemy.url") or "").connect() as connection:
        _migrate(connection)
        connection.commit()


def _migrate(connection: Connection) -> None:
    # SQLite cannot alter most constraints in place: batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
