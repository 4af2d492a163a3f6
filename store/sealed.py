"""Sealed columns: private words and files kept in the database, readable only with the deployment's key ring.

Artifacts, a portfolio's summary and a person's self-assessment answers are private to the
people they belong to, and the database is read by more people and tools than those (backups,
a reporting replica, an engineer's query). Each value is sealed with AES-256-GCM under the
current key of the same ring that encrypts Temporal's payloads (`workers/codec.py`), so a
rotated-out key still opens old rows. The row's identity is the associated data: a sealed
value copied into another row, or another column, does not open.
"""

from __future__ import annotations

import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MARK = b"pc1"  # the sealing format, in case it ever changes
NONCE_BYTES = 12


class Keys(Protocol):
    """A key ring: keys by id, and the id of the one that seals."""

    @property
    def keys(self) -> dict[str, bytes]: ...

    @property
    def current(self) -> str: ...


class Unsealable(Exception):
    """A sealed value that this key ring cannot open: a key missing from the ring, or a value moved from its row."""


class Sealer:
    def __init__(self, ring: Keys):
        self.ring = ring

    def seal(self, value: bytes, row: str) -> bytes:
        """`row` names where the value lives (for example `artifacts/<id>/content`); opening needs the same."""
        key_id = self.ring.current.encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.ring.keys[self.ring.current]).encrypt(nonce, value, row.encode())
        return MARK + bytes([len(key_id)]) + key_id + nonce + sealed

    def open(self, sealed: bytes, row: str) -> bytes:
        sealed = bytes(sealed)
        if not sealed.startswith(MARK) or len(sealed) <= len(MARK):
            raise Unsealable(f"{row}: not a sealed value")
        at = len(MARK) + 1 + sealed[len(MARK)]  # a key id is at most 255 bytes: its length is one byte
        key_id, rest = sealed[len(MARK) + 1 : at], sealed[at:]
        key = self.ring.keys.get(key_id.decode())
        if key is None:
            raise Unsealable(f"{row}: sealed with key '{key_id.decode()}', which is not in the key ring")
        try:
            return AESGCM(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], row.encode())
        except InvalidTag:
            raise Unsealable(f"{row}: the value does not open with its key (was it moved from another row?)") from None

    def seal_text(self, text: str, row: str) -> bytes:
        return self.seal(text.encode(), row)

    def open_text(self, sealed: bytes, row: str) -> str:
        return self.open(sealed, row).decode()
