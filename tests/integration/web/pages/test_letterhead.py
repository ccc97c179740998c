"""The administrator's letterhead page, in Dutch and English; and the citizen's page that shows it."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from tests.integration.web.pages.conftest import Browser, field_errors
from tests.integration.web.pages.dom import parse

FORM = {
    "name": "Gemeente Voorbeeldstad",
    "postal_address": "Postbus 1234\r\n1000 AB  Voorbeeldstad",
    "phone": "14 020",
    "email": "",
    "website": "www.voorbeeldstad.nl",
    "signatory_name": "J. de Vries",
    "signatory_title": "directeur Dienstverlening",
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 30), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_the_admin_sets_the_letterhead_with_a_logo(browser: Callable[..., Browser]) -> None:
    admin = browser("admin")
    page = admin.page("/letterhead")
    assert page.one("h1").text == "Briefhoofd"
    data = {**FORM, "csrf_token": admin.csrf(), "logo": (io.BytesIO(png()), "logo.png")}
    response = admin.client.post("/letterhead", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = admin.page(response.headers["Location"])
    assert "Het briefhoofd is opgeslagen" in page.text
    assert page.by_id("phone")["value"] == "14 020"
    assert page.by_id("signatory_title")["value"] == "directeur Dienstverlening"
    assert page.one("img", class_="letterhead-logo")["src"].startswith("data:image/png;base64,")
    assert "Er kunnen nog geen brieven worden verstuurd" not in page.text


def test_a_file_that_is_no_image_is_refused_and_the_form_kept(browser: Callable[..., Browser]) -> None:
    admin = browser("admin", language="en")
    data = {**FORM, "phone": "bel ons", "csrf_token": admin.csrf(), "logo": (io.BytesIO(b"%PDF-1.7"), "logo.png")}
    response = admin.client.post(
        "/letterhead", data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    errors = field_errors(page)
    assert "the logo is not a png or jpeg image" in errors["logo"].lower()
    assert "phone number" in errors["phone"].lower()
    assert page.by_id("name")["value"] == "Gemeente Voorbeeldstad"  # nothing lost


def test_in_dutch_the_refusal_is_dutch(browser: Callable[..., Browser]) -> None:
    admin = browser("admin")
    data = {**FORM, "name": "", "csrf_token": admin.csrf(), "logo": (io.BytesIO(b"GIF89a"), "logo.gif")}
    response = admin.client.post(
        "/letterhead", data=data, content_type="multipart/form-data", headers={"Accept-Language": "nl"}
    )
    assert response.status_code == 422
    errors = field_errors(parse(response.get_data(as_text=True)))
    assert errors["logo"] == "Het logo is geen PNG- of JPEG-afbeelding."
    assert "name" in errors


def test_only_an_admin_reaches_the_page(browser: Callable[..., Browser]) -> None:
    assert browser("officer").get("/letterhead").status_code == 403
    assert browser("coordinator").post("/letterhead", FORM).status_code == 403
