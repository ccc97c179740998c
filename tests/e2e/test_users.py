"""An administrator gives an oversight body a second organisation from the users page; the body accepts
on its start page and then supervises that organisation too. Every page checked with axe-core; the
screenshots are test-artifacts/screenshots/an-overseer-*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from protocol.services import (
    Principal,
    create_organisation,
    create_user,
    ensure_default_organisation,
    get_principal,
    register_algorithm,
    report_incident,
)
from tests.e2e.conftest import PASSWORD, Audit, Site, sign_in
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.slow]
ADMIN = "anna.beheer@gemeente.example"
BODY = "toezicht@rekenkamer.example"


def account(site: Site, email: str, name: str, *grants: tuple[str, Any]) -> Principal:
    user_id = None
    for role, organisation_id in grants:
        user_id = create_user(
            uow=site.herstel.uow(),
            by=Principal.installation(),
            email=email,
            roles=[role],
            organisation_id=organisation_id,
            display_name=name,
            password=PASSWORD if user_id is None else None,
        )
    assert user_id is not None
    return get_principal(uow=site.herstel.uow(), user_id=user_id)


def test_an_overseer_is_given_a_second_organisation(
    chromium: Any, mailed: tuple[Site, SmtpServer], audit: Audit
) -> None:
    site, smtp = mailed
    herstel = site.herstel
    home = ensure_default_organisation(uow=herstel.uow())
    bravo = create_organisation(uow=herstel.uow(), slug="bravo", name="Gemeente Bravo", reference_prefix="BRA")
    account(site, ADMIN, "Anna Beheer", ("admin", home), ("admin", bravo))
    account(site, BODY, "Rekenkamer", ("oversight", home))
    officer = account(site, "bart@bravo.example", "Bart Bravo", ("officer", bravo))
    algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Parkeerboetemodel Bravo")
    incident = report_incident(
        uow=herstel.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Boetes vaker in één wijk",
        description="Signaal van een raadslid.",
        source="employee",
        detected_at=herstel.clock() - timedelta(days=1),
        protected_grounds=["ethnicity"],
    )

    overseer_context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    overseer = sign_in(overseer_context, site, BODY)
    overseer.goto(site.url + "/oversight")
    assert incident["reference"] not in overseer.locator("main").inner_text()  # Bravo is not theirs yet

    admin_context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    admin = sign_in(admin_context, site, ADMIN)
    admin.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Gebruikers").click()
    admin.wait_for_url(site.url + "/users")
    row = admin.locator("tr", has=admin.get_by_role("rowheader", name="Rekenkamer"))
    assert "Standaardorganisatie" in row.inner_text()
    assert "Gemeente Bravo" not in row.locator(".membership").inner_text()
    audit.check(admin, "users")

    # an invitation without an address or a role: the form comes back with each problem, in Dutch
    admin.get_by_role("button", name="Uitnodiging versturen").click()
    summary = admin.locator(".error-summary")
    assert "Geen geldig e-mailadres." in summary.inner_text()
    assert "Kies een of meer rollen: Incidentbehandelaar" in summary.inner_text()
    audit.check(admin, "refused")
    row = admin.locator("tr", has=admin.get_by_role("rowheader", name="Rekenkamer"))

    # each control's name also says whose row it is in (hidden text), so row by row they differ
    row.get_by_label(re.compile(r"^Toegang geven tot een andere organisatie\W+Rekenkamer$")).select_option(
        label="Gemeente Bravo"
    )
    row.get_by_role("button", name=re.compile(r"^Uitnodigen als toezichthouder\W+Rekenkamer$")).click()
    admin.wait_for_url(re.compile(r"/users#user-"))
    assert (
        "toezicht@rekenkamer.example is uitgenodigd als Toezichthouder (Gemeente Bravo)"
        in admin.locator(".messages").inner_text()
    )
    waiting = admin.locator(
        "section", has=admin.get_by_role("heading", name="Uitnodigingen die nog niet zijn aangenomen")
    )
    assert "Gemeente Bravo" in waiting.inner_text()
    audit.check(admin, "invited")
    (mail,) = smtp.messages()
    assert mail["To"] == BODY
    assert "/invitations/" in mail.get_body(("plain",)).get_content()

    overseer.goto(site.url + "/")
    invitations = overseer.locator("section", has=overseer.get_by_role("heading", name="Uitnodigingen voor u"))
    assert "Gemeente Bravo nodigt u uit als Toezichthouder" in invitations.inner_text()
    audit.check(overseer, "invitation")
    overseer.get_by_role("button", name=re.compile(r"^Aannemen\W+Gemeente Bravo$")).click()
    overseer.wait_for_url(site.url + "/")
    assert "De uitnodiging is aangenomen" in overseer.locator(".messages").inner_text()

    overseer.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Toezicht").click()
    overseer.wait_for_url(site.url + "/oversight")
    assert incident["reference"] in overseer.locator("table.oversight-list").inner_text()
    options = overseer.locator("#filter-organisation option").all_inner_texts()
    assert "Gemeente Bravo" in options
    assert "Standaardorganisatie" in options
    audit.check(overseer, "oversight")

    admin.goto(site.url + "/users")
    row = admin.locator("tr", has=admin.get_by_role("rowheader", name="Rekenkamer"))
    assert "Gemeente Bravo" in " ".join(row.locator(".membership").all_inner_texts())
    assert (
        "Uitnodiging aangenomen"
        in admin.locator("section", has=admin.get_by_role("heading", name="Recente wijzigingen")).inner_text()
    )
    audit.check(admin, "granted")
    admin_context.close()
    overseer_context.close()

    assert audit.blocking() == []
