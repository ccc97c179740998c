"""Configuration from the environment and an optional file: precedence, types, keys, and clear refusals."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from installation.settings import Settings, load_settings
from protocol.config import ConfigError

B64_32 = base64.b64encode(bytes(range(32))).decode()
KEYS = {
    "HERSTEL_SECRET_KEY": "s3cret",
    "HERSTEL_ENCRYPTION_KEYS": f"k1:{B64_32}",
    "HERSTEL_HASH_KEY": B64_32,
    "HERSTEL_SIGNING_KEY": B64_32,
}


def test_defaults_need_nothing_but_a_data_directory(tmp_path: Path) -> None:
    settings = load_settings({"HERSTEL_DATA_DIR": str(tmp_path)})

    assert settings.env == "development"
    assert not settings.production
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path.resolve() / 'herstel.db'}"
    assert settings.smtp_port == 25


def test_environment_variables_are_typed(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "HERSTEL_DATA_DIR": str(tmp_path),
            "HERSTEL_SMTP_PORT": "2525",
            "HERSTEL_SMTP_STARTTLS": "yes",
            "HERSTEL_SMTP_TIMEOUT": "2.5",
            "HERSTEL_DATABASE_URL": "postgresql+psycopg://db/herstel",
        }
    )

    assert (settings.smtp_port, settings.smtp_starttls, settings.smtp_timeout) == (2525, True, 2.5)
    assert settings.resolved_database_url() == "postgresql+psycopg://db/herstel"


def test_the_environment_wins_over_the_file_and_overrides_win_over_both(tmp_path: Path) -> None:
    config = tmp_path / "herstel.toml"
    config.write_text('smtp_host = "file.example"\nsmtp_port = 587\nlog_level = "DEBUG"\n', "utf-8")
    environ = {
        "HERSTEL_CONFIG_FILE": str(config),
        "HERSTEL_DATA_DIR": str(tmp_path),
        "HERSTEL_SMTP_HOST": "env.example",
    }

    settings = load_settings(environ, log_level="WARNING", base_url=None)

    assert (settings.smtp_host, settings.smtp_port, settings.log_level) == ("env.example", 587, "WARNING")
    assert settings.base_url == "http://127.0.0.1:8000", "an override of None leaves the setting alone"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"HERSTEL_SMTP_PORT": "twenty-five"}, "HERSTEL_SMTP_PORT must be a int"),
        ({"HERSTEL_SMTP_TIMEOUT": "soon"}, "HERSTEL_SMTP_TIMEOUT must be a float"),
        ({"HERSTEL_SMTP_STARTTLS": "ture"}, "HERSTEL_SMTP_STARTTLS"),
        ({"HERSTEL_CONFIG_FILE": "/nonexistent/herstel.toml"}, "HERSTEL_CONFIG_FILE /nonexistent/herstel.toml"),
    ],
)
def test_a_malformed_setting_is_refused_by_name(tmp_path: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"HERSTEL_DATA_DIR": str(tmp_path), **environ})


def test_a_boolean_accepts_the_usual_spellings(tmp_path: Path) -> None:
    for text, expected in [("1", True), ("true", True), ("ON", True), ("0", False), ("false", False), ("no", False)]:
        settings = load_settings({"HERSTEL_DATA_DIR": str(tmp_path), "HERSTEL_SMTP_STARTTLS": text})
        assert settings.smtp_starttls is expected, text


def test_an_unknown_setting_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "herstel.toml"
    config.write_text('smtp_hots = "typo"\n', "utf-8")

    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"HERSTEL_CONFIG_FILE": str(config), "HERSTEL_DATA_DIR": str(tmp_path)})


def test_a_config_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "herstel.toml"
    config.write_text("smtp_host = \n", "utf-8")

    with pytest.raises(ConfigError, match="HERSTEL_CONFIG_FILE"):
        load_settings({"HERSTEL_CONFIG_FILE": str(config), "HERSTEL_DATA_DIR": str(tmp_path)})


def test_an_unknown_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting\\(s\\): colour"):
        load_settings({"HERSTEL_DATA_DIR": str(tmp_path)}, colour="red")


# ---------------------------------------------------------------------- keys


def test_production_refuses_to_start_without_its_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"HERSTEL_ENV": "production", "HERSTEL_DATA_DIR": str(tmp_path), "HERSTEL_HASH_KEY": B64_32})

    message = str(caught.value)
    assert "HERSTEL_SECRET_KEY" in message
    assert "HERSTEL_ENCRYPTION_KEYS" in message
    assert "HERSTEL_SIGNING_KEY" in message
    assert "HERSTEL_HASH_KEY" not in message
    assert not (tmp_path / "keys").exists(), "production never generates keys"


def test_production_starts_with_its_keys(tmp_path: Path) -> None:
    settings = load_settings({"HERSTEL_ENV": "production", "HERSTEL_DATA_DIR": str(tmp_path), **KEYS})

    assert settings.production
    assert settings.signing_key_bytes() == bytes(range(32))


def test_development_generates_each_missing_key_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    first = load_settings({"HERSTEL_DATA_DIR": str(tmp_path)})
    second = load_settings({"HERSTEL_DATA_DIR": str(tmp_path)})

    for name in ("secret_key", "encryption_keys", "hash_key", "signing_key"):
        assert getattr(first, name) == getattr(second, name), name
        path = tmp_path / "keys" / name
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first.signing_key_bytes()) == 32
    assert len(first.hash_key_bytes()) == 32
    ((kid, key),) = first.encryption_keyring()
    assert (kid, len(key)) == ("dev1", 32)
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == sorted(
        ["secret_key", "encryption_keys", "hash_key", "signing_key"]
    ), "no staging files are left behind"


def test_a_configured_key_is_used_and_not_generated(tmp_path: Path) -> None:
    settings = load_settings({"HERSTEL_DATA_DIR": str(tmp_path), "HERSTEL_SIGNING_KEY": B64_32})

    assert settings.signing_key == B64_32
    assert not (tmp_path / "keys" / "signing_key").exists()


def test_the_keyring_keeps_its_order() -> None:
    other = base64.b64encode(bytes(32)).decode()
    settings = Settings(encryption_keys=f"new:{B64_32}, old:{other}")

    assert [kid for kid, _ in settings.encryption_keyring()] == ["new", "old"]


@pytest.mark.parametrize(
    ("settings", "call", "message"),
    [
        (Settings(encryption_keys=""), "encryption_keyring", "HERSTEL_ENCRYPTION_KEYS is not set"),
        (Settings(encryption_keys="k1:" + base64.b64encode(b"short").decode()), "encryption_keyring", "32 bytes"),
        (Settings(encryption_keys=f":{B64_32}"), "encryption_keyring", "kid:base64"),
        (Settings(encryption_keys="k1:not base64!"), "encryption_keyring", "not valid base64"),
        (Settings(hash_key=base64.b64encode(b"short").decode()), "hash_key_bytes", "at least 32 bytes"),
        (Settings(signing_key=base64.b64encode(bytes(31)).decode()), "signing_key_bytes", "32-byte"),
        (Settings(signing_key="%%%"), "signing_key_bytes", "HERSTEL_SIGNING_KEY is not valid base64"),
    ],
)
def test_malformed_keys_are_refused_by_name(settings: Settings, call: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        getattr(settings, call)()
