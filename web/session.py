"""Sign-in links, session cookies and CSRF tokens.

A sign-in link carries a signed token that expires; it works once (its id is kept
in the database when it is used). The session cookie is signed and holds a random
session id, and once signed in the email: a signed-in session is also a row in the
database (store/sessions.py), read on every request, so signing out ends it for every
copy of the cookie. Anonymous visitors have no row. Every form and every API call
that changes something carries a CSRF token derived from the session id, so another
site cannot act for a signed-in person.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from store import sessions as stored
from store.database import Database
from store.sessions import SESSION_HOURS

SIGN_IN_MINUTES = 15
COOKIE = "peercoach_session"


class LinkRefused(Exception):
    """A sign-in link that cannot be used; the message says why, in words for the person holding it."""


@dataclass(frozen=True)
class Session:
    sid: str
    email: str | None = None


def secret_key(configured: str | None, data_dir: Path) -> str:
    """The configured secret, or one made once and kept (owner-only) in the data directory."""
    if configured:
        return configured
    path = data_dir / "web-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()


class Sessions:
    """The database calls run in a thread (`asyncio.to_thread`): the event loop keeps serving meanwhile."""

    def __init__(self, secret: str, database: Database):
        self.secret = secret.encode()
        self.links = URLSafeTimedSerializer(secret, salt="sign-in-link")
        self.cookies = URLSafeTimedSerializer(secret, salt="session")
        self.database = database

    # -- sign-in links ---------------------------------------------------------------

    def link_token(self, email: str) -> tuple[str, str]:
        """(token, token id) for a one-time sign-in link."""
        token_id = secrets.token_urlsafe(12)
        return self.links.dumps({"email": email, "id": token_id}), token_id

    async def peek(self, token: str) -> str:
        """The email a link is for, if it can still be used (it is not used up by looking)."""
        email, token_id = self._open(token)
        if await asyncio.to_thread(stored.link_used, self.database, token_id):
            raise LinkRefused("this sign-in link has been used already; ask for a new one")
        return email

    async def redeem(self, token: str) -> str:
        """Use the link up and return its email; a second use is refused."""
        email, token_id = self._open(token)
        if not await asyncio.to_thread(stored.use_link, self.database, token_id, email, datetime.now(UTC)):
            raise LinkRefused("this sign-in link has been used already; ask for a new one")
        return email

    def _open(self, token: str) -> tuple[str, str]:
        try:
            content = self.links.loads(token, max_age=SIGN_IN_MINUTES * 60)
        except SignatureExpired:
            raise LinkRefused(f"this sign-in link has expired (links last {SIGN_IN_MINUTES} minutes); ask for a new one") from None
        except BadSignature:
            raise LinkRefused("this is not a valid sign-in link; ask for a new one") from None
        return str(content["email"]), str(content["id"])

    # -- the session cookie ------------------------------------------------------------

    def new(self) -> Session:
        """An anonymous session: only its cookie, no row (a page view writes nothing)."""
        return Session(sid=_fresh_sid())

    async def sign_in(self, email: str) -> Session:
        """A fresh session id, never the one the visitor came with: no fixation."""
        session = Session(sid=_fresh_sid(), email=email)
        await asyncio.to_thread(stored.start_session, self.database, session.sid, email, datetime.now(UTC))
        return session

    async def sign_out(self, session: Session) -> Session:
        """End the session for every copy of its cookie; the anonymous one that follows."""
        if session.email is not None:
            await asyncio.to_thread(stored.end_session, self.database, session.sid, datetime.now(UTC))
        return self.new()

    def cookie(self, session: Session) -> str:
        return self.cookies.dumps({"sid": session.sid, "email": session.email})

    async def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            content = self.cookies.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # expired or tampered with: start again, signed out
            return None
        sid = str(content["sid"])
        if content.get("email") is None:
            return Session(sid=sid)
        # The cookie alone proves nothing once its session has ended: the row decides (one primary-key lookup).
        email = await asyncio.to_thread(stored.signed_in_as, self.database, sid, datetime.now(UTC))
        return Session(sid=sid, email=email) if email is not None else None

    # -- CSRF --------------------------------------------------------------------------

    def csrf_token(self, session: Session) -> str:
        return hmac.new(self.secret, f"csrf:{session.sid}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf_token(session), token)


def _fresh_sid() -> str:
    return secrets.token_urlsafe(16)
