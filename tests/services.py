"""Reaching the real services tests need: PostgreSQL, Redis.

A test that needs a service it cannot reach is skipped locally and fails when
HERSTEL_REQUIRE_SERVICES=1 (as in CI), so a missing service can never pass silently.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_ADMIN_URL = os.environ.get("HERSTEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HERSTEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def required() -> bool:
    return os.environ.get("HERSTEL_REQUIRE_SERVICES") == "1"


def unavailable(service: str, reason: str) -> None:
    """Skip (locally) or fail (CI) a test whose service is missing."""
    message = f"{service} is not reachable: {reason}"
    if required():
        pytest.fail(message + " (HERSTEL_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@contextmanager
def fresh_postgres_database(prefix: str = "herstel_t") -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration of the block; its URL."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        unavailable("PostgreSQL", str(error.orig).strip().splitlines()[0])
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
