"""The settings of the letters: the keys that seal personal data, the SMTP server, delivery timing."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.config import ConfigError, ProtocolSettings, decode_key


@dataclass(frozen=True)
class NotificationsSettings(ProtocolSettings):
    """The protocol's settings and those the notifications read."""

    encryption_keys: str = ""  # "kid:base64key[,kid:base64key...]"; the first encrypts, all decrypt
    hash_key: str = ""  # base64; keys the BSN hash used to find duplicates
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "Herstel <noreply@herstel.invalid>"
    letter_retry_seconds: float = 60.0  # first wait after a temporary email failure; doubles per attempt
    letter_lease_seconds: float = 600.0  # a letter held this long by a worker that went silent is sent again

    def encryption_keyring(self) -> list[tuple[str, bytes]]:
        """(key id, 32-byte key) pairs; the first is the one new data is encrypted with."""
        ring = []
        for part in filter(None, (p.strip() for p in self.encryption_keys.split(","))):
            kid, _, b64 = part.partition(":")
            key = decode_key(b64, "encryption_keys")
            if not kid or len(key) != 32:
                raise ConfigError("HERSTEL_ENCRYPTION_KEYS: each entry is kid:base64 of 32 bytes")
            ring.append((kid, key))
        if not ring:
            raise ConfigError("HERSTEL_ENCRYPTION_KEYS is not set")
        return ring

    def hash_key_bytes(self) -> bytes:
        key = decode_key(self.hash_key, "hash_key")
        if len(key) < 32:
            raise ConfigError("HERSTEL_HASH_KEY: base64 of at least 32 bytes")
        return key
