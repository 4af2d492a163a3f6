"""`peercoach codec-server`: lets an authorized operator read encrypted payloads in Temporal's web UI and CLI.

Temporal's codec-server protocol: POST `/encode` and `/decode` take and return
`{"payloads": [...]}` in protobuf JSON (metadata values and data in base64). The web UI
calls it from the operator's browser, a page on another origin, so it answers the CORS
preflight for the UI's origins; it sends the namespace in `X-Namespace`.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from peercoach.invocation import UserError, settings
from peercoach.output import console
from workers.codec import EncryptionCodec, UnreadablePayload, key_ring

Convert = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]


def codec_app(codec: EncryptionCodec, namespace: str, token: str | None, ui_origins: list[str]) -> FastAPI:
    """The codec endpoint; with `token`, every request must carry `Authorization: Bearer <token>`."""
    app = FastAPI(title="peercoach codec server", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=ui_origins,
        allow_methods=["POST"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        allow_credentials=True,
    )

    def check(request: Request) -> None:
        if token is not None:
            given = request.headers.get("authorization", "")
            if not given:
                raise HTTPException(401, "an Authorization: Bearer <token> header is required", {"WWW-Authenticate": "Bearer"})
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                raise HTTPException(403, "wrong token")
        asked = request.headers.get("x-namespace")
        if asked and asked != namespace:
            raise HTTPException(403, f"this codec server serves namespace '{namespace}', not '{asked}'")

    async def answer(request: Request, convert: Convert) -> JSONResponse:
        check(request)
        try:
            given = json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError as err:
            raise HTTPException(400, f'expected {{"payloads": [...]}} in protobuf JSON: {err}') from None
        try:
            done = await convert(given.payloads)
        except UnreadablePayload as err:
            raise HTTPException(422, str(err)) from None
        return JSONResponse(json_format.MessageToDict(Payloads(payloads=done)))

    @app.post("/encode")
    async def encode(request: Request) -> JSONResponse:
        return await answer(request, codec.encode)

    @app.post("/decode")
    async def decode(request: Request) -> JSONResponse:
        return await answer(request, codec.decode)

    return app


def codec_server(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8234,
    host: Annotated[str, typer.Option(help="Address to listen on; beyond this machine only with PEERCOACH_CODEC_TOKEN set.")] = "127.0.0.1",
    ui_origin: Annotated[
        list[str] | None, typer.Option(help="A Temporal web UI that may call it, e.g. http://localhost:8233 (repeatable).")
    ] = None,
) -> None:
    """Decrypt payloads for the Temporal web UI (--ui-codec-endpoint) and CLI (--codec-endpoint)."""
    s = settings()
    token = s.codec_token.get_secret_value() if s.codec_token else None
    if not token and not _loopback(host):
        raise UserError(f"--host {host} would let other machines decode notes without a token; set PEERCOACH_CODEC_TOKEN first")
    ring = key_ring(s)
    origins = [*s.codec_ui_origins, *(ui_origin or [])]
    try:
        listening = socket.create_server((host, port))
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port} ({err.strerror}); choose another with --port") from None
    url = f"http://{host}:{port}"
    say = functools.partial(console.print, highlight=False, markup=False, soft_wrap=True)
    say(f"Codec server for namespace {s.namespace} on {url}: keys from {ring.source}, encrypting with key '{ring.current}'.")
    if token:
        say(f"Every request needs Authorization: Bearer <PEERCOACH_CODEC_TOKEN>. Web UIs allowed: {', '.join(origins)}.")
        say(f'  temporal workflow show -w WORKFLOW_ID --codec-endpoint {url} --codec-auth "Bearer $PEERCOACH_CODEC_TOKEN"')
    else:
        say(f"No PEERCOACH_CODEC_TOKEN is set: it listens on {host} only and asks no token. Web UIs allowed: {', '.join(origins)}.")
        say(f"  temporal server start-dev --ui-codec-endpoint {url}   or   temporal workflow show -w WORKFLOW_ID --codec-endpoint {url}")
    app = codec_app(EncryptionCodec(ring), s.namespace, token, origins)
    # uvicorn stops gracefully on SIGINT/SIGTERM, then re-sends the signal to the handler it found
    # installed: a quiet one makes Ctrl-C a clean exit 0 instead of a KeyboardInterrupt traceback.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening])
    say("Codec server stopped.")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
