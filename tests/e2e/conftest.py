"""Browser tests: Debian's Chromium driven by Playwright against a real server on PostgreSQL.

The server is the real app behind werkzeug's threaded server on a free port; the browser is
/usr/bin/chromium (never a downloaded one). Every page a test visits is photographed into
test-artifacts/screenshots/ and checked with axe-core (bundled, no network).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel, bootstrap, upgrade_database
from protocol.services import Principal, create_user, ensure_default_organisation, get_principal, register_algorithm
from tests.conftest import make_settings, set_test_letterhead
from tests.services import fresh_postgres_database, unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"
BLOCKING = ("serious", "critical")


@dataclass
class Site:
    """The running installation: its address, the installation itself, and its staff."""

    url: str
    herstel: Herstel
    users: dict[str, str]  # role → email


@contextmanager
def serve_site(data_dir: Path, *, config: dict[str, Any] | None = None, **settings: Any) -> Iterator[Site]:
    """A migrated installation on a fresh PostgreSQL database, served on a free port.

    `settings` override the installation's settings (e.g. its SMTP server), `config` the app's.
    """
    from werkzeug.serving import make_server

    from web import create_app

    with fresh_postgres_database() as url:
        herstel = bootstrap(make_settings(data_dir, url, **settings))
        upgrade_database(herstel=herstel)
        organisation = ensure_default_organisation(uow=herstel.uow())
        set_test_letterhead(herstel, organisation)
        users = {
            "officer": "olga.devries@gemeente.example",
            "coordinator": "cor.jansen@gemeente.example",
            "investigator": "ivo.bakker@onderzoeksbureau.example",
        }
        names = {"officer": "Olga de Vries", "coordinator": "Cor Jansen", "investigator": "Ivo Bakker"}
        ids = {
            role: create_user(
                uow=herstel.uow(),
                by=Principal.installation(),
                email=email,
                roles=[role],
                organisation_id=organisation,
                password=PASSWORD,
                display_name=names[role],
            )
            for role, email in users.items()
        }
        officer = get_principal(uow=herstel.uow(), user_id=ids["officer"])
        register_algorithm(
            uow=herstel.uow(), principal=officer, name="Risicomodel bijzondere bijstand", lars="12345670"
        )
        server = make_server("127.0.0.1", 0, create_app(config, herstel=herstel), threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
        thread.start()
        try:
            yield Site(f"http://127.0.0.1:{server.server_port}", herstel, users)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            herstel.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A migrated installation on a fresh PostgreSQL database, served on a free port."""
    with serve_site(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        unavailable("Chromium", f"{CHROMIUM} is not installed (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Audit:
    """Screenshots and axe results of every page one test visited (file names start with `prefix`)."""

    folder: Path
    prefix: str
    log: list[dict[str, Any]]
    results: list[dict[str, Any]] = field(default_factory=list)

    def check(self, page: Any, name: str) -> list[dict[str, Any]]:
        """Photograph the page and run axe on it; returns its serious and critical violations."""
        from axe_playwright_python.sync_playwright import Axe

        label = f"{self.prefix}-{len(self.results) + 1:02d}-{name}"
        page.screenshot(path=str(self.folder / f"{label}.png"), full_page=True)
        response = Axe().run(page).response
        violations = [
            {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"]}
            for v in response["violations"]
        ]
        result = {"page": label, "url": page.url, "violations": violations, "passes": len(response["passes"])}
        self.results.append(result)
        self.log.append(result)
        return [v for v in violations if v["impact"] in BLOCKING]

    def blocking(self) -> list[tuple[str, dict[str, Any]]]:
        """Every serious or critical violation this test met, with the page it was on."""
        return [(r["page"], v) for r in self.results for v in r["violations"] if v["impact"] in BLOCKING]


@pytest.fixture(scope="session")
def audit_log() -> Iterator[list[dict[str, Any]]]:
    """All axe results of the session, written to test-artifacts/axe.json at its end."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    log: list[dict[str, Any]] = []
    yield log
    (ARTIFACTS / "axe.json").write_text(json.dumps(log, indent=2), "utf-8")


@pytest.fixture
def audit(request: pytest.FixtureRequest, audit_log: list[dict[str, Any]]) -> Audit:
    prefix = request.node.originalname.removeprefix("test_").replace("_", "-")
    return Audit(ARTIFACTS / "screenshots", prefix, audit_log)
