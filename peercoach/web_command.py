"""`peercoach web`: the web app for coordinators, coaches, teachers and principals."""

from __future__ import annotations

from typing import Annotated

import typer

from peercoach.invocation import run, settings
from store.database import Database
from web.serve import serve


def web(
    host: Annotated[str | None, typer.Option(help="Address to listen on (env PEERCOACH_WEB_HOST, default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env PEERCOACH_WEB_PORT, default 8000).")] = None,
) -> None:
    """Serve the web app (until Ctrl-C); sign-in links go through the notifications (the outbox by default)."""
    s = settings()
    s = s.model_copy(update={k: v for k, v in {"web_host": host, "web_port": port}.items() if v is not None})
    Database.open(s.database).dispose()  # a database that is down or behind is one line here, not a server that fails to start
    run(serve(s))
