"""Browser tests: Debian's Chromium driven by Playwright against a real server on PostgreSQL.

The server is the real app behind werkzeug's threaded server on a free port; the browser is
/usr/bin/chromium (never a downloaded one). Every page a test visits is photographed into
test-artifacts/screenshots/ and checked with axe-core (bundled, no network).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

from installation import Herstel, bootstrap, upgrade_database
from protocol.services import (
    Principal,
    authenticate_password,
    create_user,
    ensure_default_organisation,
    get_principal,
    register_algorithm,
)
from tests.conftest import make_settings, set_test_letterhead
from tests.integration.notifications.conftest import CODE, Dispatched, people, run_letters, start_notification
from tests.services import fresh_postgres_database, unavailable
from tests.smtp import SmtpServer

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
def mailed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, SmtpServer]]:
    """The site, mailing a real SMTP server of the module's own."""
    data = tmp_path_factory.mktemp("e2e-mailed")
    smtp = SmtpServer(data / "mail")
    smtp.start()
    try:
        with serve_site(data, smtp_host=smtp.host, smtp_port=smtp.port) as site:
            yield site, smtp
    finally:
        smtp.stop()


def staff(site: Site, role: str) -> Principal:
    """The site's member of staff in `role`, signed in through the services (not the browser)."""
    found = authenticate_password(uow=site.herstel.uow(), email=site.users[role], password=PASSWORD)
    assert found is not None
    return found


def sign_in(context: BrowserContext, site: Site, who: str, audit: Audit | None = None) -> Page:
    """Sign in on the Dutch login page, in a new page of `context`, as `who` (a role of the site's
    staff, or an e-mail address) with the test password; returns the page, on the start page. With
    `audit`, the start page is checked as `<who>-dashboard`."""
    page = context.new_page()
    page.goto(site.url + "/login")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_label("E-mailadres").fill(site.users.get(who, who))
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    page.wait_for_url(site.url + "/")
    if audit is not None:
        audit.check(page, f"{who}-dashboard")
    return page


class NoClock:
    """The clock `run_letters` moves past a retry's delay: the site runs on the real clock, so a
    retry's delay is not waited for here."""

    def advance(self, **_: float) -> None:
        return None


def deliver(site: Site) -> None:
    """The letter workers' part: publish the events and send every letter they dispatch."""
    broker = Dispatched()
    site.herstel.dispatch.connect(broker)
    try:
        run_letters(site.herstel, broker, NoClock())
    finally:
        site.herstel.dispatch.connect(None)


def notify_one_reader(site: Site, smtp: SmtpServer, incident_id: uuid.UUID) -> EmailMessage:
    """Import one Dutch reader with an e-mail address into the incident and send the notification
    (the officer's campaign, the workers' delivery); returns that e-mail, the only one `smtp` has."""
    start_notification(site.herstel, staff(site, "officer"), incident_id, people(1, language=lambda i: "nl"))
    deliver(site)
    (mail,) = smtp.messages()
    return mail


def mail_code(mail: EmailMessage) -> str:
    """The personal code printed in a letter's e-mail."""
    found = CODE.search(mail.get_body(("plain",)).get_content())
    assert found, "the e-mail carries no code"
    return found.group(1)


def open_letter(page: Page, site: Site, mail: EmailMessage) -> None:
    """Enter the code printed in `mail` on the citizen's code page; lands on the letter."""
    page.goto(site.url + "/citizen")
    page.get_by_label("Uw persoonlijke code").fill(mail_code(mail))
    page.get_by_role("button", name="Mijn brief openen").click()
    page.wait_for_url(site.url + "/citizen/letter")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
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
