"""POST /incidents/{id}/letters and GET .../letters/summary: 202, one letter per person and kind."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from tests.integration.notifications.conftest import Dispatched, persons_file, run_letters
from tests.integration.notifications.conftest import dispatched as dispatched  # the fixture, shared
from tests.integration.notifications.conftest import people as make_people
from tests.integration.web.conftest import Api


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def import_people(api: Api, incident_id: str, count: int, prefix: str = "9999") -> None:
    data = persons_file(make_people(count, prefix=prefix))
    response = api.post(f"/incidents/{incident_id}/affected-persons", data=data, headers={"Content-Type": "text/csv"})
    api.ok(response, 201)


def test_a_campaign_is_accepted_and_a_second_one_writes_nobody_twice(
    officer_api: Api, assessed: dict[str, Any]
) -> None:
    incident_id = assessed["id"]
    import_people(officer_api, incident_id, 3)
    first = officer_api.ok(officer_api.post(f"/incidents/{incident_id}/letters", {"kind": "notification"}), 202)
    assert first["created"] is True
    assert first["letters"] == 3
    assert first["channels"] == {"email": 3}
    again = officer_api.ok(officer_api.post(f"/incidents/{incident_id}/letters", {"kind": "notification"}), 202)
    assert again["created"] is False
    assert again["letters"] == 0
    assert again["campaign_id"] == first["campaign_id"]
    summary = officer_api.ok(officer_api.get(f"/incidents/{incident_id}/letters/summary"))
    assert summary["total"] == 3
    assert summary["by_status"] == {"queued": 3}
    assert summary["by_channel"] == {"email": {"queued": 3}}
    assert summary["by_kind"] == {"notification": 3}
    assert summary["open"] == 3
    assert [c["id"] for c in summary["campaigns"]] == [first["campaign_id"]]
    # someone added later gets their letter from the next campaign; nobody else gets a second
    import_people(officer_api, incident_id, 1, prefix="9998")
    late = officer_api.ok(officer_api.post(f"/incidents/{incident_id}/letters", {"kind": "notification"}), 202)
    assert late["letters"] == 1
    assert officer_api.ok(officer_api.get(f"/incidents/{incident_id}/letters/summary"))["total"] == 4
    incident = officer_api.ok(officer_api.get(f"/incidents/{incident_id}"))
    assert incident["steps"]["inform"]["state"] == "active"


def test_refusals(officer_api: Api, as_user: Any, assessed: dict[str, Any]) -> None:
    path = f"/incidents/{assessed['id']}/letters"
    unknown = officer_api.post(path, {"kind": "postcard"})
    assert unknown.status_code == 422
    assert "kind" in unknown.get_json()["errors"]
    nobody = officer_api.post(path, {"kind": "notification"})
    assert nobody.status_code == 409
    assert nobody.get_json()["rule"] == "no-recipients"
    wrong_kind = officer_api.post(path, {"kind": "unfounded"})
    assert wrong_kind.status_code == 409
    assert wrong_kind.get_json()["rule"] == "letter-kind"
    assert as_user("oversight").post(path, {"kind": "notification"}).status_code == 403
    assert as_user("investigator").get(f"{path}/summary").status_code == 403


def test_summary_of_an_incident_without_letters(officer_api: Api, incident: dict[str, Any]) -> None:
    summary = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/letters/summary"))
    assert summary["total"] == 0
    assert summary["campaigns"] == []


def test_a_letter_rerouted_to_post_after_its_emails_gets_posts_own_attempts(
    herstel: Herstel, officer_api: Api, assessed: dict[str, Any], smtp_server: Any, dispatched: Dispatched, clock: Any
) -> None:
    """Email's cap used to cap post as well: a letter rerouted after 8 email attempts failed outright
    when its first post attempt failed for a moment. Post now counts its own attempts."""
    incident_id = assessed["id"]
    reader = persons_file(make_people(1, email=lambda i: "tempfail9-lezer@example.nl"))  # 451 nine times
    officer_api.ok(
        officer_api.post(
            f"/incidents/{incident_id}/affected-persons", data=reader, headers={"Content-Type": "text/csv"}
        ),
        201,
    )
    officer_api.ok(officer_api.post(f"/incidents/{incident_id}/letters", {"kind": "notification"}), 202)
    settings = replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    mailing = replace(herstel, settings=settings)
    pending = Path(settings.data_dir) / "print" / "pending"
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_bytes(b"")  # the print house's folder cannot be written to, for a while

    run_letters(mailing, dispatched, clock, rounds=8)  # 8 email attempts, then post at once, which fails
    summary = officer_api.ok(officer_api.get(f"/incidents/{incident_id}/letters/summary"))
    assert summary["by_channel"] == {"post": {"queued": 1}}  # to be tried again by post, not failed

    pending.unlink()
    run_letters(mailing, dispatched, clock)
    summary = officer_api.ok(officer_api.get(f"/incidents/{incident_id}/letters/summary"))
    assert summary["by_channel"] == {"post": {"delivered": 1}}
    assert smtp_server.messages() == []


def test_the_preview_counts_per_channel_and_a_start_with_another_count_is_refused(
    officer_api: Api, assessed: dict[str, Any]
) -> None:
    incident_id = assessed["id"]
    import_people(officer_api, incident_id, 2)
    preview = officer_api.ok(officer_api.get(f"/incidents/{incident_id}/letters/preview?kind=notification"), 200)
    assert preview["letters"] == 2
    assert preview["channels"] == {"email": 2, "post": 0, "none": 0}
    assert preview["letter"]["channel"] == "email"
    assert (
        "SAMPLE-NOT-A-REAL-CODE" in preview["letter"]["text"]
        or "VOORBEELD-GEEN-ECHTE-CODE" in preview["letter"]["text"]
    )
    pdf = officer_api.get(f"/incidents/{incident_id}/letters/preview.pdf?kind=notification")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    import_people(officer_api, incident_id, 3)
    body = {"kind": "notification", "expected_letters": preview["letters"]}
    refused = officer_api.post(f"/incidents/{incident_id}/letters", body)
    assert refused.status_code == 409
    problem = refused.get_json()
    assert (problem["expected"], problem["actual"]) == (2, 3)
    started = officer_api.ok(
        officer_api.post(f"/incidents/{incident_id}/letters", {**body, "expected_letters": 3}), 202
    )
    assert started["letters"] == 3
