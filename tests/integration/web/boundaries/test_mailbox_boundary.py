"""The demo mailbox across organisations: one sink receives everyone's letters, each officer sees
only those of their own organisations (list and message), and mail naming no letter nobody sees."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from notifications.mailbox import store_message
from notifications.services import import_persons, open_vault, start_campaign, unit_of_work
from protocol.services import Principal, create_organisation, create_user, get_principal, register_algorithm
from tests.conftest import set_test_letterhead
from tests.integration.notifications.conftest import (
    CODE,
    Dispatched,
    assessed_incident,
    people,
    persons_file,
    run_letters,
)
from tests.integration.web.pages.conftest import PASSWORD, Browser, app_for
from tests.integration.web.pages.dom import parse

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
def dispatched(herstel: Herstel) -> Iterator[Dispatched]:
    broker = Dispatched()
    herstel.dispatch.connect(broker)
    yield broker
    herstel.dispatch.connect(None)


def officer_of(herstel: Herstel, organisation_id: Any, email: str) -> Principal:
    user_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email=email,
        roles=["officer"],
        organisation_id=organisation_id,
        password=PASSWORD,
    )
    return get_principal(uow=herstel.uow(), user_id=user_id)


def send_letters(mailing: Herstel, officer: Principal, surname: str, broker: Dispatched, clock: Any) -> None:
    algorithm = register_algorithm(uow=mailing.uow(), principal=officer, name=f"Model {surname}", lars=None)
    incident = assessed_incident(mailing, officer, algorithm, "established")
    readers = people(3, language=lambda i: "nl")
    for i, reader in enumerate(readers):
        reader["name"] = f"Lezer {surname}-{i}"
        reader["email"] = f"lezer{i}@{surname.lower()}.example.nl"
    import_persons(
        uow=unit_of_work(mailing),
        vault=open_vault(mailing.settings),
        max_bytes=mailing.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=persons_file(readers),
    )
    set_test_letterhead(mailing, next(iter(officer.memberships)))  # a campaign needs its organisation's letterhead
    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification")
    run_letters(mailing, broker, clock)


def test_an_officer_sees_only_the_letters_of_their_own_organisation(
    herstel: Herstel,
    make_user: Callable[..., Principal],
    smtp_server: Any,
    dispatched: Dispatched,
    clock: Any,
) -> None:
    mailing = replace(
        herstel, settings=replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    )
    officer_a = make_user("officer", password=PASSWORD, email="officer@alfa.example.nl")
    org_b = create_organisation(uow=herstel.uow(), slug="orgb", name="Organisatie B", reference_prefix="ORGB")
    officer_b = officer_of(herstel, org_b, "officer@beta.example.nl")
    send_letters(mailing, officer_a, "Alfa", dispatched, clock)
    send_letters(mailing, officer_b, "Beta", dispatched, clock)
    inbox = Path(mailing.settings.data_dir) / "mail"
    shutil.copytree(smtp_server.folder, inbox)  # what the demo's sink would have kept
    store_message(inbox, b"To: lezer0@alfa.example.nl\r\nSubject: no letter\r\n\r\nUw code: AAAA-BBBB-CCCC-DDDD\r\n")
    app = app_for(mailing, HERSTEL_MAILBOX=True)
    browser_a = Browser(app, officer_a).sign_in()
    browser_b = Browser(app, officer_b).sign_in()

    def listed(browser: Browser) -> dict[str, str]:
        page = browser.page("/mailbox")
        return {a["href"]: a.text for a in page.one("tbody").select("a")} | {"caption": page.one("caption").text}

    seen_a, seen_b = listed(browser_a), listed(browser_b)
    assert seen_a["caption"] == seen_b["caption"] == "3 berichten"
    html_b = browser_b.get("/mailbox").get_data(as_text=True)
    assert "alfa.example.nl" not in html_b
    assert "beta.example.nl" in html_b
    for href in [h for h in seen_a if h != "caption"]:
        mail = browser_a.get(href).get_data(as_text=True)
        assert "Lezer Alfa" in mail
        code = CODE.search(mail)
        assert code
        assert code.group(1) not in html_b
        refused = browser_b.get(href)  # org B's officer opens org A's letter by its id
        assert refused.status_code == 404
        body = refused.get_data(as_text=True)
        assert "Lezer Alfa" not in body
        assert code.group(1) not in body
    for href in [h for h in seen_b if h != "caption"]:
        assert "Lezer Beta" in parse(browser_b.get(href).get_data(as_text=True)).text
        assert browser_a.get(href).status_code == 404
    unknown = sorted(inbox.glob("*.eml"))[-1].stem  # the message that names no letter
    assert browser_a.get(f"/mailbox/{unknown}").status_code == 404
    assert browser_b.get(f"/mailbox/{unknown}").status_code == 404
