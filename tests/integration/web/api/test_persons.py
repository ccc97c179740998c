"""POST/GET /incidents/{id}/affected-persons: a CSV in (raw or multipart), all or nothing, 413, masking."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from installation import Herstel
from protocol.services import MATRIX, Role
from tests.integration.notifications.conftest import people as make_people
from tests.integration.notifications.conftest import persons_file
from tests.integration.web.conftest import Api
from web import create_app


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Letters and persons run on PostgreSQL, as production does."""
    return str(request.param)


def upload_csv(api: Api, incident_id: str, data: bytes) -> Any:
    return api.post(f"/incidents/{incident_id}/affected-persons", data=data, headers={"Content-Type": "text/csv"})


def test_import_a_csv_body_then_again_merges_instead_of_adding(officer_api: Api, incident: dict[str, Any]) -> None:
    data = persons_file(make_people(3))
    assert officer_api.ok(upload_csv(officer_api, incident["id"], data), 201) == {"imported": 3, "merged": 0, "rows": 3}
    assert officer_api.ok(upload_csv(officer_api, incident["id"], data), 201) == {"imported": 0, "merged": 3, "rows": 3}
    page = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/affected-persons"))
    assert page["total"] == 3
    timeline = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/timeline"))
    imported = [e for e in timeline["events"] if e["type"] == "AffectedPersonsImported"]
    assert [e["payload"]["persons"] for e in imported] == [3, 3]


def test_import_as_multipart(officer_api: Api, incident: dict[str, Any]) -> None:
    response = officer_api.client.post(
        f"/api/v1/incidents/{incident['id']}/affected-persons",
        data={"file": (io.BytesIO(persons_file(make_people(2))), "getroffenen.csv", "text/csv")},
        headers=officer_api.headers(),
        content_type="multipart/form-data",
    )
    assert officer_api.ok(response, 201)["imported"] == 2
    missing = officer_api.client.post(
        f"/api/v1/incidents/{incident['id']}/affected-persons",
        data={"other": "x"},
        headers=officer_api.headers(),
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422
    assert "file" in missing.get_json()["errors"]


def test_a_bad_file_is_refused_whole_with_its_rows(officer_api: Api, incident: dict[str, Any]) -> None:
    rows = make_people(4)
    rows[1]["bsn"] = "123456789"  # fails the eleven test; the file's row 3 (the header is row 1)
    rows[3]["postcode"] = "12345"  # row 5
    response = upload_csv(officer_api, incident["id"], persons_file(rows))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["rule"] == "persons-file"
    assert body["total"] == 2
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "bsn"), (5, "postal_code")]
    assert all(e["message"] for e in body["errors"])
    assert "nothing was imported" in body["detail"]
    assert officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/affected-persons"))["total"] == 0


def test_a_body_over_the_limit_is_413(herstel: Herstel, officer_api: Api, incident: dict[str, Any]) -> None:
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 500}, herstel=herstel)
    api = Api(app.test_client(), officer_api.token)
    response = upload_csv(api, incident["id"], persons_file(make_people(20)))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_json_is_not_a_persons_file(officer_api: Api, incident: dict[str, Any]) -> None:
    response = officer_api.post(f"/incidents/{incident['id']}/affected-persons", {"bsn": "1"})
    assert response.status_code == 415


def test_pages_with_totals_and_identity_for_officers(officer_api: Api, incident: dict[str, Any]) -> None:
    officer_api.ok(upload_csv(officer_api, incident["id"], persons_file(make_people(5))), 201)
    page = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/affected-persons?page=2&per_page=2"))
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (5, 2, 2, 2)
    assert page["identity_visible"] is True
    person = page["items"][0]
    assert person["identity"]["name"].startswith("Zoë Öztürk-")
    assert person["identity"]["address"]["postal_code"] == "1234 AB"
    assert person["kind"] == "affected"
    assert person["letter"] is None
    bad = officer_api.get(f"/incidents/{incident['id']}/affected-persons?per_page=0")
    assert bad.status_code == 422


def test_oversight_and_investigators_never_see_persons(
    as_user: Any, officer_api: Api, incident: dict[str, Any]
) -> None:
    officer_api.ok(upload_csv(officer_api, incident["id"], persons_file(make_people(1))), 201)
    for role in ("oversight", "investigator"):
        response = as_user(role).get(f"/incidents/{incident['id']}/affected-persons")
        assert response.status_code == 403, role
        assert response.get_json()["action"] == "persons.read"
        refused = upload_csv(as_user(role), incident["id"], persons_file(make_people(1)))
        assert refused.status_code == 403, role


def test_a_role_that_may_list_but_not_identify_gets_identity_masked(
    as_user: Any, officer_api: Api, incident: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix today gives persons.read only with persons.read_identity; should a role get the one
    without the other (here oversight), the API shows it the persons without who they are."""
    officer_api.ok(upload_csv(officer_api, incident["id"], persons_file(make_people(2))), 201)
    monkeypatch.setitem(
        MATRIX, "persons.read", {**MATRIX["persons.read"], Role.OVERSIGHT: MATRIX["persons.read"][Role.OFFICER]}
    )
    page = as_user("oversight").ok(as_user("oversight").get(f"/incidents/{incident['id']}/affected-persons"))
    assert page["identity_visible"] is False
    assert page["total"] == 2
    assert [p["identity"] for p in page["items"]] == [None, None]
    assert "Öztürk" not in str(page)


def test_unknown_incident_is_404(officer_api: Api, client: FlaskClient) -> None:
    response = upload_csv(officer_api, "00000000-0000-4000-8000-000000000000", persons_file(make_people(1)))
    assert response.status_code == 404


def test_the_list_masks_the_bsn_a_search_posts_it_and_one_person_shows_it_whole(
    officer_api: Api, incident: dict[str, Any], as_user: Any
) -> None:
    everyone = make_people(3)
    officer_api.ok(upload_csv(officer_api, incident["id"], persons_file(everyone)), 201)
    base = f"/incidents/{incident['id']}/affected-persons"
    listed = officer_api.ok(officer_api.get(base))
    assert sorted(p["identity"]["bsn"] for p in listed["items"]) == sorted("******" + p["bsn"][-3:] for p in everyone)
    assert listed["searched"] is False

    found = officer_api.ok(officer_api.post(f"{base}/search", {"bsn": everyone[2]["bsn"]}))
    assert (found["total"], found["searched"]) == (1, True)
    (person,) = found["items"]
    assert person["identity"]["name"] == everyone[2]["name"]
    assert everyone[2]["bsn"] not in str(found)

    bad = officer_api.post(f"{base}/search", {"bsn": "123456789"})
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert "bsn" in bad.get_json()["errors"]
    assert officer_api.post(f"{base}/search", {}).status_code == 422
    assert officer_api.get(f"{base}/search?bsn={everyone[0]['bsn']}").status_code == 405  # never in a URL

    opened = officer_api.ok(officer_api.get(f"{base}/{person['id']}"))
    assert opened["identity"]["bsn"] == everyone[2]["bsn"]
    assert officer_api.get(f"{base}/00000000-0000-4000-8000-000000000000").status_code == 404
    assert as_user("investigator").get(f"{base}/{person['id']}").status_code in (403, 404)
