"""Citizens' responses for staff: the text, the legal deadline, and the answer the citizen then sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from notifications.services import (
    get_case_status,
    open_citizen_session,
    record_citizen_response,
    unit_of_work_factory,
)
from tests.integration.notifications.conftest import run_letters
from tests.integration.objections import store_objection
from tests.integration.web.pages.conftest import Browser, field_errors
from tests.integration.web.pages.dom import parse
from tests.integration.web.pages.letters import deliver

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]


@pytest.fixture
def reader(mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any,
           smtp_server: Any) -> str:  # fmt: skip
    """The session token of a reader whose notification was delivered."""
    codes = deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server, count=1)
    return open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=mailing.vault,
        access_code=next(iter(codes.values())),
    ).token


@pytest.fixture
def review(mailing: Herstel, reader: str) -> dict[str, Any]:
    recorded = record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=mailing.vault,
        token=reader,
        kind="review",
        text="Kijk de beslissing over mijn selectie opnieuw na.",
    )
    return {"token": reader, **recorded}


@pytest.fixture
def objection(mailing: Herstel, reader: str) -> dict[str, Any]:
    """An objection as stored before review requests replaced them (no letter offers one yet)."""
    stored = store_objection(
        uow_factory=unit_of_work_factory(mailing),
        vault=mailing.vault,
        token=reader,
        text="Ik maak bezwaar tegen mijn selectie.",
    )
    return {"token": reader, **stored}


def test_staff_read_a_response_with_its_deadline_and_answer_it(
    mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], review: dict[str, Any]
) -> None:
    path = f"/incidents/{assessed['id']}/responses"
    page = officer_browser.page(path)
    card = page.by_id(f"response-{review['response_id']}")
    assert card.one("h2").text.startswith("Verzoek om nieuwe beoordeling")  # the citizen's review request, in Dutch
    assert "Kijk de beslissing over mijn selectie opnieuw na." in card.one("blockquote").text
    assert "Wettelijke termijn voor het antwoord:" in card.text
    # only a decision meets a review request's deadline: the decision form, no plain answer beside it
    assert not card.select("textarea", name="answer")
    assert card.one("form", id=f"decide-{review['response_id']}")
    plain = officer_browser.submit(f"{path}/{review['response_id']}/answer", {"answer": "Besluit volgt."}, status=409)
    refused_card = parse(plain.get_data(as_text=True)).by_id(f"response-{review['response_id']}")
    refusal = refused_card.one("div", class_="refusal")
    assert "Op een verzoek om een nieuwe beoordeling neemt u een besluit met motivering" in refusal.text
    assert (
        officer_browser.page(f"/incidents/{assessed['id']}").by_id("letters").one("a", href=path).text
        == "Reacties van burgers"
    )

    # a complaint is answered (Awb 9:11): the answer form is there, and the answer meets its deadline
    complaint = record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=mailing.vault,
        token=review["token"],
        kind="complaint",
        text="Ik werd niet teruggebeld.",
    )
    cid = complaint["response_id"]
    assert officer_browser.page(path).by_id(f"response-{cid}").select("textarea", name="answer")
    answer = f"{path}/{cid}/answer"
    refused = parse(officer_browser.submit(answer, {"answer": " "}, status=422).get_data(as_text=True))
    expected = "Schrijf een antwoord van hoogstens 10.000 tekens."
    assert field_errors(refused) == {f"answer-{cid}": expected}

    officer_browser.submit(answer, {"answer": "Excuses. Wij bellen u deze week."})
    done = officer_browser.page(path).by_id(f"response-{cid}")
    assert "Beantwoord op" in done.text
    assert "Beantwoord door: olga" in done.text  # who answered, not "nobody yet"
    assert "nog niemand" not in done.text
    assert not done.select("textarea", name="answer")
    status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=review["token"])
    assert {r["kind"]: r["answered"] for r in status["responses"]} == {"review": False, "complaint": True}
    assert officer_browser.submit(answer, {"answer": "nog eens"}, status=409)


def test_staff_decide_a_review_request_and_the_citizen_gets_the_decision_letter(
    mailing: Herstel,
    officer_browser: Browser,
    assessed: dict[str, Any],
    review: dict[str, Any],
    dispatched: Any,
    clock: Any,
    smtp_server: Any,
) -> None:
    path = f"/incidents/{assessed['id']}/responses"
    rid = review["response_id"]
    card = officer_browser.page(path).by_id(f"response-{rid}")
    form = card.one("form", action=f"{path}/{rid}/decision#response-{rid}")
    assert [i["value"] for i in form.select("input", type="radio")] == ["granted", "partly_granted", "refused"]
    assert [label.text for label in form.one("fieldset").select("label")] == [
        "Toegewezen",
        "Gedeeltelijk toegewezen",
        "Afgewezen",
    ]

    # refused in Dutch, field by field, and nothing written is lost
    decide = f"{path}/{rid}/decision"
    refused = parse(officer_browser.submit(decide, {"outcome": "", "reasons": "  "}, status=422).get_data(as_text=True))
    assert field_errors(refused) == {
        f"decide-{rid}-outcome": "Fout: Kies een van de mogelijkheden.",
        f"decide-{rid}-reasons": "Fout: Verplicht: een besluit vermeldt de motivering (Awb 3:46, 7:12).",
    }
    kept = parse(
        officer_browser.submit(decide, {"outcome": "upheld", "reasons": "Mijn motivering."}, status=422).get_data(
            as_text=True
        )
    )
    # an objection's word, not this kind's
    assert field_errors(kept) == {f"decide-{rid}-outcome": "Fout: Kies een van de mogelijkheden."}
    assert kept.by_id(f"decide-{rid}-reasons").text == "Mijn motivering."

    officer_browser.submit(decide, {"outcome": "partly_granted", "reasons": "Een deel van de beslissing was fout."})
    done = officer_browser.page(path).by_id(f"response-{rid}")
    assert "Gedeeltelijk toegewezen" in done.text
    assert "Een deel van de beslissing was fout." in done.text
    assert "Besloten door: olga" in done.text  # who decided, not "Behandeld door: nog niemand"
    assert "nog niemand" not in done.text
    assert not done.select("input", type="radio")
    again = parse(
        officer_browser.submit(decide, {"outcome": "refused", "reasons": "Nee."}, status=409).get_data(as_text=True)
    )
    assert "Hierop is al beslist." in again.text

    timeline = officer_browser.page(f"/incidents/{assessed['id']}/timeline").text
    assert "Besluitbrief klaargezet" in timeline
    assert "Besluit op een verzoek om een nieuwe beoordeling" in timeline
    assert "gedeeltelijk toegewezen" in timeline
    before = len(smtp_server.messages())
    run_letters(mailing, dispatched, clock)
    (mail,) = smtp_server.messages()[before:]
    assert mail["Subject"] == "Ons besluit over uw vraag om een nieuwe beoordeling"
    assert "Wij geven u voor een deel gelijk." in " ".join(mail.get_body(("plain",)).get_content().split())


def test_a_stored_objection_still_reads_as_an_objection(
    mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], reader: str
) -> None:
    stored = store_objection(
        uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=reader, text="Ik maak bezwaar."
    )
    page = officer_browser.page(f"/incidents/{assessed['id']}/responses")
    card = page.by_id(f"response-{stored['response_id']}")
    assert card.one("h2").text.startswith("Bezwaar")
    assert "Ik maak bezwaar." in card.one("blockquote").text


def test_an_investigator_cannot_read_responses(browser: Callable[..., Browser], assessed: dict[str, Any]) -> None:
    assert browser("investigator").get(f"/incidents/{assessed['id']}/responses").status_code == 403


def test_a_response_is_handed_to_a_colleague_and_an_objection_decided(
    mailing: Herstel,
    officer_browser: Browser,
    coordinator_browser: Browser,
    assessed: dict[str, Any],
    objection: dict[str, Any],
) -> None:
    path = f"/incidents/{assessed['id']}/responses"
    rid = objection["response_id"]
    card = officer_browser.page(path).by_id(f"response-{rid}")
    assert "Behandeld door: nog niemand" in card.text
    coordinator_id = str(coordinator_browser.principal.user_id)
    assert coordinator_id in [o["value"] for o in card.one("select", id=f"assign-{rid}-user").select("option")]

    empty = parse(officer_browser.submit(f"{path}/{rid}/assignee", {"user_id": ""}, status=422).get_data(as_text=True))
    assert field_errors(empty) == {f"assign-{rid}-user": "Fout: Kies de collega die deze reactie gaat behandelen."}
    officer_browser.submit(f"{path}/{rid}/assignee", {"user_id": coordinator_id})
    handed = officer_browser.page(path)
    assert "cor behandelt deze reactie nu." in handed.one("div", class_="messages").text
    assert "Behandeld door: cor" in handed.by_id(f"response-{rid}").text
    again = officer_browser.submit(f"{path}/{rid}/assignee", {"user_id": coordinator_id}, status=409)
    refusal = parse(again.get_data(as_text=True)).by_id(f"response-{rid}").one("div", class_="refusal")
    assert "Deze reactie is al aan deze medewerker toegewezen." in refusal.text

    # the decision: an outcome and reasons, both required, the errors in Dutch beside their fields
    decision = f"{path}/{rid}/decision"
    incomplete = parse(
        coordinator_browser.submit(decision, {"outcome": "", "reasons": " "}, status=422).get_data(as_text=True)
    )
    errors = field_errors(incomplete)
    assert set(errors) == {f"decide-{rid}-outcome", f"decide-{rid}-reasons"}
    assert errors[f"decide-{rid}-reasons"] == "Fout: Verplicht: een besluit vermeldt de motivering (Awb 3:46, 7:12)."
    kept = parse(
        coordinator_browser.submit(decision, {"outcome": "partly_upheld", "reasons": ""}, status=422).get_data(
            as_text=True
        )
    )
    assert kept.one("input", id=f"decide-{rid}-outcome-partly_upheld").get("checked") is not None

    coordinator_browser.submit(decision, {"outcome": "partly_upheld", "reasons": "De selectie woog nationaliteit mee."})
    decided = coordinator_browser.page(path)
    assert "Uw besluit is vastgelegd. De burger krijgt de besluitbrief." in decided.one("div", class_="messages").text
    done = decided.by_id(f"response-{rid}")
    assert "Gedeeltelijk gegrond" in done.text
    assert "De selectie woog nationaliteit mee." in done.text
    assert "Besloten door: cor" in done.text  # the decider (here also the assignee)
    assert not done.select("form")  # decided and answered: nothing left to do on it (no answer form either)
    twice = coordinator_browser.submit(decision, {"outcome": "dismissed", "reasons": "Toch niet."}, status=409)
    assert "Hierop is al beslist." in parse(twice.get_data(as_text=True)).one("div", class_="refusal").text


def test_an_investigator_may_not_assign_or_decide(
    browser: Callable[..., Browser], assessed: dict[str, Any], officer_browser: Browser
) -> None:
    investigator = browser("investigator")
    rid = "00000000-0000-4000-8000-000000000000"
    path = f"/incidents/{assessed['id']}/responses/{rid}"
    assert investigator.post(f"{path}/assignee", {"user_id": str(officer_browser.principal.user_id)}).status_code == 403
    assert investigator.post(f"{path}/decision", {"outcome": "upheld", "reasons": "x"}).status_code == 403
