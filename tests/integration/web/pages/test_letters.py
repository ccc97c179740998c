"""The officer's letters pages: persons import (every bad row shown), the list, starting the letters,
and the progress on the incident page with its JSON for the refreshing script."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from tests.conftest import set_test_letterhead
from tests.integration.notifications.conftest import CODE, people, persons_file
from tests.integration.web.pages.conftest import Browser
from tests.integration.web.pages.dom import parse
from tests.integration.web.pages.letters import deliver

pytestmark = [pytest.mark.postgres]


def upload(browser: Browser, incident_id: Any, data: bytes, status: int = 302) -> Any:
    return browser.submit(
        f"/incidents/{incident_id}/persons",
        {"file": (io.BytesIO(data), "personen.csv", "text/csv")},
        status=status,
        content_type="multipart/form-data",
    )


def test_a_refused_file_lists_every_bad_row_and_imports_nothing(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    good = people(2)
    bad = [dict(good[0], bsn="123456789"), dict(good[1], postcode="12345")]
    response = upload(officer_browser, assessed["id"], persons_file(good + bad), status=422)
    page = parse(response.get_data(as_text=True))
    assert "2 problemen" in page.by_id("import-error").text
    assert "Er is niets geïmporteerd" in page.by_id("import-error").text
    rows = [[td.text for td in tr.select("td")] for tr in page.by_id("import-problems").one("tbody").select("tr")]
    assert [(r[0], r[1]) for r in rows] == [("4", "bsn"), ("5", "postal_code")]
    assert [r[2] for r in rows] == [
        "Geen geldig BSN: de elfproef klopt niet.",
        "Geen Nederlandse postcode zoals 1234 AB.",
    ]
    assert page.by_id("persons-file")["aria-invalid"] == "true"
    listed = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    assert listed.by_id("list-title").text == "0 personen"


def test_an_address_no_mail_server_can_take_is_refused_at_import_by_row_and_reason(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    readers = people(4)
    readers[1]["email"] = "jöhn@exämple.nl"  # needs SMTPUTF8
    readers[2]["email"] = "anna@exämple..nl"  # no domain name at all
    readers[3]["email"] = "Bert@Exämple.NL"  # fine: its domain is stored as punycode
    response = upload(officer_browser, assessed["id"], persons_file(readers), status=422)
    page = parse(response.get_data(as_text=True))
    rows = [[td.text for td in tr.select("td")] for tr in page.by_id("import-problems").one("tbody").select("tr")]
    assert rows == [
        [
            "3",
            "email",
            "Geen bruikbaar e-mailadres: het deel vóór de @ mag geen accenten of andere bijzondere letters bevatten.",
        ],
        ["4", "email", "Geen bruikbaar e-mailadres: het deel na de @ is geen geldige domeinnaam."],
    ]
    upload(officer_browser, assessed["id"], persons_file([readers[0], readers[3]]))
    listed = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    assert "bert@xn--exmple-cua.nl" in listed.text
    assert "jöhn" not in listed.text


def test_an_import_reports_imported_and_merged_and_lists_the_persons(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    readers = people(3)
    upload(officer_browser, assessed["id"], persons_file(readers))
    page = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    assert "3 nieuwe personen, 0 samengevoegd" in page.one(class_="messages").text
    upload(officer_browser, assessed["id"], persons_file(readers[:2]))
    page = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    assert "0 nieuwe personen, 2 samengevoegd" in page.one(class_="messages").text
    assert page.by_id("list-title").text == "3 personen"
    cells = [td.text for td in page.by_id("list").one("tbody").select("tr")[0].select("td")]
    assert cells[0].startswith("Zoë Öztürk-")
    assert cells[2].endswith("1234 AB Ĳsselstein") or "1234 AB" in cells[2]


def test_only_staff_who_may_see_persons_reach_the_list(
    browser: Callable[..., Browser], assessed: dict[str, Any]
) -> None:
    investigator = browser("investigator")
    assert investigator.get(f"/incidents/{assessed['id']}/persons").status_code == 403
    assert investigator.get(f"/incidents/{assessed['id']}/letters/progress").status_code == 403


def test_without_persons_no_send_button_is_offered_and_a_start_is_refused_in_dutch(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    page = officer_browser.page(f"/incidents/{assessed['id']}")
    assert not page.by_id("letters").select("form")  # the campaign's own check refuses: no button
    assert "lees eerst de getroffen personen in" in page.by_id("letters-not-now").text
    response = officer_browser.submit(
        f"/incidents/{assessed['id']}/letters", {"kind": "notification", "expected": "0"}, status=409
    )
    refused = parse(response.get_data(as_text=True))
    assert "no-recipients" in refused.one(class_="refusal").text
    assert "lees eerst de getroffen personen in" in refused.one(class_="refusal").text


def test_an_incomplete_letterhead_offers_no_send_button_and_the_preview_says_why(
    herstel: Herstel, officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    incident_id = assessed["id"]
    upload(officer_browser, incident_id, persons_file(people(2)))
    set_test_letterhead(herstel, assessed["organisation_id"], phone="")
    page = officer_browser.page(f"/incidents/{incident_id}")
    assert not page.by_id("letters").select("form")  # campaign_refusal holds the letterhead check too
    assert "Het briefhoofd heeft geen telefoonnummer" in page.by_id("letters-not-now").text
    preview = officer_browser.page(f"/incidents/{incident_id}/letters/preview?kind=notification", status=200)
    assert "Het briefhoofd heeft geen telefoonnummer" in preview.one(class_="refusal").text
    assert not preview.select("button", id="send-letters")


def test_letters_started_from_the_page_show_their_progress(
    officer_browser: Browser, assessed: dict[str, Any], dispatched: Any
) -> None:
    incident_id = assessed["id"]
    upload(officer_browser, incident_id, persons_file(people(3, consent=lambda i: i != 2)))
    before = officer_browser.page(f"/incidents/{incident_id}")
    assert "Er zijn nog geen brieven" in before.by_id("letters").text
    assert before.by_id("letters").one("input", name="kind")["value"] == "notification"
    officer_browser.submit(f"/incidents/{incident_id}/letters", {"kind": "notification", "expected": "3"})

    page = officer_browser.page(f"/incidents/{incident_id}")
    assert "3 brieven in de wachtrij gezet." in page.one(class_="messages").text
    bar = page.by_id("letters-progress-bar")
    assert (bar["max"], bar["value"]) == ("3", "0")
    panel = page.one(class_="letters-progress")
    assert panel["data-open"] == "3"
    assert panel["data-progress-url"] == f"/incidents/{incident_id}/letters/progress"
    table = page.one("table", class_="letters-table")
    rows = {tr.one("th").text: [td.text for td in tr.select("td")] for tr in table.one("tbody").select("tr")}
    assert rows == {"E-mail": ["2", "0", "0", "0", "0", "2"], "Post": ["1", "0", "0", "0", "0", "1"]}
    assert page.one("script")["src"] == "/static/js/letters-progress.js"

    data = officer_browser.get(panel["data-progress-url"]).get_json()
    assert (data["total"], data["done"], data["open"]) == (3, 0, 3)
    assert {c["key"]: c["total"] for c in data["channels"]} == {"email": 2, "post": 1}

    again = officer_browser.page(f"/incidents/{incident_id}")
    assert not again.by_id("letters").select("form")  # nobody left to write to: no button
    assert "Iedereen heeft deze brief al" in again.by_id("letters-all-sent").text
    officer_browser.submit(f"/incidents/{incident_id}/letters", {"kind": "notification", "expected": "0"})
    after = officer_browser.page(f"/incidents/{incident_id}")
    assert "Iedereen heeft deze brief al" in after.one(class_="messages").text


def test_progress_counts_delivered_letters(
    mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any, smtp_server: Any
) -> None:
    deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server)
    page = officer_browser.page(f"/incidents/{assessed['id']}")
    bar = page.by_id("letters-progress-bar")
    assert (bar["max"], bar["value"]) == ("2", "2")
    assert page.one(class_="letters-progress")["data-open"] == "0"
    assert page.one(class_="letters-progress__text").text == "2 van 2 brieven afgeleverd of definitief mislukt"


def test_the_script_is_served_from_this_origin(officer_browser: Browser) -> None:
    script = officer_browser.get("/static/js/letters-progress.js")
    assert script.status_code == 200
    assert "setTimeout" in script.get_data(as_text=True)
    page = officer_browser.get("/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_unfounded_letter_is_offered_for_an_unfounded_signal(
    herstel: Herstel, officer_browser: Browser, report: Callable[..., dict[str, Any]]
) -> None:
    from notifications.services import record_reporter, unit_of_work
    from protocol.services import complete_step
    from tests.integration.web.pages.conftest import ASSESSMENT

    incident = report(officer_browser.principal)
    complete_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={**ASSESSMENT, "outcome": "unfounded"},
    )
    page = officer_browser.page(f"/incidents/{incident['id']}")
    assert "leg eerst de contactgegevens van de melder vast" in page.by_id("letters-not-now").text.lower()
    record_reporter(
        uow=unit_of_work(herstel),
        vault=herstel.vault,
        principal=officer_browser.principal,
        incident_id=incident["id"],
        name="Mr. Melder",
        email="melder@example.nl",
        consent_electronic=True,
    )
    page = officer_browser.page(f"/incidents/{incident['id']}")
    assert page.by_id("letters").one("input", name="kind")["value"] == "unfounded"
    preview = officer_browser.page(f"/incidents/{incident['id']}/letters/preview?kind=unfounded")
    assert "Mr. Melder" in preview.by_id("letter-title").text
    assert preview.by_id("send-letters").text == "Verstuur 1 brief"


def test_a_role_without_identity_sees_the_persons_masked(
    officer_browser: Browser, assessed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No role of the default matrix reads persons without their identity; the page is ready for one."""
    import web.pages.letters as letters_page
    from notifications.services import list_persons

    upload(officer_browser, assessed["id"], persons_file(people(1)))

    def masked(**kwargs: Any) -> dict[str, Any]:
        found = list_persons(**kwargs)
        return {**found, "identity_visible": False, "items": [{**p, "identity": None} for p in found["items"]]}

    monkeypatch.setattr(letters_page, "list_persons", masked)
    page = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    cells = [td.text for td in page.by_id("list").one("tbody").one("tr").select("td")]
    assert cells[:4] == ["verborgen", "verborgen", "ja", "ja"]
    assert "Zoë" not in page.by_id("list").text
    assert "namen en adressen zijn verborgen" in page.by_id("list").text


