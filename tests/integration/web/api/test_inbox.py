"""GET /me/notifications, POST /me/notifications/read and the mail preferences, over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from installation import Herstel
from tests.integration.protocol.services.test_deadline_sweep import handle_everything
from tests.integration.web.conftest import Api


def waiver_requested(herstel: Herstel, officer_api: Api, assessed: dict[str, Any]) -> dict[str, Any]:
    """The officer asks to waive `suspend` (continued use): a second signature is needed."""
    incident = officer_api.act(assessed, "steps/suspend/waive", 202, justification="Handmatige controle van elk geval.")
    handle_everything(herstel)
    return incident


def test_an_approval_waiting_reaches_the_coordinator_in_their_language(
    herstel: Herstel, officer_api: Api, coordinator_api: Api, assessed: dict[str, Any]
) -> None:
    waiver_requested(herstel, officer_api, assessed)

    dutch = coordinator_api.ok(coordinator_api.get("/me/notifications", headers={"Accept-Language": "nl"}))
    english = coordinator_api.ok(coordinator_api.get("/me/notifications?lang=en"))
    own = officer_api.ok(officer_api.get("/me/notifications"))

    assert dutch["unread"] == 1
    assert dutch["total"] == 1
    [item] = dutch["items"]
    assert item["kind"] == "approval_waiting"
    assert item["reference"] == assessed["reference"]
    assert item["headline"] == "Uw goedkeuring wordt gevraagd"
    assert "tweede handtekening" in item["text"]
    assert item["link"] == "/approvals"
    assert item["read"] is False
    assert english["items"][0]["headline"] == "Your approval is waiting"
    assert own["items"] == []  # the one who asked is not told of their own request


def test_marking_read_touches_only_ones_own_notifications(
    herstel: Herstel, officer_api: Api, coordinator_api: Api, assessed: dict[str, Any]
) -> None:
    waiver_requested(herstel, officer_api, assessed)
    [item] = coordinator_api.ok(coordinator_api.get("/me/notifications"))["items"]

    by_other = officer_api.ok(officer_api.post("/me/notifications/read", {"ids": [item["id"]]}))
    assert by_other == {"marked": 0, "unread": 0}
    assert coordinator_api.ok(coordinator_api.get("/me/notifications?unread=true"))["total"] == 1

    marked = coordinator_api.ok(coordinator_api.post("/me/notifications/read", {"ids": [item["id"]]}))
    assert marked == {"marked": 1, "unread": 0}
    assert coordinator_api.ok(coordinator_api.get("/me/notifications?unread=true"))["items"] == []
    again = coordinator_api.ok(coordinator_api.post("/me/notifications/read", {"all": True}))
    assert again == {"marked": 0, "unread": 0}


def test_bad_requests_are_4xx_with_the_field_named(coordinator_api: Api, anonymous: Api) -> None:
    neither = coordinator_api.post("/me/notifications/read", {})
    both = coordinator_api.post("/me/notifications/read", {"ids": [str(uuid.uuid4())], "all": True})
    not_an_id = coordinator_api.post("/me/notifications/read", {"ids": ["nope"]})
    too_many = coordinator_api.get("/me/notifications?limit=1000")
    too_far = coordinator_api.get("/me/notifications?offset=9223372036854775808")

    for response in (neither, both, not_an_id, too_many, too_far):
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.content_type == "application/problem+json"
    assert "ids" in neither.get_json()["errors"]
    assert anonymous.get("/me/notifications").status_code == 401


def test_the_mail_preference_is_ones_own_choice(coordinator_api: Api, officer_api: Api) -> None:
    assert coordinator_api.ok(coordinator_api.get("/me/notification-preferences")) == {
        "mail": "each",
        "language": "nl",
    }
    refused = coordinator_api.client.put(
        "/api/v1/me/notification-preferences", json={"mail": "weekly"}, headers=coordinator_api.headers()
    )
    assert refused.status_code == 422
    assert "mail" in str(refused.get_json()["errors"])

    chosen = coordinator_api.client.put(
        "/api/v1/me/notification-preferences",
        json={"mail": "daily", "language": "en"},
        headers=coordinator_api.headers(),
    )
    assert chosen.status_code == 200, chosen.get_data(as_text=True)
    assert chosen.get_json() == {"mail": "daily", "language": "en"}
    assert coordinator_api.ok(coordinator_api.get("/me/notification-preferences"))["mail"] == "daily"
    assert officer_api.ok(officer_api.get("/me/notification-preferences"))["mail"] == "each"
