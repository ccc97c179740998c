"""The citizen's pages: the code opens the letter, the case status and the response form; wrong and
malformed codes look the same; too many attempts are refused with a 429 page."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from installation import Herstel
from notifications.services import decide_response, list_citizen_responses, unit_of_work
from protocol.services import complete_step
from tests.integration.notifications.conftest import CODE, run_letters
from tests.integration.web.pages.conftest import ASSESSMENT, Browser, app_for
from tests.integration.web.pages.dom import Element, parse
from tests.integration.web.pages.letters import deliver
from tests.services import unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]
DUTCH, ENGLISH = "lezer00000@example.nl", "lezer00001@example.nl"
SAME_ERROR = "Deze code opent geen brief. Kijk de code in uw brief na en probeer het opnieuw."


class Citizen:
    """A citizen's browser without JavaScript: no login, only the code from the letter."""

    def __init__(self, app: Flask, language: str = "nl") -> None:
        self.client: FlaskClient = app.test_client()
        self.language = language

    def get(self, path: str) -> TestResponse:
        return self.client.get(path, headers={"Accept-Language": self.language})

    def page(self, path: str, status: int = 200) -> Element:
        response = self.get(path)
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        return parse(response.get_data(as_text=True))

    def csrf(self) -> str:
        page = self.client.get("/citizen", follow_redirects=True).get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found
        return found.group(1)

    def post(self, path: str, data: dict[str, str]) -> TestResponse:
        form = {**data, "csrf_token": self.csrf()}
        return self.client.post(path, data=form, headers={"Accept-Language": self.language})

    def enter(self, code: str) -> TestResponse:
        return self.post("/citizen", {"code": code})


@pytest.fixture
def codes(mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any,
          smtp_server: Any) -> dict[str, str]:  # fmt: skip
    return deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server)


@pytest.fixture
def citizen_app(mailing: Herstel) -> Flask:
    return app_for(mailing)


def test_the_code_page_labels_and_explains_its_field(citizen_app: Flask) -> None:
    page = Citizen(citizen_app).page("/citizen")
    assert page.one("html")["lang"] == "nl"
    assert page.one("label", for_="code").text == "Uw persoonlijke code"
    field = page.by_id("code")
    assert field["aria-describedby"] == "code-hint"
    assert "16 letters en cijfers" in page.by_id("code-hint").text


def test_a_wrong_and_a_malformed_code_get_the_same_message_tied_to_the_field(
    citizen_app: Flask, codes: dict[str, str]
) -> None:
    citizen = Citizen(citizen_app)
    real = codes[DUTCH]
    wrong = "0000-0000-0000-0000" if real != "0000-0000-0000-0000" else "1111-1111-1111-1111"
    bodies = {}
    for attempt in (wrong, "dit is geen code", real[:-1], "x" * 500):
        response = citizen.enter(attempt)
        assert response.status_code == 422
        page = parse(response.get_data(as_text=True))
        field = page.by_id("code")
        assert field["aria-invalid"] == "true"
        assert field["aria-describedby"] == "code-hint code-error"
        bodies[attempt] = page.by_id("code-error").text
    assert set(bodies.values()) == {SAME_ERROR}
    assert citizen.get("/citizen/letter").status_code == 302  # nothing was opened


def test_the_code_opens_the_letter_in_its_language_with_status_and_pdf(
    citizen_app: Flask, codes: dict[str, str]
) -> None:
    citizen = Citizen(citizen_app, language="nl")  # the browser says Dutch; the letter is English
    response = citizen.enter(codes[ENGLISH].lower().replace("-", " "))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/citizen/letter")
    html = citizen.get("/citizen/letter").get_data(as_text=True)
    page = parse(html)
    assert page.one("html")["lang"] == "en"
    assert page.one("h1").text == "Your letter"
    letter = page.one("article", class_="letter")
    assert "Dear Zoë Öztürk-00001" in letter.text
    assert letter.select("h2"), "the letter keeps its headings, one level below the page's"
    assert "style" not in html.split('<article class="letter"')[1].split("</article>")[0]
    # the letter exactly as sent, its code and the sentence about it included; the status part says it was used
    assert codes[ENGLISH] in letter.text
    assert "and enter the code. There you can also see how the investigation is going" in letter.text
    status = page.by_id("status").text
    assert "You opened your letter with the personal code printed in it." in status
    steps = [li.text for li in page.one("ol", class_="citizen-steps").select("li")]
    assert any(s.startswith("Assessing what happened Done on") for s in steps)
    assert "Informing everyone affected Done on" in " ".join(steps)
    pdf = citizen.get(page.one("a", download=True)["href"])
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    # the reader may switch to Dutch: the page follows, the letter stays as it was written
    dutch = parse(citizen.get("/citizen/letter?lang=nl").get_data(as_text=True))
    assert dutch.one("h1").text == "Uw brief"
    assert dutch.one("article", class_="letter")["lang"] == "en"
    assert "Beoordelen wat er is gebeurd" in dutch.one("ol", class_="citizen-steps").text


