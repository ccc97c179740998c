"""Fixtures shared by every tier: settings, installations on SQLite and PostgreSQL, users."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel, Settings, bootstrap, upgrade_database
from notifications.services import set_letterhead
from protocol.services import Principal, create_user, ensure_default_organisation, get_principal, register_algorithm
from tests.services import fresh_postgres_database


class Clock:
    """A clock tests can move; the installation reads time only through it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_settings(data_dir: Path, database_url: str, **extra: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=str(data_dir),
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        encryption_keys="t1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        hash_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        signing_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        **extra,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One fresh PostgreSQL database for the test session."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (migrations, triggers)."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database on each backend: SQLite in a temp dir, PostgreSQL in a new database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'herstel.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def herstel(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Herstel]:
    """A migrated installation with the default organisation and its letterhead, on the backend under test."""
    installation = bootstrap(make_settings(tmp_path, database_url), clock=clock)
    upgrade_database(herstel=installation)
    set_test_letterhead(installation, DEFAULT_ORGANISATION)
    yield installation
    installation.close()


DEFAULT_ORGANISATION = uuid.UUID("00000000-0000-4000-8000-000000000001")
TEST_LETTERHEAD = {
    "name": "Gemeente Voorbeeldstad",
    "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
    "phone": "14 020",
    "signatory_name": "J. de Vries",
    "signatory_title": "directeur Dienstverlening",
}


def set_test_letterhead(herstel: Herstel, organisation_id: uuid.UUID, **values: str) -> None:
    """Give an organisation the letterhead a campaign needs (its letters must say where to write and
    whom to call), as its administrator would before the first letters go out."""
    set_letterhead(
        uow=herstel.uow(),
        principal=Principal.installation(),
        organisation_id=organisation_id,
        values={**TEST_LETTERHEAD, **values},
    )


@pytest.fixture
def make_user(herstel: Herstel) -> Callable[..., Principal]:
    """Create a user with roles in the default organisation and return their principal."""
    organisation_id = ensure_default_organisation(uow=herstel.uow())

    def make(*roles: str, email: str | None = None, password: str | None = None) -> Principal:
        email = email or f"{'-'.join(roles)}-{secrets.token_hex(4)}@example.nl"
        user_id = create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email=email,
            roles=list(roles),
            organisation_id=organisation_id,
            password=password,
        )
        return get_principal(uow=herstel.uow(), user_id=user_id)

    return make


@pytest.fixture
def officer(make_user: Callable[..., Principal]) -> Principal:
    return make_user("officer")


@pytest.fixture
def coordinator(make_user: Callable[..., Principal]) -> Principal:
    return make_user("coordinator")


@pytest.fixture
def algorithm(herstel: Herstel, officer: Principal) -> dict[str, Any]:
    return register_algorithm(uow=herstel.uow(), principal=officer, name="Risicomodel", lars="12345670")


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) in its own process on a free port; see tests/smtp.py."""
    from tests.smtp import SmtpServer

    server = SmtpServer(tmp_path / "smtp")
    server.start()
    yield server
    server.stop()
