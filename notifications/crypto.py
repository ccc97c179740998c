"""Sealing personal data at rest: AES-GCM with rotating keys, and keyed hashes for matching.

Every sealed value is bound to where it lives by its associated data (table, row id, field and
key id), so a ciphertext copied to another row or field, or relabelled with another key id, fails
to open. The first key of the ring seals new data; every key of the ring opens old data, so keys
rotate by putting a new key first and re-sealing at leisure.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from notifications.settings import NotificationsSettings

NONCE_BYTES = 12


class SealError(RuntimeError):
    """A sealed value does not open: wrong place, unknown key, or tampered. Names no data."""


class Vault:
    """Seals and opens fields, and hashes BSNs and access codes with the installation's keys."""

    def __init__(self, keyring: Sequence[tuple[str, bytes]], hash_key: bytes) -> None:
        if not keyring:
            raise ValueError("the keyring is empty")
        self._ciphers = {kid: AESGCM(key) for kid, key in keyring}
        self.key_id = keyring[0][0]
        self._hash_key = hash_key

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> Vault:
        """The vault of an installation's settings. Entry points build it once and hand it to the
        services that seal or open (`vault=`)."""
        return cls(settings.encryption_keyring(), settings.hash_key_bytes())

    # ------------------------------------------------------------------ sealing

    def seal(self, plaintext: str, *, place: str) -> bytes:
        """Encrypt `plaintext` with the current key for `place` (e.g. ``affected_persons/<id>/name``)."""
        nonce = os.urandom(NONCE_BYTES)
        aad = _aad(place, self.key_id)
        return nonce + self._ciphers[self.key_id].encrypt(nonce, plaintext.encode("utf-8"), aad)

    def seal_bytes(self, plaintext: bytes, *, place: str) -> bytes:
        """`seal` for bytes (a stored letter, a PDF)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._ciphers[self.key_id].encrypt(nonce, plaintext, _aad(place, self.key_id))

    def open(self, sealed: bytes, *, key_id: str, place: str) -> str:
        """Decrypt a value sealed for `place` with key `key_id`; SealError if anything does not match."""
        return self.open_bytes(sealed, key_id=key_id, place=place).decode("utf-8")

    def open_bytes(self, sealed: bytes, *, key_id: str, place: str) -> bytes:
        """Decrypt bytes sealed for `place` with key `key_id`; SealError if anything does not match."""
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealError(f"{place}: sealed with key {key_id!r}, which is not in the keyring")
        if len(sealed) < NONCE_BYTES + 16:
            raise SealError(f"{place}: sealed value is truncated")
        try:
            plain = cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(place, key_id))
        except InvalidTag:
            raise SealError(f"{place}: sealed value does not open (tampered, moved, or wrong key)") from None
        return plain

    # ------------------------------------------------------------------ hashing

    def bsn_hash(self, bsn: str) -> str:
        """The keyed hash that finds one person twice without decrypting anything."""
        return self._hmac(b"bsn:" + bsn.encode("ascii"))

    def code_hash(self, code: str) -> str:
        """The keyed hash an access code is stored as (codes carry 80 bits, so one HMAC is enough)."""
        return self._hmac(b"access-code:" + code.encode("ascii"))

    def _hmac(self, message: bytes) -> str:
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()


def _aad(place: str, key_id: str) -> bytes:
    return f"herstel:{place}:{key_id}".encode()
