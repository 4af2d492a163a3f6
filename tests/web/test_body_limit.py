"""A request larger than any form takes is refused before the app reads it: by its Content-Length, or as its bytes
arrive. Spoken over a raw socket, as a client that keeps sending would: the answer comes while the body is unsent."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from tests.web.conftest import WebStack
from web.body_limit import BODY_MAX_BYTES

UPLOAD = "/cohorts/any/partnerships/any/artifacts/files"


PART = b'--b\r\nContent-Disposition: form-data; name="file"; filename="class.mp4"\r\n\r\n'


async def _answer(stack: WebStack, head: str, body_chunks: int) -> str:
    """Send the head, then up to `body_chunks` chunks of a chunked body (one file's part); the first line of the answer."""
    address = urlsplit(stack.url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head.encode() + (f"{len(PART):x}\r\n".encode() + PART + b"\r\n" if body_chunks else b""))
        await writer.drain()
        chunk = b"10000\r\n" + bytes(65536) + b"\r\n"
        for _ in range(body_chunks):
            if reader.at_eof() or len(reader._buffer):  # type: ignore[attr-defined]  # answered already
                break
            writer.write(chunk)
            await writer.drain()
        return (await asyncio.wait_for(reader.readline(), 30)).decode()
    finally:
        writer.close()


async def test_a_declared_body_larger_than_the_app_takes_is_refused_before_it_is_sent(web_stack: WebStack) -> None:
    head = f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: {BODY_MAX_BYTES + 1}\r\n\r\n"
    assert (await _answer(web_stack, head, body_chunks=0)).startswith("HTTP/1.1 413")


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(web_stack: WebStack) -> None:
    # A form's body, which the app reads as it parses the upload.
    head = f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert (await _answer(web_stack, head, body_chunks=BODY_MAX_BYTES // 65536 + 4)).startswith("HTTP/1.1 413")
