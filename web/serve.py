"""Serving the web app with uvicorn: used by `peercoach web`, `python -m web` and `peercoach dev`."""

from __future__ import annotations

import uvicorn

from web.app import create_app
from workers import logs
from workers.settings import Settings


async def serve(settings: Settings) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn handles both and finishes open requests)."""
    logs.configure(settings.log_format, settings.log_level)
    config = uvicorn.Config(
        create_app(settings), host=settings.web_host, port=settings.web_port, log_config=None, access_log=False, proxy_headers=True
    )
    await uvicorn.Server(config).serve()
