"""`herstel up` (waitress, SQLite) and `herstel web` (gunicorn, PostgreSQL) serve the app."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel, bootstrap, upgrade_database
from protocol.services import Principal, create_token, create_user, ensure_default_organisation
from tests.conftest import make_settings
from tests.services import fresh_postgres_database

HERSTEL = str(Path(sys.executable).parent / "herstel")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(arguments: list[str], environment: dict[str, str], port: int) -> Iterator[str]:
    """Run `herstel ...` until it answers /healthz; stop it (and only it) afterwards."""
    log = Path(environment["HERSTEL_DATA_DIR"]) / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [HERSTEL, *arguments], env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "no answer in 60 s:\n" + log.read_text()
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def get(url: str, token: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.mark.slow
def test_herstel_up_serves_pages_and_api(tmp_path: Path) -> None:
    port = free_port()
    environment = {**os.environ, "HERSTEL_DATA_DIR": str(tmp_path)}
    environment.pop("HERSTEL_DATABASE_URL", None)
    environment.pop("HERSTEL_REDIS_URL", None)
    with serving(["up", "--data-dir", str(tmp_path), "--port", str(port)], environment, port) as url:
        status, kind, html = get(f"{url}/login")
        assert (status, kind.split(";")[0]) == (200, "text/html")
        assert 'name="csrf_token"' in html
        status, kind, body = get(f"{url}/api/v1/me")
        assert (status, kind) == (401, "application/problem+json")
        status, _, body = get(f"{url}/api/v1/openapi.json")
        assert status == 200
        assert "/api/v1/incidents" in json.loads(body)["paths"]


@pytest.mark.slow
@pytest.mark.postgres
def test_herstel_web_serves_the_api_with_gunicorn_on_postgresql(tmp_path: Path) -> None:
    with fresh_postgres_database() as database_url:
        herstel = bootstrap(make_settings(tmp_path, database_url))
        upgrade_database(herstel=herstel)
        organisation = ensure_default_organisation(uow=herstel.uow())
        create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email="web@example.nl",
            roles=["officer"],
            organisation_id=organisation,
        )
        token = create_token(uow=herstel.uow(), by=Principal.installation(), email="web@example.nl").secret
        settings = herstel.settings
        herstel.close()
        port = free_port()
        environment = {
            **os.environ,
            "HERSTEL_DATABASE_URL": database_url,
            "HERSTEL_DATA_DIR": str(tmp_path),
            "HERSTEL_SECRET_KEY": settings.secret_key,
            "HERSTEL_ENCRYPTION_KEYS": settings.encryption_keys,
            "HERSTEL_HASH_KEY": settings.hash_key,
            "HERSTEL_SIGNING_KEY": settings.signing_key,
        }
        environment.pop("HERSTEL_REDIS_URL", None)
        arguments = ["web", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"]
        with serving(arguments, environment, port) as url:
            status, _, body = get(f"{url}/api/v1/me", token)
            assert status == 200
            assert json.loads(body)["email"] == "web@example.nl"
            status, kind, _ = get(f"{url}/api/v1/incidents", "hst_not-a-token")
            assert (status, kind) == (401, "application/problem+json")


@pytest.fixture
def embedded(herstel: Herstel) -> Iterator[tuple[str, int]]:
    """`herstel up`'s own waitress server, on a free port in a thread, over the installation under test."""
    from cli.serve import embedded_server
    from web import create_app

    server = embedded_server(create_app(herstel=herstel), settings=herstel.settings, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", int(server.effective_port)
    finally:
        server.trigger.pull_trigger(server.close)  # closed in its own loop: a select() is not pulled from under it
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()


@pytest.mark.parametrize("backend", ["sqlite"])  # as `herstel up` runs
def test_the_embedded_server_refuses_a_body_over_the_limit_from_its_headers(
    herstel: Herstel, embedded: tuple[str, int]
) -> None:
    claimed = 150 * 1024 * 1024
    assert claimed > herstel.settings.max_body_bytes
    connection = http.client.HTTPConnection(*embedded, timeout=10)
    started = time.monotonic()
    connection.putrequest("POST", "/api/v1/incidents")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(claimed))
    connection.endheaders(b"{" + b" " * 65_536)  # a start, not the 150 MB: the answer must not wait for them
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Connection") == "close"
    response.read()
    assert time.monotonic() - started < 5
    connection.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_behind_the_embedded_server_a_json_body_over_1_mb_is_the_apps_413(
    herstel: Herstel, embedded: tuple[str, int], make_user: Any
) -> None:
    token = create_token(
        uow=herstel.uow(), by=Principal.installation(), email=make_user("officer").email, name="t"
    ).secret
    title = json.dumps({"title": "x" * (2 * 1024 * 1024)}).encode()
    for chunked in (False, True):
        connection = http.client.HTTPConnection(*embedded, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body: Any = iter([title[i : i + 65_536] for i in range(0, len(title), 65_536)]) if chunked else title
        connection.request("POST", "/api/v1/incidents", body=body, headers=headers, encode_chunked=chunked)
        response = connection.getresponse()
        assert response.status == 413, (chunked, response.read()[:300])
        assert response.getheader("Content-Type") == "application/problem+json"
        response.read()
        connection.close()
