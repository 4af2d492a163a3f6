"""Every payload Temporal stores is encrypted (AES-256-GCM), so its history holds no note in plaintext.

Notes and reflections are private to a partnership (the principal sees only stages, dates
and counts), yet they travel through Update arguments, query results, activity inputs and
continue-as-new state. Encrypting every payload, rather than picking fields, is what makes
that hold for all of them. Search attributes are not payloads: stages, schools and coaches
stay readable for visibility queries.

The key ring comes from settings (PEERCOACH_CODEC_KEYS), or, when none is set, from a key
made once and kept in the data directory, shared by `peercoach dev`, its worker and every
command run from the same place.

A client without the key can still send payloads unencrypted; the worker's codec marks
each one (PLAINTEXT, kept only in the worker's memory) and `workers/plaintext.py` refuses them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from domain.problems import InvalidInput, Problem
from workers.settings import Settings

ENCRYPTED = b"binary/encrypted"
KEY_ID = "encryption-key-id"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce; random per payload
KEYS_SETTING = "PEERCOACH_CODEC_KEYS"
# Put by the worker's codec on a payload that arrived unencrypted; never stored (encrypt drops it).
PLAINTEXT = "peercoach-arrived-unencrypted"


class UnreadablePayload(InvalidInput):
    """A payload that this key ring cannot decrypt; the message names the key id."""

    def __init__(self, source: str, message: str):
        super().__init__([Problem(file=source, row=None, field=None, message=message)])


@dataclass(frozen=True)
class KeyRing:
    """Keys by id: `current` encrypts, every key decrypts (so a rotated-out key still reads old histories)."""

    keys: dict[str, bytes]
    current: str
    source: str  # where the keys came from, named in every error

    @staticmethod
    def parse(text: str, source: str, current: str | None = None) -> KeyRing:
        """Keys from JSON text `{"id": "base64 of 32 bytes", ...}`; the last listed is current unless `current` names one."""
        try:
            listed = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput([Problem(source, None, None, f"not JSON ({err.msg} at line {err.lineno})")]) from None
        if not isinstance(listed, dict) or not listed:
            raise InvalidInput([Problem(source, None, None, 'expected {"key id": "base64 of 32 bytes", ...} with at least one key')])
        keys: dict[str, bytes] = {}
        problems = []
        for key_id, encoded in listed.items():
            if not key_id or not key_id.isascii() or not key_id.isprintable():
                problems.append(Problem(source, None, key_id, "a key id must be printable ASCII"))
                continue
            try:
                key = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
            except binascii.Error:
                key = b""
            if len(key) != KEY_BYTES:
                problems.append(Problem(source, None, key_id, f"the key must be base64 of {KEY_BYTES} bytes (AES-256)"))
            keys[key_id] = key
        if problems:
            raise InvalidInput(problems)
        current = current or list(keys)[-1]
        if current not in keys:
            problem = f"PEERCOACH_CODEC_KEY_ID names key '{current}', which is not here (keys: {', '.join(keys)})"
            raise InvalidInput([Problem(source, None, None, problem)])
        return KeyRing(keys, current, source)

    @staticmethod
    def generate(source: str) -> KeyRing:
        key_id = f"{date.today():%Y%m%d}-{secrets.token_hex(3)}"
        return KeyRing({key_id: AESGCM.generate_key(bit_length=KEY_BYTES * 8)}, key_id, source)

    def to_json(self) -> str:
        """The ring as PEERCOACH_CODEC_KEYS text, the current key listed last (so the text alone says which encrypts)."""
        order = [k for k in self.keys if k != self.current] + [self.current]
        return json.dumps({k: base64.b64encode(self.keys[k]).decode() for k in order})


def key_ring(settings: Settings) -> KeyRing:
    if settings.codec_keys is not None:
        return KeyRing.parse(settings.codec_keys.get_secret_value(), KEYS_SETTING, settings.codec_key_id)
    path = settings.codec_keys_path
    if not path.exists():
        _keep_new_key(path)
    return KeyRing.parse(path.read_text(), str(path), settings.codec_key_id)


def _keep_new_key(path: Path) -> None:
    """Write a new key file readable by its owner only; if another process wrote one first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".codec-keys-")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(KeyRing.generate(str(path)).to_json())
        # A hard link never replaces an existing file: of two processes starting at once
        # (`peercoach dev` and its worker), exactly one key wins and both use it.
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)


class EncryptionCodec(PayloadCodec):
    """`mark_plaintext`: the worker's codec marks each payload that arrived unencrypted (PLAINTEXT), for PlaintextGate."""

    def __init__(self, ring: KeyRing, mark_plaintext: bool = False):
        self.ring = ring
        self.mark_plaintext = mark_plaintext
        self._ciphers = {key_id: AESGCM(key) for key_id, key in ring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        if PLAINTEXT in payload.metadata:  # a payload the worker passes on as it came (a failure's details): sealed, it is encrypted
            payload = Payload(metadata={k: v for k, v in payload.metadata.items() if k != PLAINTEXT}, data=payload.data)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.ring.current].encrypt(nonce, payload.SerializeToString(), None)
        return Payload(metadata={"encoding": ENCRYPTED, KEY_ID: self.ring.current.encode()}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        # Payloads recorded before encryption was turned on pass through, so those histories still replay.
        if payload.metadata.get("encoding") != ENCRYPTED:
            if not self.mark_plaintext:
                return payload
            return Payload(metadata={**payload.metadata, PLAINTEXT: b"1"}, data=payload.data)
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(self.ring.keys)
            raise UnreadablePayload(
                self.ring.source, f"a payload is encrypted with key '{key_id}', which is not in the key ring (keys: {known})"
            )
        try:
            plain = cipher.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], None)
        except InvalidTag:
            raise UnreadablePayload(
                self.ring.source, f"a payload encrypted with key '{key_id}' does not decrypt with the key of that id here"
            ) from None
        decrypted = Payload.FromString(plain)
        if PLAINTEXT in decrypted.metadata:  # it was encrypted: a mark inside is not this payload's
            del decrypted.metadata[PLAINTEXT]
        return decrypted


def data_converter(ring: KeyRing) -> DataConverter:
    """The one data converter: the worker, every client and every Replayer must use it.

    Failure messages and stack traces are encrypted too: a failure can quote what a person wrote.
    """
    return dataclasses.replace(
        pydantic_data_converter, payload_codec=EncryptionCodec(ring), failure_converter_class=DefaultFailureConverterWithEncodedAttributes
    )
