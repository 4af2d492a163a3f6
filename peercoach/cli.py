"""`peercoach`: run the Peer Coaching Program from a terminal.

Every command talks to the Temporal named by --address/--namespace (or the
PEERCOACH_* environment), so the same commands work against the local stack
that `peercoach dev` starts and against a production cluster. A user mistake
prints one line and exits 1; nothing is changed by a refused action.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from temporalio.service import RPCError

from domain.problems import InvalidInput, Refused
from peercoach.output import errors
from store.database import DatabaseProblem
from workers import logs
from workers.settings import Settings

T = TypeVar("T")

app = typer.Typer(
    help="Run the Peer Coaching Program: cohorts, training sessions, coaching cycles and release time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class UserError(Exception):
    """A mistake in how a command was called (not a program rule)."""


_settings: dict[str, Any] = {}


@app.callback()
def connection(
    address: Annotated[str | None, typer.Option(help="Temporal address (env PEERCOACH_TEMPORAL_ADDRESS).")] = None,
    namespace: Annotated[str | None, typer.Option(help="Temporal namespace (env PEERCOACH_NAMESPACE).")] = None,
    task_queue: Annotated[str | None, typer.Option(help="Task queue of the workers (env PEERCOACH_TASK_QUEUE).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where the database file and local files live (env PEERCOACH_DATA_DIR).")] = None,
    tls: Annotated[bool | None, typer.Option("--tls/--no-tls", help="Use TLS (a production cluster).")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key for Temporal Cloud (env PEERCOACH_API_KEY).")] = None,
) -> None:
    given = {
        "temporal_address": address,
        "namespace": namespace,
        "task_queue": task_queue,
        "data_dir": data_dir,
        "tls": tls,
        "api_key": api_key,
    }
    _settings.update({k: v for k, v in given.items() if v is not None})


def settings() -> Settings:
    return Settings(**_settings)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _register_commands() -> None:
    from peercoach import cohort_commands, db_commands, dev, partnership_commands, release_commands, simulate_command, tools, web_command

    app.add_typer(cohort_commands.cohort_app, name="cohort")
    app.add_typer(cohort_commands.attendance_app, name="attendance")
    app.add_typer(partnership_commands.partnership_app, name="partnership")
    app.add_typer(release_commands.release_app, name="release")
    app.add_typer(db_commands.db_app, name="db")
    app.command()(dev.dev)
    app.command()(simulate_command.simulate)
    app.command()(web_command.web)
    tools.register(app)


def main() -> None:
    """Entry point: run the command, then leave without the Temporal client's exit crash (sdk-python issue 300)."""
    _register_commands()
    logs.route_core_logs()
    code = 0
    try:
        app()  # usage mistakes are reported by Typer itself, which exits with 2
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except InvalidInput as invalid:
        errors.print(f"[red]{len(invalid.problems)} problem(s); nothing was changed:[/red]", highlight=False)
        for problem in invalid.problems:
            errors.print(f"  {problem}", highlight=False, markup=False)
        code = 1
    except Refused as refused:
        errors.print(f"refused: {refused.reason}", highlight=False, markup=False)
        if refused.allowed:
            errors.print(f"allowed now: {', '.join(refused.allowed)}", highlight=False, markup=False)
        code = 1
    except (UserError, DatabaseProblem) as mistake:
        errors.print(str(mistake), highlight=False, markup=False)
        code = 1
    except RPCError as err:
        errors.print(f"Temporal said: {err.message}", highlight=False, markup=False)
        code = 1
    except RuntimeError as err:
        if "client connect" not in str(err).lower():
            raise
        address = settings().temporal_address
        errors.print(f"cannot reach Temporal at {address}: start the local stack with `peercoach dev`, or point --address at your cluster")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
