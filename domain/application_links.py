"""The links an applicant and their principal follow from a message: signed, so only the program makes them.

A link grants one thing to one person about one application: the applicant confirms their email
(`confirm`) or reads their status and may withdraw (`status`); the principal endorses or declines
(`endorse`). Nobody signs in for these: the link is the proof that the email reached its owner.
Following a link again changes nothing, since the application has moved on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import StrEnum

from pydantic import BaseModel

NOT_SENT = "(a personal link, in the message sent)"  # what the outbox keeps in a link's place


class Purpose(StrEnum):
    confirm = "confirm"
    status = "status"
    endorse = "endorse"


class Grant(BaseModel):
    purpose: Purpose
    application: str
    email: str


def token(secret: bytes, purpose: Purpose, application: str, email: str) -> str:
    payload = _b64(f"{purpose.value}\n{application}\n{email.strip().lower()}".encode())
    return f"{payload}.{_b64(_mac(secret, payload))}"


def granted(secret: bytes, signed: str) -> Grant | None:
    """What a token grants; None for one the program did not make."""
    payload, _, mac = signed.partition(".")
    if not signed.isascii() or not hmac.compare_digest(_b64(_mac(secret, payload)), mac):  # compare_digest takes ASCII only
        return None
    try:
        purpose, application, email = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("\n")
        return Grant(purpose=Purpose(purpose), application=application, email=email)
    except ValueError:
        return None


def path(purpose: Purpose, signed: str) -> str:
    """Where the web app takes the link (`web/application_pages.py`)."""
    return f"/apply/{purpose.value}/{signed}"


def _mac(secret: bytes, payload: str) -> bytes:
    return hmac.new(secret, f"application:{payload}".encode(), hashlib.sha256).digest()[:18]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
