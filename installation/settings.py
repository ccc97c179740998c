"""Configuration: from environment variables and an optional TOML file, never from the repository.

Every setting has an environment variable `HERSTEL_<NAME>`; `HERSTEL_CONFIG_FILE` may point to a
TOML file with the same names in lower case (the environment wins). Outside production, keys that
are not configured are generated once into the data directory (mode 0600), so that `herstel demo`
runs on a fresh machine; in production a missing key is an error at start.

`Settings` composes each package's own settings: the protocol's (`protocol.config`), the
notifications' (`notifications.settings`), and the web's and the workers' below. Each package
reads only its part; the names and defaults are those of docs/operations.md.
"""

from __future__ import annotations

import base64
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from notifications.settings import NotificationsSettings
from protocol.config import ConfigError
from protocol.files import private_dir

SECRET_SETTINGS = ("secret_key", "encryption_keys", "hash_key", "signing_key")


@dataclass(frozen=True)
class WebSettings:
    """What `herstel web` reads (beside the protocol's and the notifications' settings)."""

    secret_key: str = ""  # signs the session cookies
    proxy_hops: int = 0  # reverse proxies in front of `herstel web` whose X-Forwarded-* headers are trusted


@dataclass(frozen=True)
class WorkerSettings:
    """What the broker, the workers and the scheduler read."""

    redis_url: str = ""  # empty: the embedded in-process broker
    broker_namespace: str = "herstel"  # prefix of the broker's Redis keys; several installations can share a Redis
    scheduler_lease_seconds: float = 60.0  # a scheduler silent this long loses its lease to another (takeover)
    scheduler_sweep_seconds: float = 60.0  # how often the scheduler enqueues a deadline sweep


@dataclass(frozen=True)
class Settings(NotificationsSettings, WebSettings, WorkerSettings):
    """Everything Herstel reads from its environment."""


__all__ = ["ConfigError", "Settings", "WebSettings", "WorkerSettings", "load_settings"]


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from a config file (optional) and the environment; `overrides` win over both."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_file = environ.get("HERSTEL_CONFIG_FILE")
    if config_file:
        try:
            values.update(tomllib.loads(Path(config_file).read_text("utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"HERSTEL_CONFIG_FILE {config_file}: {error}") from None
    known = {f.name: f for f in fields(Settings) if f.name != "extra"}
    for name in known:
        env_value = environ.get(f"HERSTEL_{name.upper()}")
        if env_value is not None:
            values[name] = env_value
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    typed = {name: _typed(name, known[name].type, value) for name, value in values.items()}
    settings = Settings(**typed)
    return _with_keys(settings)


def _typed(name: str, kind: Any, value: Any) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
                raise ValueError(text)  # a typo must not quietly turn a setting such as STARTTLS off
            return text in ("1", "true", "yes", "on")
    except ValueError:
        raise ConfigError(f"HERSTEL_{name.upper()} must be a {kind}") from None
    return str(value)


def _with_keys(settings: Settings) -> Settings:
    missing = [name for name in SECRET_SETTINGS if not getattr(settings, name)]
    if not missing:
        return settings
    if settings.production:
        raise ConfigError("production needs " + ", ".join(f"HERSTEL_{m.upper()}" for m in missing))
    keys: dict[str, Any] = {name: _dev_key(settings.data_dir, name) for name in missing}
    return replace(settings, **keys)


def _dev_key(data_dir: str, name: str) -> str:
    """A key generated once for this data directory, for development and the demo only."""
    folder = private_dir(Path(data_dir) / "keys")
    path = folder / name
    if not path.exists():
        if name == "encryption_keys":
            value = "dev1:" + base64.b64encode(secrets.token_bytes(32)).decode()
        elif name == "secret_key":
            value = secrets.token_urlsafe(48)
        else:
            value = base64.b64encode(secrets.token_bytes(32)).decode()
        staging = folder / f".{name}.{os.getpid()}"
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        try:
            os.link(staging, path)  # atomic: of two processes starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            staging.unlink()
    return path.read_text().strip()
