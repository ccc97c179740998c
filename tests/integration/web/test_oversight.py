"""The oversight body's views over HTTP, with two organisations (issue 9, items 1, 2 and 6).

Org A's incident has affected persons imported with known BSNs, names, addresses and e-mail
addresses, free text naming someone in its title, description and evidence, one deadline met late,
one missed and one still open. Org B has an incident of its own. The checks: an oversight user reads
exactly the organisations granted (`herstel user create --organisation A --organisation B`), and a
revoked grant ends access at the next request; no other role reaches these views; and no imported
value, and none of the free text, appears in any oversight answer: list, CSV, incident, timeline,
notices, pages.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from installation import Herstel
from notifications.demo import fictitious_bsns
from notifications.services import import_persons, open_vault, unit_of_work
from protocol.services import (
    Principal,
    complete_step,
    create_organisation,
    create_token,
    create_user,
    get_principal,
    register_algorithm,
    report_incident,
    start_step,
    sweep_deadlines,
)
from tests.conftest import Clock
from tests.integration.cli.test_main import herstel_cli
from tests.integration.notifications.conftest import persons_file
from tests.integration.web.conftest import Api
from tests.integration.web.pages.conftest import PASSWORD, Browser
from web import create_app

pytestmark = pytest.mark.postgres

NAMED = "Jozefien Verklikker"  # a person the officers wrote about in free text
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 40,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": f"Gemeld door {NAMED}, die zelf werd afgewezen.",
}
SUSPENSION = {
    "scope": "full",
    "fallback_procedure": f"Handmatig, op verzoek van {NAMED}.",
    "not_working_since": "2026-11-30T10:00:00Z",
    "confirmed_by_owner": True,
}
PERSONS = [
    {
        "bsn": bsn,
        "name": f"Wubbo Onvindbaar{i}",
        "street": f"Schuilhoekweg{i}",
        "number": str(70 + i),
        "postcode": f"96{i:02d} ZX",
        "city": "Verstopperdam",
        "email": f"wubbo.onvindbaar{i}@schuilplaats.nl",
        "lang": "nl",
        "consent": "ja",
    }
    for i, bsn in zip(range(3), fictitious_bsns("9996"), strict=False)
]
RAW_VALUES = {v for p in PERSONS for k, v in p.items() if k not in ("lang", "consent", "number")}


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class World:
    herstel: Herstel
    app: Flask
    a_incident: dict[str, Any]
    b_incident: dict[str, Any]
    a_officer: Principal

    def api(self, principal: Principal) -> Api:
        return Api(
            self.app.test_client(),
            create_token(uow=self.herstel.uow(), by=Principal.installation(), email=principal.email).secret,
        )

    def browser(self, principal: Principal, language: str = "nl") -> Browser:
        return Browser(self.app, principal, language).sign_in()


def _report(herstel: Herstel, officer: Principal, algorithm_id: Any, clock: Clock) -> dict[str, Any]:
    return report_incident(
        uow=herstel.uow(),
        principal=officer,
        algorithm_id=algorithm_id,
        title=f"Klacht van {NAMED}",
        description=f"{NAMED} belde over het risicomodel.",
        source="citizen",
        detected_at=clock.now,
        protected_grounds=["nationality"],
    )


@pytest.fixture
def world(herstel: Herstel, make_user: Callable[..., Principal], clock: Clock) -> World:
    a_officer = make_user("officer", password=PASSWORD)
    b_org = create_organisation(uow=herstel.uow(), slug="gemeente-bravo", name="Gemeente Bravo", reference_prefix="BRA")
    b_user = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="officer@bravo.nl",
        roles=["officer"],
        organisation_id=b_org,
    )
    b_officer = get_principal(uow=herstel.uow(), user_id=b_user)
    a_algorithm = register_algorithm(uow=herstel.uow(), principal=a_officer, name="Toeslagenmodel Alfa")
    b_algorithm = register_algorithm(uow=herstel.uow(), principal=b_officer, name="Parkeermodel Bravo")

    incident = _report(herstel, a_officer, a_algorithm["id"], clock)
    incident = complete_step(
        uow=herstel.uow(),
        principal=a_officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )
    import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=a_officer,
        incident_id=incident["id"],
        data=persons_file(PERSONS),
    )
    # 20 days on: suspend (1 working day) and report (15 days) are missed; inform (4 weeks) still runs
    clock.advance(days=20)
    sweep_deadlines(uow_factory=herstel.uow)
    incident = start_step(
        uow=herstel.uow(), principal=a_officer, incident_id=incident["id"], step="suspend", version=incident["version"]
    )
    incident = complete_step(
        uow=herstel.uow(),
        principal=a_officer,
        incident_id=incident["id"],
        step="suspend",
        version=incident["version"],
        evidence=SUSPENSION,
    )
    b_incident = _report(herstel, b_officer, b_algorithm["id"], clock)
    app = create_app({"TESTING": True}, herstel=herstel)
    return World(herstel, app, incident, b_incident, a_officer)


def overseer(herstel: Herstel, *organisations: str, email: str | None = None) -> Principal:
    """An oversight user made as an administrator makes one: on the command line, one grant per organisation."""
    email = email or f"toezicht-{uuid.uuid4().hex[:6]}@rekenkamer.nl"
    args = [arg for slug in organisations for arg in ("--organisation", slug)]
    made = herstel_cli(herstel, "user", "create", email, "--role", "oversight", *args)
    assert made.returncode == 0, made.stderr
    user_id = re.search(r"\(([0-9a-f-]{36})\)", made.stdout)
    assert user_id, made.stdout
    return get_principal(uow=herstel.uow(), user_id=uuid.UUID(user_id.group(1)))


def references(api: Api) -> set[str]:
    return {item["reference"] for item in api.ok(api.get("/oversight/incidents"))["items"]}


# ---------------------------------------------------------------------------------------- grants


def test_a_grant_per_organisation_on_the_command_line_and_a_revoked_one_ends_at_the_next_request(
    world: World,
) -> None:
    body = overseer(world.herstel, "default", "gemeente-bravo")
    api = world.api(body)
    a_ref, b_ref = world.a_incident["reference"], world.b_incident["reference"]
    assert references(api) == {a_ref, b_ref}
    assert api.get(f"/oversight/incidents/{world.b_incident['id']}").status_code == 200

    revoked = herstel_cli(
        world.herstel, "user", "revoke", body.email, "--role", "oversight", "--organisation", "gemeente-bravo"
    )
    assert revoked.returncode == 0, revoked.stderr

    # the same token, the very next request: B is gone, A stays
    assert references(api) == {a_ref}
    gone = api.get(f"/oversight/incidents/{world.b_incident['id']}")
    assert gone.status_code == 404
    assert api.get(f"/oversight/incidents/{world.b_incident['id']}/timeline").status_code == 404
    assert api.get(f"/oversight/incidents/{world.a_incident['id']}").status_code == 200

    herstel_cli(world.herstel, "user", "revoke", body.email, "--role", "oversight", "--organisation", "default")
    assert api.get("/oversight/incidents").status_code == 403


def test_oversight_of_a_sees_only_a_and_b_does_not_exist_for_it(world: World) -> None:
    body = overseer(world.herstel, "default")
    api = world.api(body)
    assert references(api) == {world.a_incident["reference"]}
    b = world.b_incident["id"]
    for path in (f"/oversight/incidents/{b}", f"/oversight/incidents/{b}/timeline"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["rule"] == "unknown-incident"
    bravo = api.get(f"/oversight/incidents?organisation_id={world.b_incident['organisation_id']}")
    assert bravo.status_code == 404
    csv_text = api.get("/oversight/incidents.csv").get_data(as_text=True)
    assert world.a_incident["reference"] in csv_text
    assert world.b_incident["reference"] not in csv_text

    # the officers' incident views stay closed to the body: it has oversight.read, not incident.read
    assert api.get(f"/incidents/{world.a_incident['id']}").status_code == 403
    assert api.get(f"/incidents/{world.a_incident['id']}/timeline").status_code == 403


@pytest.mark.parametrize("role", ["officer", "coordinator", "investigator", "admin"])
def test_no_other_role_reaches_the_oversight_views(
    world: World, make_user: Callable[..., Principal], role: str
) -> None:
    user = make_user(role, password=PASSWORD)
    api = world.api(user)
    a = world.a_incident["id"]
    for path in (
        "/oversight/incidents",
        "/oversight/incidents.csv",
        f"/oversight/incidents/{a}",
        f"/oversight/incidents/{a}/timeline",
        "/oversight/notices",
    ):
        response = api.get(path)
        assert response.status_code == 403, (role, path, response.status_code)
        assert response.get_json()["rule"] == "permission"
    browser = world.browser(user)
    for path in ("/oversight", "/oversight/incidents.csv", f"/oversight/incidents/{a}"):
        assert browser.get(path).status_code == 403, (role, path)
    assert "/oversight" not in browser.get("/").get_data(as_text=True)


# ---------------------------------------------------------------------------------------- what it shows


def test_every_deadline_outcome_and_step_state_with_filters_search_and_sort(world: World) -> None:
    api = world.api(overseer(world.herstel, "default", "gemeente-bravo"))
    listing = api.ok(api.get("/oversight/incidents"))
    a = next(item for item in listing["items"] if item["id"] == str(world.a_incident["id"]))
    outcomes = {d["rule"]: d["outcome"] for d in a["deadlines"]}
    assert outcomes["suspend"] == "met_late"
    assert outcomes["report-service-norm"] == "missed"
    assert outcomes["inform"] == "open"
    assert a["missed"] == sum(1 for o in outcomes.values() if o in ("missed", "met_late"))
    states = {s["key"]: s["state"] for s in a["steps"]}
    assert states["assess"] == "completed"
    assert states["suspend"] == "completed"
    assert states["report"] == "pending"
    assert a["organisation"]
    assert a["algorithm"] == "Toeslagenmodel Alfa"
    assert "title" not in a
    assert "description" not in a

    def refs(query: str) -> list[str]:
        return [i["reference"] for i in api.ok(api.get(f"/oversight/incidents?{query}"))["items"]]

    a_ref, b_ref = world.a_incident["reference"], world.b_incident["reference"]
    assert refs("missed=true") == [a_ref]
    assert refs("missed=false") == [b_ref]
    assert refs(f"reference={a_ref[:-2].lower()}") == [a_ref]
    assert refs(f"algorithm_id={world.b_incident['algorithm_id']}") == [b_ref]
    assert refs(f"organisation_id={world.b_incident['organisation_id']}") == [b_ref]
    assert refs("state=closed") == []
    assert refs("reported_from=2026-12-10") == [b_ref]  # A was reported on 30 November, B 20 days later
    assert refs("reported_to=2026-11-30") == [a_ref]
    assert refs("sort=missed&order=desc") == [a_ref, b_ref]
    assert refs("sort=missed&order=asc") == [b_ref, a_ref]
    bad = api.get("/oversight/incidents?sort=title")
    assert bad.status_code == 422
    assert "sort" in str(bad.get_json())

    notices = api.ok(api.get("/oversight/notices"))
    assert {(n["reference"], n["rule"], n["outcome"]) for n in notices} == {
        (a_ref, "suspend", "met_late"),
        (a_ref, "report-service-norm", "missed"),
    }

    detail = api.ok(api.get(f"/oversight/incidents/{world.a_incident['id']}"))
    assert detail["persons"]["affected"] == len(PERSONS)
    assert len(detail["persons"]["pseudonyms"]) == len(PERSONS)
    assert all(re.fullmatch(r"P-[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", p) for p in detail["persons"]["pseudonyms"])
    assert detail["facts"]["outcome"] == "suspected"
    assert "summary" not in detail["facts"]
    assert detail["sanctions"] == {"by_kind": {}, "total": 0, "none_recorded": False}
    again = api.ok(api.get(f"/oversight/incidents/{world.a_incident['id']}"))
    assert again["persons"]["pseudonyms"] == detail["persons"]["pseudonyms"]  # stable

    timeline = api.ok(api.get(f"/oversight/incidents/{world.a_incident['id']}/timeline"))
    meanings = [e["meaning"] for e in timeline["events"]]
    assert "Signaal gemeld" in meanings or "Signal reported" in meanings
    assert all("payload" not in e for e in timeline["events"])
    english = api.ok(
        api.get(f"/oversight/incidents/{world.a_incident['id']}/timeline", headers={"Accept-Language": "en"})
    )
    assert "Deadline missed" in [e["meaning"] for e in english["events"]]
    assert any(e["meaning"] == "Affected persons imported" for e in english["events"])


def test_csv_has_a_row_per_incident_with_outcome_counts_and_step_states(world: World) -> None:
    api = world.api(overseer(world.herstel, "default"))
    response = api.get("/oversight/incidents.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    (row,) = rows
    assert row["reference"] == world.a_incident["reference"]
    assert row["deadlines_missed"] == "1"
    assert row["deadlines_met_late"] == "1"
    assert row["step_suspend"] == "completed"


def _all_oversight_answers(world: World, api: Api, browser: Browser) -> list[TestResponse]:
    a = world.a_incident["id"]
    answers = [
        api.get(path)
        for path in (
            "/oversight/incidents",
            "/oversight/incidents.csv",
            f"/oversight/incidents/{a}",
            f"/oversight/incidents/{a}/timeline",
            "/oversight/notices",
        )
    ]
    answers += [browser.get(p) for p in ("/", "/oversight", "/oversight/incidents.csv", f"/oversight/incidents/{a}")]
    for response in answers:
        assert response.status_code == 200, response.request.path
    return answers


def test_no_imported_value_and_no_free_text_in_any_oversight_answer(world: World, make_user: Any) -> None:
    body = make_user("oversight", password=PASSWORD)
    api, browser = world.api(body), world.browser(body)
    secrets = RAW_VALUES | {NAMED, world.a_incident["title"], world.a_incident["description"]}
    for response in _all_oversight_answers(world, api, browser):
        raw = response.get_data()
        found = sorted(s for s in secrets if s.encode() in raw)
        assert found == [], (response.request.path, found)
        # person ids are replaced by pseudonyms, too
        assert b"citizen:" not in raw or b"citizen:P-" in raw


def test_pages_dutch_and_english_with_the_chart_and_its_table(world: World, make_user: Any) -> None:
    body = make_user("oversight", password=PASSWORD)
    home = world.browser(body).get("/").get_data(as_text=True)
    assert 'href="/oversight"' in home
    assert "Naar het toezichtsoverzicht" in home

    dashboard = world.browser(body).get("/oversight").get_data(as_text=True)
    assert "Wettelijke termijnen niet gehaald" in dashboard
    assert world.a_incident["reference"] in dashboard
    assert "Te laat gehaald" in dashboard
    assert "Verlopen" in dashboard

    page = world.browser(body, "en").get(f"/oversight/incidents/{world.a_incident['id']}").get_data(as_text=True)
    assert '<html lang="en">' in page
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg, page
    tree = ET.fromstring(svg.group(0))  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert tree.find(f"{ns}title") is not None
    assert tree.find(f"{ns}desc") is not None
    assert tree.find(f".//{ns}g[@class='deadline deadline--missed']") is not None
    assert 'id="chart-data"' in page
    assert "The chart as a table" in page
    assert "Met late" in page
    assert "Missed" in page
    assert "3 persons affected." in page
    assert "<script" not in svg.group(0)


def test_the_pages_404_for_an_organisation_not_granted(world: World, make_user: Any) -> None:
    body = make_user("oversight", password=PASSWORD)
    response = world.browser(body).get(f"/oversight/incidents/{world.b_incident['id']}")
    assert response.status_code == 404


def test_a_period_beyond_the_calendar_is_refused_naming_the_field(world: World) -> None:
    api = world.api(overseer(world.herstel, "default"))
    for query in ("reported_to=9999-12-31", "reported_from=0001-01-01", "reported_from=2026-13-01"):
        response = api.get(f"/oversight/incidents?{query}")
        assert response.status_code == 422, query
        assert query.split("=")[0] in str(response.get_json()), query


def test_a_revoked_grant_ends_a_signed_in_session_at_the_next_page(world: World, make_user: Any) -> None:
    body = make_user("oversight", password=PASSWORD)
    browser = world.browser(body)
    assert browser.get("/oversight").status_code == 200
    revoked = herstel_cli(
        world.herstel, "user", "revoke", body.email, "--role", "oversight", "--organisation", "default"
    )
    assert revoked.returncode == 0, revoked.stderr
    assert browser.get("/oversight").status_code == 403
    assert browser.get(f"/oversight/incidents/{world.a_incident['id']}").status_code == 403
