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
from tests.integration.web.pages.conftest import Browser, field_errors
from tests.integration.web.pages.dom import parse
from tests.integration.web.pages.letters import deliver

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]


@pytest.fixture
def objection(mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any,
              smtp_server: Any) -> dict[str, Any]:  # fmt: skip
    codes = deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server, count=1)
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=mailing.vault,
        access_code=next(iter(codes.values())),
    )
    recorded = record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=mailing.vault,
        token=session.token,
        kind="objection",
        text="Ik maak bezwaar tegen mijn selectie.",
    )
    return {"token": session.token, **recorded}


def test_staff_read_a_response_with_its_deadline_and_answer_it(
    mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], objection: dict[str, Any]
) -> None:
    path = f"/incidents/{assessed['id']}/responses"
    page = officer_browser.page(path)
    card = page.by_id(f"response-{objection['response_id']}")
    assert card.one("h2").text.startswith("Bezwaar")
    assert "Ik maak bezwaar tegen mijn selectie." in card.one("blockquote").text
    assert "Wettelijke termijn voor het antwoord:" in card.text
    assert (
        officer_browser.page(f"/incidents/{assessed['id']}").by_id("letters").one("a", href=path).text
        == "Reacties van burgers"
    )

    answer = f"{path}/{objection['response_id']}/answer"
    refused = parse(officer_browser.submit(answer, {"answer": " "}, status=422).get_data(as_text=True))
    expected = "Schrijf een antwoord van hoogstens 10.000 tekens."
    assert field_errors(refused) == {f"answer-{objection['response_id']}": expected}

    officer_browser.submit(answer, {"answer": "Wij behandelen uw bezwaar; u hoort binnen zes weken van ons."})
    done = officer_browser.page(path).by_id(f"response-{objection['response_id']}")
    assert "Beantwoord op" in done.text
    assert not done.select("form")
    status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=objection["token"])
    assert status["responses"][0]["answered"] is True
    assert officer_browser.submit(answer, {"answer": "nog eens"}, status=409)


def test_an_investigator_cannot_read_responses(browser: Callable[..., Browser], assessed: dict[str, Any]) -> None:
    assert browser("investigator").get(f"/incidents/{assessed['id']}/responses").status_code == 403
