"""One invocation of `peercoach`: the connection flags it was given, how a command runs, how it fails.

Every command module imports from here, and `peercoach/cli.py` imports the command
modules only to register them, so no command module imports the command line back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from workers.settings import Settings

T = TypeVar("T")


class UserError(Exception):
    """A mistake in how a command was called (not a program rule)."""


_given: dict[str, Any] = {}  # the global flags given on this command line; PEERCOACH_* fills in the rest


def connection(
    address: Annotated[str | None, typer.Option(help="Temporal address (env PEERCOACH_TEMPORAL_ADDRESS).")] = None,
    namespace: Annotated[str | None, typer.Option(help="Temporal namespace (env PEERCOACH_NAMESPACE).")] = None,
    task_queue: Annotated[str | None, typer.Option(help="Task queue of the workers (env PEERCOACH_TASK_QUEUE).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where the database file and local files live (env PEERCOACH_DATA_DIR).")] = None,
    tls: Annotated[bool | None, typer.Option("--tls/--no-tls", help="Use TLS (a production cluster).")] = None,
    api_key: Annotated[str | None, typer.Option(help="API key for Temporal Cloud (env PEERCOACH_API_KEY).")] = None,
) -> None:
    """The global flags, before any command: where Temporal and the data directory are."""
    given = {
        "temporal_address": address,
        "namespace": namespace,
        "task_queue": task_queue,
        "data_dir": data_dir,
        "tls": tls,
        "api_key": api_key,
    }
    _given.update({k: v for k, v in given.items() if v is not None})


def settings() -> Settings:
    return Settings(**_given)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