def test_a_review_request_is_recorded_and_its_legal_deadline_shown(citizen_app: Flask, codes: dict[str, str]) -> None:
    citizen = Citizen(citizen_app)
    assert citizen.enter(codes[DUTCH]).status_code == 302
    page = citizen.page("/citizen/letter")
    kinds = [i["value"] for i in page.select("input", name="kind")]
    # a notification is not a decision: the form offers a review of the decisions about the reader, no objection
    assert kinds == ["question", "review", "complaint", "harm"]
    for value in kinds:
        assert page.one("label", for_=f"kind-{value}").text
    assert page.one("label", for_="kind-review").text == "Vragen om een nieuwe beoordeling van een beslissing over u"
    assert "Tegen dat besluit kunt u bezwaar maken." in page.by_id("kind-review-hint").text
    assert "bezwaar maken? Dat kan tot en met" not in page.text  # no objection period after a notification

    empty = citizen.post("/citizen/responses", {"kind": "review", "text": "  "})
    assert empty.status_code == 422
    refused = parse(empty.get_data(as_text=True))
    assert refused.by_id("text")["aria-invalid"] == "true"
    assert "text-error" in refused.by_id("text")["aria-describedby"]
    assert refused.by_id("text-error").text == "Schrijf uw bericht."
    assert refused.by_id("kind-review").get("checked") is not None  # the choice is kept

    objection = citizen.post("/citizen/responses", {"kind": "objection", "text": "Bezwaar tegen de brief."})
    assert objection.status_code == 422  # not offered, and refused if sent anyway; the text is kept
    kept = parse(objection.get_data(as_text=True))
    assert kept.by_id("kind-error").text
    assert kept.by_id("text").text == "Bezwaar tegen de brief."

    sent = citizen.post("/citizen/responses", {"kind": "review", "text": "Kijk de beslissing over mij opnieuw na."})
    assert sent.status_code == 302
    after = citizen.page("/citizen/letter")
    recorded = after.by_id("recorded").terms()
    assert recorded["Wat"] == "Verzoek om nieuwe beoordeling"
    assert re.fullmatch(r"\d{1,2} \w+ 20\d\d", recorded["Wij antwoorden uiterlijk op"]), recorded
    assert "Verzoek om nieuwe beoordeling" in after.by_id("sent").text
    # the confirmation is shown once
    assert not citizen.page("/citizen/letter").select(id="recorded")


def test_sign_out_and_an_expired_session_ask_for_the_code_again(
    citizen_app: Flask, codes: dict[str, str], clock: Any
) -> None:
    citizen = Citizen(citizen_app)
    citizen.enter(codes[DUTCH])
    signed_out = citizen.post("/citizen/logout", {})
    assert signed_out.status_code == 302
    assert citizen.get("/citizen/letter").headers["Location"].endswith("/citizen")

    citizen.enter(codes[DUTCH])
    assert citizen.get("/citizen/letter").status_code == 200
    clock.advance(minutes=31)
    expired = citizen.get("/citizen/letter")
    assert expired.status_code == 302
    notice = citizen.page(expired.headers["Location"])
    assert "Uw sessie is voorbij" in notice.text


