"""Whose letter it is: the letterhead goes out with the letter, stays with it when it changes later,
is set only by the organisation's administrator, and a campaign waits until readers can reach us."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from typing import Any

import pytest
from PIL import Image

from installation import Herstel
from notifications.services import (
    get_case_status,
    get_citizen_letter,
    get_citizen_letter_pdf,
    get_letterhead,
    open_citizen_session,
    open_vault,
    set_letterhead,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import (
    Forbidden,
    NotFound,
    Principal,
    StateConflict,
    create_organisation,
    create_user,
    get_principal,
    list_user_audit,
)
from tests.conftest import DEFAULT_ORGANISATION, TEST_LETTERHEAD
from tests.integration.notifications import conftest as letters


def logo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 30), colour).save(out, "PNG")
    return out.getvalue()


def admin_of(herstel: Herstel, organisation_id: Any, email: str = "beheer@voorbeeldstad.nl") -> Principal:
    user_id = create_user(
        uow=herstel.uow(), by=Principal.installation(), email=email, roles=["admin"], organisation_id=organisation_id
    )
    return get_principal(uow=herstel.uow(), user_id=user_id)


def test_a_sent_letter_keeps_the_letterhead_it_was_sent_with(
    mailing: Herstel, officer: Any, incident: Any, smtp_server: Any, dispatched: Any, clock: Any
) -> None:
    admin = admin_of(mailing, DEFAULT_ORGANISATION)
    first_logo = logo((0, 90, 160))
    set_letterhead(uow=unit_of_work(mailing), principal=admin, values=TEST_LETTERHEAD, logo=first_logo)
    letters.start_notification(mailing, officer, incident["id"], letters.people(1, language=lambda i: "nl"))
    letters.run_letters(mailing, dispatched, clock)

    (mail,) = smtp_server.messages()
    plain = mail.get_body(("plain",)).get_content()
    assert plain.startswith("Gemeente Voorbeeldstad\nPostbus 1234\n1000 AB  Voorbeeldstad\n14 020\n")
    assert "J. de Vries\ndirecteur Dienstverlening\nGemeente Voorbeeldstad" in plain
    html = mail.get_body(("html",)).get_content()
    (image,) = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert image.get_content() == first_logo
    assert f"cid:{image['Content-ID'].strip('<>')}" in html

    code = letters.CODE.search(plain)
    assert code
    factory, vault, base_url = unit_of_work_factory(mailing), open_vault(mailing.settings), mailing.settings.base_url
    token = open_citizen_session(uow_factory=factory, vault=vault, access_code=code.group(1)).token
    before = get_citizen_letter(uow_factory=factory, vault=vault, base_url=base_url, token=token)

    # the organisation moves and gets a new logo: the letter sent stays as it was, the contact is today's
    set_letterhead(
        uow=unit_of_work(mailing),
        principal=admin,
        values={**TEST_LETTERHEAD, "postal_address": "Postbus 9\n9999 ZZ  Elders", "phone": "088 123 45 67"},
        logo=logo((200, 30, 30)),
    )
    after = get_citizen_letter(uow_factory=factory, vault=vault, base_url=base_url, token=token)
    assert after == before
    assert after["sender_lines"][:4] == ["Gemeente Voorbeeldstad", "Postbus 1234", "1000 AB  Voorbeeldstad", "14 020"]
    assert after["logo"] == before["logo"] is not None
    shown = Image.open(io.BytesIO(base64.b64decode(after["logo"].split(",")[1])))
    assert shown.getpixel((1, 1)) == (0, 90, 160)  # the first logo, not the new one
    status = get_case_status(uow_factory=factory, vault=vault, token=token)
    assert status["contact"]["phone"] == "088 123 45 67"
    if shutil.which("pdftotext") is not None:
        pdf = get_citizen_letter_pdf(uow_factory=factory, vault=vault, base_url=base_url, token=token)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Postbus 1234" in text
        assert "088 123 45 67" not in text
        assert b"/Subtype /Image" in pdf


def test_a_campaign_waits_until_readers_can_write_and_call(herstel: Herstel, officer: Any, incident: Any) -> None:
    letters.import_readers(herstel, officer, incident["id"], letters.people(1))
    installation = Principal.installation()
    for values, code in (
        ({"name": "Gemeente"}, "campaign.letterhead-address-phone"),
        ({"name": "Gemeente", "phone": "14 020"}, "campaign.letterhead-address"),
        ({"name": "Gemeente", "postal_address": "Postbus 1\n1000 AA  Stad"}, "campaign.letterhead-phone"),
    ):
        set_letterhead(
            uow=unit_of_work(herstel), principal=installation, organisation_id=DEFAULT_ORGANISATION, values=values
        )
        with pytest.raises(StateConflict) as refused:
            start_campaign(
                uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"], kind="notification"
            )
        assert refused.value.rule == "letterhead-incomplete"
        assert refused.value.code == code
    set_letterhead(
        uow=unit_of_work(herstel), principal=installation, organisation_id=DEFAULT_ORGANISATION, values=TEST_LETTERHEAD
    )
    started = start_campaign(
        uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"], kind="notification"
    )
    assert started["letters"] == 1


def test_only_the_organisations_administrator_sets_it_and_it_is_audited(herstel: Herstel, officer: Any) -> None:
    with pytest.raises(Forbidden):
        set_letterhead(uow=unit_of_work(herstel), principal=officer, values={"name": "Officier"})
    admin = admin_of(herstel, DEFAULT_ORGANISATION)
    view = set_letterhead(
        uow=unit_of_work(herstel), principal=admin, values={**TEST_LETTERHEAD, "name": " Gemeente  X "}
    )
    assert view["name"] == "Gemeente X"
    assert view["missing"] == []
    assert ("letterhead.changed", DEFAULT_ORGANISATION, admin.ref()) in [
        (r["action"], r["organisation_id"], r["actor"]) for r in list_user_audit(uow=herstel.uow(), principal=admin)
    ]
    other = create_organisation(uow=herstel.uow(), slug="elders", name="Gemeente Elders", reference_prefix="GEL")
    stranger = admin_of(herstel, other, "beheer@elders.nl")
    with pytest.raises(NotFound):
        get_letterhead(uow=unit_of_work(herstel), principal=stranger, organisation_id=DEFAULT_ORGANISATION)
    with pytest.raises(NotFound):
        set_letterhead(
            uow=unit_of_work(herstel), principal=stranger, organisation_id=DEFAULT_ORGANISATION, values={"name": "X"}
        )
    fresh = get_letterhead(uow=unit_of_work(herstel), principal=stranger)
    assert (fresh["set"], fresh["name"], fresh["missing"]) == (False, "Gemeente Elders", ["postal_address", "phone"])
    assert get_letterhead(uow=unit_of_work(herstel), principal=admin)["name"] == "Gemeente X"
