"""`peercoach db`: the program's database (a SQLite file by default, PostgreSQL in production)."""

from __future__ import annotations

import typer

from peercoach.invocation import settings
from peercoach.output import console
from store.database import Database

db_app = typer.Typer(help="The program's database: migrate it, see where it is.", no_args_is_help=True)


@db_app.command()
def upgrade() -> None:
    """Create the database's tables, or migrate them to this version of the program."""
    database = Database(settings().database)
    before, after = database.upgrade()
    if before == after:
        console.print(f"{database.where}: already at migration {after}", highlight=False)
    else:
        console.print(f"{database.where}: migrated from {before or 'an empty database'} to {after}", highlight=False)


@db_app.command()
def status() -> None:
    """Where the database is, and whether it is migrated."""
    database = Database(settings().database)
    current, head = database.current(), database.head()
    state = "up to date" if current == head else "behind: run `peercoach db upgrade`"
    console.print(f"{database.where}: migration {current or 'none'} (this program needs {head}), {state}", highlight=False)
