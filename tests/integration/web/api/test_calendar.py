"""GET /api/v1/calendar/due: the deadline calculator over HTTP, for signed-in users, in their language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.web.conftest import Api

DUE = "/calendar/due"


def due(api: Api, status: int = 200, lang: str = "nl", **query: str) -> dict[str, Any]:
    response = api.get(DUE, query_string=query, headers={"Accept-Language": lang})
    assert response.status_code == status, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_fifteen_days_under_eu_law_and_under_the_atw(officer_api: Api) -> None:
    eu = due(officer_api, **{"from": "2028-05-11", "period": "P15D", "rule": "eu"})
    atw = due(officer_api, **{"from": "2028-05-11", "period": "P15D", "rule": "atw"})

    assert (eu["last_day"], eu["due_at"]) == ("2028-05-26", "2028-05-26T22:00:00+00:00")
    assert atw["last_day"] == "2028-05-29"
    decree = next(p for p in atw["explanation"] if p["code"] == "extended-holiday")
    assert decree["params"] == {"day": "2028-05-26", "holiday": "gelijkgestelde dag"}


def test_the_explanation_names_each_day_in_the_readers_language(officer_api: Api) -> None:
    query = {"from": "2027-04-09", "period": "P2D", "rule": "eu"}

    dutch = due(officer_api, **query, lang="nl")["explanation"]
    english = due(officer_api, **query, lang="en")["explanation"]

    assert [p["code"] for p in dutch] == [
        "rule-eu",
        "period-start",
        "counted-end",
        "extended-weekend",
        "extended-two-working-days",
        "ends",
    ]
    assert dutch[3]["text"] == "Zondag 11 april 2027 valt in het weekend: de termijn loopt door tot de volgende dag."
    assert "ten minste twee werkdagen" in dutch[4]["text"]
    assert "dinsdag 13 april 2027" in dutch[4]["text"]
    assert english[3]["text"].startswith("Sunday, April 11, 2027 falls in the weekend")


def test_hours_across_the_spring_clock_change(officer_api: Api) -> None:
    body = due(officer_api, **{"from": "2026-03-27T10:00:00+01:00", "period": "PT72H", "rule": "hours", "lang": "en"})

    assert body["due_at"] == "2026-03-30T09:00:00+00:00"
    assert body["last_day"] is None
    assert "next full hour" in body["explanation"][2]["text"]


def test_workdays_name_a_holiday_they_skip(officer_api: Api) -> None:
    body = due(officer_api, **{"from": "2025-04-25", "period": "P1D", "rule": "workdays"})

    assert body["last_day"] == "2025-04-28"
    assert {"day": "2025-04-26", "holiday": "Koningsdag"} in [p["params"] for p in body["explanation"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "11 May 2028", "period": "P15D", "rule": "eu"}, "from"),
        ({"from": "2028-05-11T10:00:00", "period": "P15D", "rule": "eu"}, "from"),  # no zone
        ({"from": "2028-05-11", "period": "P1Y", "rule": "eu"}, "period"),
        ({"from": "2028-05-11", "period": "PT72H", "rule": "eu"}, "period"),
        ({"from": "2028-05-11", "period": "P99999D", "rule": "atw"}, "period"),
        ({"from": "2028-05-11", "period": "PT72H", "rule": "hours"}, "from"),  # hours run from a moment
    ],
)
def test_bad_input_is_refused_naming_the_field(officer_api: Api, query: dict[str, str], field: str) -> None:
    response = officer_api.get(DUE, query_string=query)

    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2028-05-11", "period": "P15D", "rule": "julian"}, "rule"),
        ({"period": "P15D", "rule": "eu"}, "from"),
    ],
)
def test_a_query_the_schema_refuses_names_the_field(officer_api: Api, query: dict[str, str], field: str) -> None:
    response = officer_api.get(DUE, query_string=query)

    assert response.status_code == 422
    assert field in response.get_data(as_text=True)


def test_only_signed_in_users_may_calculate(anonymous: Api, as_user: Callable[..., Api]) -> None:
    query = {"from": "2028-05-11", "period": "P15D", "rule": "eu"}

    assert anonymous.get(DUE, query_string=query).status_code == 401
    assert as_user("oversight").get(DUE, query_string=query).status_code == 200


def test_the_calculator_is_in_the_openapi_document(officer_api: Api) -> None:
    spec = officer_api.client.get("/api/v1/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/calendar/due"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "period", "rule"}
    assert "DueSchema" in str(operation["responses"]["200"]) or "Due" in str(operation["responses"]["200"])


def test_a_definition_shows_each_deadlines_rule_and_start(officer_api: Api) -> None:
    rules = {d["key"]: d for d in officer_api.ok(officer_api.get("/protocols/nl-discrimination/2"))["deadlines"]}

    assert (rules["report-ai-act-art73"]["calendar_rule"], rules["report-ai-act-art73"]["runs_from"]) == (
        "eu",
        "became_aware_at",
    )
    assert rules["report-gdpr-art33"]["calendar_rule"] == "hours"
    assert rules["assess"]["calendar_rule"] == "workdays"
    assert rules["complaint"]["calendar_rule"] == "atw"


def test_the_explanation_opens_with_the_rule_and_its_holidays(officer_api: Api) -> None:
    workdays = due(officer_api, lang="en", **{"from": "2026-12-24", "period": "P2D", "rule": "workdays"})
    eu = due(officer_api, **{"from": "2026-12-24", "period": "P2D", "rule": "eu"})

    assert workdays["explanation"][0]["text"] == (
        "Counted in working days; the holidays are those of the Algemene termijnenwet, decree days included."
    )
    assert eu["explanation"][0]["text"].startswith("Berekend volgens Verordening 1182/71 art. 3")