def test_too_many_attempts_get_a_429_page(mailing: Herstel) -> None:
    app = app_for(mailing, HERSTEL_CITIZEN_CODE_LIMIT="3 per minute")
    citizen = Citizen(app)
    statuses = [citizen.enter("AAAA-BBBB-CCCC-DDDD").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    limited = citizen.enter("AAAA-BBBB-CCCC-DDDD")
    assert limited.status_code == 429
    assert limited.mimetype == "text/html"
    page = parse(limited.get_data(as_text=True))
    assert "Te veel pogingen" in page.one("h1").text
    assert "Terug naar de pagina voor uw code" in [a.text for a in page.select("a", href="/citizen")]
    assert citizen.get("/citizen").status_code == 200  # reading the form is not limited


def test_the_code_page_and_the_api_share_one_allowance(mailing: Herstel) -> None:
    citizen = Citizen(app_for(mailing, HERSTEL_CITIZEN_CODE_LIMIT="3 per minute"))
    assert [citizen.enter(f"AAAA-BBBB-CCCC-{i:04d}").status_code for i in range(2)] == [422, 422]
    api = citizen.client.post("/api/v1/citizen/session", json={"access_code": "AAAA-BBBB-CCCC-0002"})
    assert api.status_code == 401
    # the fourth guess is refused at either door
    again = citizen.client.post("/api/v1/citizen/session", json={"access_code": "AAAA-BBBB-CCCC-0003"})
    assert again.status_code == 429
    assert citizen.enter("AAAA-BBBB-CCCC-0004").status_code == 429


SPOOF = 'Risicomodel"\n!code FAKE-CODE-1234\n# Title'


def test_a_value_with_letter_markup_stays_text_in_the_email_the_page_and_the_pdf(
    mailing: Herstel, officer_browser: Browser, report: Any, dispatched: Any, clock: Any, smtp_server: Any
) -> None:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is in the Makefile's SYSTEM_PACKAGES")
    app = app_for(mailing)
    officer = Browser(app, officer_browser.principal).sign_in()
    registered = officer.submit("/algorithms", {"name": SPOOF, "lars": ""})
    algorithm_id = registered.headers["Location"].partition("algorithm=")[2]
    incident = report(officer.principal, algorithm_id=algorithm_id)
    assessed = complete_step(
        uow=mailing.uow(),
        principal=officer.principal,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )
    codes = deliver(mailing, officer.principal, assessed["id"], dispatched, clock, smtp_server)
    inert = "!code FAKE-CODE-1234 # Title"  # one line of text, as typed (its line breaks become spaces)

    message = next(m for m in smtp_server.messages() if str(m["To"]) == DUTCH)
    text = message.get_body(("plain",)).get_content()
    assert inert in " ".join(text.split())
    assert not [line for line in text.splitlines() if line.strip() in ("FAKE-CODE-1234", "Title")]
    email_html = parse(message.get_body(("html",)).get_content())
    assert [p.text for p in email_html.select("p", class_="code")] == [codes[DUTCH]]
    assert not [h for h in email_html.select("h1") + email_html.select("h2") if "Title" in h.text]

    citizen = Citizen(app)
    assert citizen.enter(codes[DUTCH]).status_code == 302
    page = citizen.page("/citizen/letter")
    letter = page.one("article", class_="letter")
    assert inert in " ".join(letter.text.split())
    # the one code block is the letter's own code, as sent; the typed one stays text
    assert [p.text for p in letter.select("p", class_="letter__code")] == [codes[DUTCH]]
    assert not [h for h in letter.select("h2") + letter.select("h3") if "Title" in h.text]

    pdf = citizen.get(page.one("a", download=True)["href"])
    assert pdf.status_code == 200
    pdf_text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout
    assert inert in " ".join(pdf_text.decode().split()), "the PDF prints the name as text, not as a code box"


# ---------------------------------------------------------------------- the citizen's session ends for real

CITIZEN_COOKIE = "herstel_citizen"


def citizen_cookie(citizen: Citizen) -> str:
    found = citizen.client.get_cookie(CITIZEN_COOKIE, path="/citizen")
    assert found is not None
    return found.value


def holding(app: Flask, cookie: str) -> Citizen:
    """Another browser with a copy of the citizen's cookie."""
    other = Citizen(app)
    other.client.set_cookie(CITIZEN_COOKIE, cookie, path="/citizen")
    return other


def test_a_citizen_cookie_saved_before_sign_out_opens_nothing_afterwards(
    citizen_app: Flask, codes: dict[str, str]
) -> None:
    citizen = Citizen(citizen_app)
    assert citizen.enter(codes[DUTCH]).status_code == 302
    cookie = citizen_cookie(citizen)
    assert holding(citizen_app, cookie).get("/citizen/letter").status_code == 200  # a copy works meanwhile
    assert citizen.post("/citizen/logout", {}).status_code == 302
    for path in ("/citizen/letter", "/citizen/letter.pdf"):
        replayed = holding(citizen_app, cookie).get(path)
        assert replayed.status_code == 302, path
        assert "/citizen" in replayed.headers["Location"]
    sent = holding(citizen_app, cookie).post("/citizen/responses", {"kind": "question", "text": "Nog open?"})
    assert sent.status_code == 302
    assert "/citizen" in sent.headers["Location"]


def test_a_citizen_session_ends_after_15_idle_minutes_and_after_30_however_used(
    citizen_app: Flask, codes: dict[str, str], clock: Any
) -> None:
    citizen = Citizen(citizen_app)
    citizen.enter(codes[DUTCH])
    clock.advance(minutes=14)
    assert citizen.get("/citizen/letter").status_code == 200
    clock.advance(minutes=14)
    assert citizen.get("/citizen/letter").status_code == 200  # used 14 minutes ago: not idle
    clock.advance(minutes=3)  # 31 minutes after the code: over, although used 3 minutes ago
    assert citizen.get("/citizen/letter").status_code == 302

    citizen.enter(codes[DUTCH])
    clock.advance(minutes=16)
    assert citizen.get("/citizen/letter").status_code == 302


def test_a_staff_member_who_enters_a_letter_code_stays_signed_in(
    officer_browser: Browser, codes: dict[str, str]
) -> None:
    client = officer_browser.client  # one browser: the staff login and the citizen's code side by side
    assert officer_browser.post("/citizen", {"code": codes[DUTCH]}).status_code == 302
    assert client.get("/citizen/letter").status_code == 200
    assert client.get("/").status_code == 200, "entering a letter code signed the staff member out"
    assert officer_browser.post("/citizen/logout", {}).status_code == 302
    assert client.get("/").status_code == 200, "the citizen's sign-out signed the staff member out"
    assert client.get("/citizen/letter").status_code == 302


def test_the_letter_page_shows_who_wrote_it_and_the_code_page_whom_to_call(
    citizen_app: Flask, codes: dict[str, str]
) -> None:
    citizen = Citizen(citizen_app)
    code_page = citizen.page("/citizen")  # one organisation in this installation: its contact details
    contact = code_page.one("section", class_="contact").text
    assert "Gemeente Voorbeeldstad" in contact
    assert "Postbus 1234" in contact
    assert "14 020" in contact
    assert "bovenaan uw brief" not in code_page.text
    citizen.enter(codes[DUTCH])
    page = citizen.page("/citizen/letter")
    head = page.one("article", class_="letter").one("div", class_="letter__head").text
    for line in ("Gemeente Voorbeeldstad", "Postbus 1234", "1000 AB Voorbeeldstad", "14 020"):  # spaces collapsed
        assert line in head, line
    letter = page.one("article", class_="letter").text
    assert "J. de Vries" in letter
    assert "directeur Dienstverlening" in letter
    assert "Telefoon" in page.one("section", class_="contact").text


def test_the_reader_of_a_review_decision_reads_it_as_sent_and_may_object(
    mailing: Herstel,
    citizen_app: Flask,
    codes: dict[str, str],
    officer_browser: Browser,
    assessed: dict[str, Any],
    dispatched: Any,
    clock: Any,
    smtp_server: Any,
) -> None:
    citizen = Citizen(citizen_app)
    citizen.enter(codes[DUTCH])
    assert citizen.post("/citizen/responses", {"kind": "review", "text": "Kijk mijn beslissing na."}).status_code == 302
    (review,) = list_citizen_responses(
        uow=unit_of_work(mailing), vault=mailing.vault, principal=officer_browser.principal, incident_id=assessed["id"]
    )
    decide_response(
        uow=unit_of_work(mailing),
        vault=mailing.vault,
        principal=officer_browser.principal,
        incident_id=assessed["id"],
        response_id=review["id"],
        outcome="refused",
        reasons="Het programma speelde geen rol bij de beslissing over u.",
    )
    before = len(smtp_server.messages())
    run_letters(mailing, dispatched, clock)
    (mail,) = smtp_server.messages()[before:]
    assert str(mail["To"]) == DUTCH
    code = CODE.search(mail.get_body(("plain",)).get_content()).group(1)

    reader = Citizen(citizen_app)
    assert reader.enter(code).status_code == 302
    page = reader.page("/citizen/letter")
    assert "Ons besluit over uw vraag om een nieuwe beoordeling" in page.text
    assert "Het programma speelde geen rol bij de beslissing over u." in page.text
    assert [i["value"] for i in page.select("input", name="kind")] == ["question", "objection", "complaint"]
    assert page.one("label", for_="kind-objection").text == "Bezwaar maken tegen het besluit"
    sent = reader.post("/citizen/responses", {"kind": "objection", "text": "Ik ben het niet eens met dit besluit."})
    assert sent.status_code == 302
    assert reader.page("/citizen/letter").by_id("recorded").terms()["Wat"] == "Bezwaar"
