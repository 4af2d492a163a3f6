"""Sign-in links, session cookies and CSRF tokens.

A sign-in link carries a signed token that expires; it works once (its id is
kept in a small SQLite file when it is used). The session cookie is signed and
expires too; it holds a random session id and, once signed in, the email. Every
form and every API call that changes something carries a CSRF token derived from
the session id, so another site cannot act for a signed-in person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SIGN_IN_MINUTES = 15
SESSION_HOURS = 12
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
    def __init__(self, secret: str, used_links: Path):
        self.secret = secret.encode()
        self.links = URLSafeTimedSerializer(secret, salt="sign-in-link")
        self.cookies = URLSafeTimedSerializer(secret, salt="session")
        self.used_links = used_links
        used_links.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(used_links) as db:
            db.execute("create table if not exists used_links (id text primary key, email text not null, used_at text not null)")

    # -- sign-in links ---------------------------------------------------------------

    def link_token(self, email: str) -> tuple[str, str]:
        """(token, token id) for a one-time sign-in link."""
        token_id = secrets.token_urlsafe(12)
        return self.links.dumps({"email": email, "id": token_id}), token_id

    def peek(self, token: str) -> str:
        """The email a link is for, if it can still be used (it is not used up by looking)."""
        email, token_id = self._open(token)
        with sqlite3.connect(self.used_links) as db:
            if db.execute("select 1 from used_links where id = ?", (token_id,)).fetchone():
                raise LinkRefused("this sign-in link has been used already; ask for a new one")
        return email

    def redeem(self, token: str) -> str:
        """Use the link up and return its email; a second use is refused."""
        email, token_id = self._open(token)
        with sqlite3.connect(self.used_links) as db:
            inserted = db.execute(
                "insert into used_links (id, email, used_at) values (?, ?, ?) on conflict (id) do nothing",
                (token_id, email, datetime.now(UTC).isoformat()),
            ).rowcount
        if not inserted:
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

    def new(self, email: str | None = None) -> Session:
        return Session(sid=secrets.token_urlsafe(16), email=email)

    def cookie(self, session: Session) -> str:
        return self.cookies.dumps({"sid": session.sid, "email": session.email})

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            content = self.cookies.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # expired or tampered with: start again, signed out
            return None
        return Session(sid=str(content["sid"]), email=content.get("email"))

    # -- CSRF --------------------------------------------------------------------------

    def csrf_token(self, session: Session) -> str:
        return hmac.new(self.secret, f"csrf:{session.sid}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf_token(session), token)
