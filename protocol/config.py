"""The settings the protocol itself reads: where its data lives, which database, its signing key.

An installation composes these with the settings of the packages built on the protocol
(`notifications.settings`, and the web's and the workers' in `installation.settings`), which also
reads them from the environment (`HERSTEL_<NAME>`) and an optional TOML file.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting."""


@dataclass(frozen=True)
class ProtocolSettings:
    """What the protocol's storage and services need from the installation's settings."""

    env: str = "development"  # "production" turns on strict keys and secure cookies
    data_dir: str = "var"
    database_url: str = ""  # default: SQLite in data_dir
    base_url: str = "http://127.0.0.1:8000"
    signing_key: str = ""  # base64 raw Ed25519 private key for checkpoints
    max_body_bytes: int = 50 * 1024 * 1024
    log_level: str = "INFO"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'herstel.db'}"

    def signing_key_bytes(self) -> bytes:
        key = decode_key(self.signing_key, "signing_key")
        if len(key) != 32:
            raise ConfigError("HERSTEL_SIGNING_KEY: base64 of a raw 32-byte Ed25519 private key")
        return key


def decode_key(value: str, name: str) -> bytes:
    """A base64 setting's bytes; ConfigError naming the setting when it is not base64."""
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise ConfigError(f"HERSTEL_{name.upper()} is not valid base64") from None
