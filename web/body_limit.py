"""The largest request the web app reads: a refusal before the body is spooled to disk, not after.

Starlette writes a multipart upload to a temporary file before a route sees it, so a route's own
size check (a roster's, an artifact's) comes after the whole body arrived. This limit stops a
body far larger than any form takes, by its Content-Length or, without one, as its bytes arrive.
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.artifacts import ARTIFACT_MAX_BYTES, MB
from web.coordinator_pages import UPLOAD_MAX_BYTES

# Four times the largest upload a form takes, and room for the form's other fields: a file a little too large (a
# phone's 7 MB photo) still reaches its form, which says in the program's words by how much; one far larger is cut off.
BODY_MAX_BYTES = 4 * max(ARTIFACT_MAX_BYTES, UPLOAD_MAX_BYTES) + MB
TOO_LARGE = (
    f"This request is larger than the app takes (at most {BODY_MAX_BYTES // MB} MB in all). "
    "Make the file smaller, or share it as a link instead."
).encode()


class TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = BODY_MAX_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _refuse(send)
            return
        received = 0
        started = refused = False

        async def counted() -> Message:
            # The refusal is sent here, as the limit passes: a form parser that meets the error turns it into its own 400.
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    if not started and not refused:
                        refused = True
                        await _refuse(send)
                    raise TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:  # the app's own answer to the broken body goes nowhere: the refusal was the answer
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(TooLarge):  # the refusal has been sent
            await self.app(scope, counted, watched)


async def _refuse(send: Send) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(TOO_LARGE)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": TOO_LARGE})