def test_a_page_number_past_any_list_is_an_empty_page_not_an_error(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    for page in ("99999999999999999999", "100001", "-3", "x"):
        response = officer_browser.get(f"/incidents/{assessed['id']}/persons?page={page}")
        assert response.status_code == 200, page


def ledger_and_chain(herstel: Herstel, incident_id: Any) -> tuple[int, ...]:
    """What a preview must leave as it was: the incident's events, letters, attempts, copies and campaigns."""
    from sqlalchemy import func, select

    from notifications.tables import CampaignRow, LetterAttemptRow, LetterCopyRow, LetterRow
    from protocol.storage.tables import EventRow

    with herstel.uow().read_only() as uow:
        assert uow.session is not None
        counts = [
            uow.session.scalar(select(func.count()).select_from(EventRow).where(EventRow.incident_id == incident_id)),
            uow.session.scalar(select(func.count()).select_from(LetterRow).where(LetterRow.incident_id == incident_id)),
            uow.session.scalar(select(func.count()).select_from(LetterAttemptRow)),
            uow.session.scalar(select(func.count()).select_from(LetterCopyRow)),
            uow.session.scalar(
                select(func.count()).select_from(CampaignRow).where(CampaignRow.incident_id == incident_id)
            ),
        ]
    return tuple(int(c or 0) for c in counts)


def test_the_preview_shows_the_counts_per_channel_and_one_persons_letter_and_records_nothing(
    herstel: Herstel, officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    from notifications.services import normalize_access_code

    incident_id = assessed["id"]
    readers = people(3, consent=lambda i: i != 2, language=lambda i: "nl")
    upload(officer_browser, incident_id, persons_file(readers))
    before = ledger_and_chain(herstel, incident_id)
    incident = officer_browser.page(f"/incidents/{incident_id}")
    form = incident.by_id("letters-send")
    assert (form["method"], form["action"]) == ("get", f"/incidents/{incident_id}/letters/preview")

    page = officer_browser.page(f"/incidents/{incident_id}/letters/preview?kind=notification")
    rows = {tr["data-channel"]: tr.one("td").text for tr in page.by_id("count-table").select("tr")}
    assert rows == {"email": "2", "post": "1", "none": "0", "all": "3"}
    reader = page.by_id("letter-title").text
    assert any(r["name"] in reader for r in readers)
    placeholder = "VOORBEELD-GEEN-ECHTE-CODE"
    assert placeholder in page.by_id("preview-text").text
    assert placeholder in page.by_id("preview-html").text
    assert normalize_access_code(placeholder) is None  # no code field would take it
    assert not CODE.search(page.text)  # nothing shaped like a real code anywhere on the page
    assert page.by_id("preview-subject").text == "Ons computerprogramma heeft mensen misschien ongelijk behandeld"
    letterhead = page.by_id("preview-html").text  # rendered like the real letter: with the organisation's letterhead
    assert "Postbus 1234" in letterhead
    assert "J. de Vries" in letterhead
    button = page.by_id("send-letters")
    assert button.text == "Verstuur 3 brieven"
    confirm = page.by_id("confirm").one("form")
    assert confirm.one("input", name="expected")["value"] == "3"
    assert confirm["action"] == f"/incidents/{incident_id}/letters"

    pdf = officer_browser.get(page.by_id("preview-pdf")["href"])
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert ledger_and_chain(herstel, incident_id) == before  # no letter, code, copy, campaign or event


def test_the_preview_of_a_chosen_person_is_their_letter_on_their_channel(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    incident_id = assessed["id"]
    upload(officer_browser, incident_id, persons_file(people(2, consent=lambda i: i == 0, language=lambda i: "en")))
    listed = officer_browser.page(f"/incidents/{incident_id}/persons")
    links = {
        tr.select("td")[0].text: tr.one("a", class_="preview-link")["href"]
        for tr in listed.by_id("list").one("tbody").select("tr")
    }
    by_post = officer_browser.page(links["Zoë Öztürk-00001"])
    assert "Zoë Öztürk-00001" in by_post.by_id("letter-title").text
    assert by_post.by_id("preview-channel").text == "Post"
    assert "SAMPLE-NOT-A-REAL-CODE" in by_post.by_id("preview-text").text  # in the reader's language
    by_mail = officer_browser.page(links["Zoë Öztürk-00000"])
    assert by_mail.by_id("preview-channel").text == "E-mail"
    other = officer_browser.get(f"/incidents/{incident_id}/letters/preview?kind=notification&person={uuid.uuid4()}")
    assert other.status_code == 404


def test_a_start_whose_count_changed_since_the_look_is_refused_with_the_new_count(
    herstel: Herstel, officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    incident_id = assessed["id"]
    upload(officer_browser, incident_id, persons_file(people(3)))
    page = officer_browser.page(f"/incidents/{incident_id}/letters/preview?kind=notification")
    shown = page.by_id("confirm").one("input", name="expected")["value"]
    assert shown == "3"
    upload(officer_browser, incident_id, persons_file(people(5)))  # two more imported meanwhile
    before = ledger_and_chain(herstel, incident_id)

    response = officer_browser.submit(
        f"/incidents/{incident_id}/letters", {"kind": "notification", "expected": shown}, status=409
    )
    refused = parse(response.get_data(as_text=True))
    refusal = refused.one(class_="refusal").text
    assert "campaign-count-changed" in refusal
    assert "U bevestigde 3 brieven, maar nu zouden het er 5 zijn" in refusal
    assert refused.by_id("send-letters").text == "Verstuur 5 brieven"
    assert refused.by_id("confirm").one("input", name="expected")["value"] == "5"
    assert ledger_and_chain(herstel, incident_id) == before  # nothing started

    officer_browser.submit(f"/incidents/{incident_id}/letters", {"kind": "notification", "expected": "5"})
    done = officer_browser.page(f"/incidents/{incident_id}")
    assert "5 brieven in de wachtrij gezet." in done.one(class_="messages").text


def test_a_start_without_the_confirmed_number_is_not_taken(officer_browser: Browser, assessed: dict[str, Any]) -> None:
    upload(officer_browser, assessed["id"], persons_file(people(1)))
    response = officer_browser.post(f"/incidents/{assessed['id']}/letters", {"kind": "notification"})
    assert response.status_code == 400
    assert "geen aantal brieven" in response.get_data(as_text=True)


def test_only_those_who_may_start_the_letters_see_the_preview(
    browser: Callable[..., Browser], officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    upload(officer_browser, assessed["id"], persons_file(people(1)))
    investigator = browser("investigator")
    for path in ("preview?kind=notification", "preview.pdf?kind=notification"):
        assert investigator.get(f"/incidents/{assessed['id']}/letters/{path}").status_code == 403
    coordinator = browser("coordinator")
    assert coordinator.get(f"/incidents/{assessed['id']}/letters/preview?kind=notification").status_code == 200


def test_staff_open_a_sent_letter_as_email_and_as_post_letter_without_its_code(
    mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any, smtp_server: Any
) -> None:
    codes = deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server)
    listed = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    link = listed.by_id("list").one("tbody").select("tr")[0].select("td")[6].select("a")[0]
    assert link.text == "Afgeleverd · E-mail"
    page = officer_browser.page(link["href"])
    assert "••••-••••-••••-••••" in page.by_id("sent-html").text
    assert "••••-••••-••••-••••" in page.by_id("sent-text").text
    for code in codes.values():
        assert code not in page.text
    pdf = officer_browser.get(page.by_id("sent-pdf")["href"])
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert officer_browser.get(f"/incidents/{assessed['id']}/letters/{uuid.uuid4()}").status_code == 404


def test_an_address_in_one_column_is_split_and_a_range_is_refused_in_dutch(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    from notifications.demo import fictitious_bsns

    bsns = fictitious_bsns("9997")
    one, two = next(bsns), next(bsns)
    refused = (
        "bsn;naam;adres;postcode;woonplaats\n"
        f"{one};Jan;Dorpsstraat 12 A;1234 AB;Utrecht\n{two};Piet;Van Goghstraat 2 t/m 4;1234 AB;Utrecht\n"
    )
    page = parse(upload(officer_browser, assessed["id"], refused.encode(), status=422).get_data(as_text=True))
    rows = [[td.text for td in tr.select("td")] for tr in page.by_id("import-problems").one("tbody").select("tr")]
    assert rows == [
        ["3", "street", "Een reeks of opsomming van huisnummers (zoals 2 t/m 4) is meer dan één adres: geef één adres."]
    ]
    upload(officer_browser, assessed["id"], refused.replace("Van Goghstraat 2 t/m 4", "Hoofdweg 12-II").encode())
    listed = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    addresses = [tr.select("td")[2].text for tr in listed.by_id("list").one("tbody").select("tr")]
    assert sorted(addresses) == ["Dorpsstraat 12 A, 1234 AB Utrecht", "Hoofdweg 12 II, 1234 AB Utrecht"]


def test_the_list_masks_the_bsn_a_search_finds_one_and_opening_shows_it_whole(
    officer_browser: Browser, assessed: dict[str, Any], browser: Callable[..., Browser]
) -> None:
    readers = people(3)
    upload(officer_browser, assessed["id"], persons_file(readers))
    base = f"/incidents/{assessed['id']}/persons"
    listed = officer_browser.page(base)
    text = listed.by_id("list").text
    for reader in readers:
        assert reader["bsn"] not in text
        assert "******" + reader["bsn"][-3:] in text

    found = officer_browser.submit(f"{base}/search", {"bsn": readers[1]["bsn"]}, status=200)
    assert found.headers["Cache-Control"] == "no-store"
    page = parse(found.get_data(as_text=True))
    assert page.by_id("search-result").text == "1 persoon met dit BSN"
    (row,) = page.by_id("list").one("tbody").select("tr")
    assert row.select("td")[0].text == readers[1]["name"]
    assert readers[1]["bsn"] not in page.by_id("list").text

    refused = parse(officer_browser.submit(f"{base}/search", {"bsn": "123456789"}, status=422).get_data(as_text=True))
    assert refused.by_id("search-bsn-error").text == "Geen geldig BSN: de elfproef klopt niet."
    assert refused.by_id("search-bsn")["aria-invalid"] == "true"

    action = row.one("form")["action"]
    assert action.endswith("/open")
    assert readers[1]["bsn"] not in action
    opened = parse(officer_browser.submit(action, {}, status=200).get_data(as_text=True))
    assert opened.by_id("person-bsn").text == readers[1]["bsn"]
    # the opening is on the incident's timeline, without the BSN or the name
    timeline = officer_browser.page(f"/incidents/{assessed['id']}/timeline").text
    assert "Persoon geopend met volledig BSN" in timeline
    assert f"persoon {action.split('/')[-2]}" in timeline  # which person, by id
    assert readers[1]["bsn"] not in timeline
    assert readers[1]["name"] not in timeline
    assert officer_browser.get(action).status_code == 405  # opening is a button, not a link
    assert browser("investigator").post(action, {}).status_code in (403, 404)


def test_the_person_view_lists_the_decisions_the_file_named_or_says_there_were_none(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    with_decisions, without = people(2)
    header = (
        "bsn;naam;straat;huisnummer;postcode;woonplaats;email;taal;toestemming;besluitkenmerk;besluitdatum;onderwerp"
    )

    def line(p: dict[str, str], *decision: str) -> str:
        cells = [p[k] for k in ("bsn", "name", "street", "number", "postcode", "city", "email", "lang", "consent")]
        return ";".join([*cells, *(decision or ("", "", ""))])

    text = "\r\n".join(
        [
            header,
            line(with_decisions, "Z/24/012345", "15-3-2024", "Bijzondere bijstand"),
            line(with_decisions, "2023-BB-7781", "", "Heronderzoek van uw uitkering"),
            line(without),
        ]
    )
    upload(officer_browser, assessed["id"], (text + "\r\n").encode("utf-8"))
    listed = officer_browser.page(f"/incidents/{assessed['id']}/persons")
    actions = {
        tr.select("td")[0].text: tr.one("form")["action"] for tr in listed.by_id("list").one("tbody").select("tr")
    }

    opened = parse(officer_browser.submit(actions[with_decisions["name"]], {}, status=200).get_data(as_text=True))
    table = opened.by_id("person-decisions")
    assert [th.text for th in table.one("thead").select("th")] == ["Besluitkenmerk", "Datum", "Onderwerp"]
    rows = [[td.text for td in tr.select("td")] for tr in table.one("tbody").select("tr")]
    assert rows == [
        ["Z/24/012345", "15 maart 2024", "Bijzondere bijstand"],
        ["2023-BB-7781", "—", "Heronderzoek van uw uitkering"],
    ]
    assert "Geen besluiten opgegeven in het bestand" not in opened.text
    facts = opened.by_id("person")
    named = dict(zip([dt.text for dt in facts.select("dt")], [dd.text for dd in facts.select("dd")], strict=True))
    assert named["Taal"] == {"nl": "Nederlands", "en": "Engels"}[with_decisions["lang"]]  # named, not a code

    bare = parse(officer_browser.submit(actions[without["name"]], {}, status=200).get_data(as_text=True))
    assert bare.by_id("person-decisions").text == "Geen besluiten opgegeven in het bestand"
    assert not bare.select("table", id="person-decisions")
