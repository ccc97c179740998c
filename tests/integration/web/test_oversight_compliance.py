"""Compliance figures per organisation and period (issue 9, item 5), on both backends.

A small world with hand-known moments (the test clock starts Monday 30 November 2026, 09:00 UTC):

- A1: reported and assessed at 09:00, suspended at 11:00 (2 h); its 2 letters are delivered at once
  (well within the 4-week inform deadline). Two citizens' objections are stored: one is decided at
  once, the other never, and the clock then runs past its 6 weeks.
- A3: reported at 11:00, suspended at 21:00 (10 h).
- A2: reported at 21:00, suspended 5 days later (120 h: the 1-working-day deadline met late); its one
  letter is delivered 35 days after the assessment, past the inform deadline.
- B: an incident of another organisation, suspended after 1 h.

So for A: suspension median 10 h = 36,000 s, 90th percentile (nearest rank: the 3rd of 3) and worst
120 h = 432,000 s; letters 2 of 3 in time (0.6667); the suspend rule met on time twice and late once;
objections: 1 decided in time, 1 undecided past due (share 0.5).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask

from installation import Herstel
from notifications.demo import fictitious_bsns
from notifications.services import (
    decide_response,
    import_persons,
    open_citizen_session,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
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
)
from tests.conftest import Clock, set_test_letterhead
from tests.integration.notifications.conftest import CODE, Dispatched, persons_file, run_letters
from tests.integration.notifications.conftest import dispatched as dispatched  # the fixture
from tests.integration.objections import store_objection
from tests.integration.web.conftest import Api
from tests.integration.web.pages.conftest import PASSWORD, Browser
from tests.integration.web.test_oversight import overseer
from web import create_app

HOUR = 3600.0
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 3,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Nationaliteit werkt door in de score.",
}
SUSPENSION = {
    "scope": "full",
    "fallback_procedure": "Handmatig beoordelen.",
    "not_working_since": "2026-11-30T10:00:00Z",
    "confirmed_by_owner": True,
}
_BSNS = fictitious_bsns("9995")
PERSONS = [
    {
        "bsn": next(_BSNS),
        "name": f"Griet Nalatenschap{i}",
        "street": f"Verborgenlaan{i}",
        "number": str(10 + i),
        "postcode": f"97{i:02d} QQ",
        "city": "Heimelijkhuizen",
        "email": f"griet.nalatenschap{i}@geheimpje.nl",
        "lang": "nl",
        "consent": "ja",
    }
    for i in range(3)
]
RAW_VALUES = {v for p in PERSONS for k, v in p.items() if k not in ("lang", "consent", "number")}
OBJECTION = "Bezwaar van Griet Nalatenschap tegen het besluit"


@dataclass
class World:
    herstel: Herstel
    app: Flask
    b_organisation: uuid.UUID

    def api(self, principal: Principal) -> Api:
        token = create_token(uow=self.herstel.uow(), by=Principal.installation(), email=principal.email).secret
        return Api(self.app.test_client(), token)


def _incident(herstel: Herstel, officer: Principal, algorithm_id: Any) -> dict[str, Any]:
    incident = report_incident(
        uow=herstel.uow(),
        principal=officer,
        algorithm_id=algorithm_id,
        title="Klacht van Griet Nalatenschap0",
        description="Zij belde.",
        source="citizen",
        detected_at=herstel.clock(),
        protected_grounds=["nationality"],
    )
    return complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )


def _suspend(herstel: Herstel, officer: Principal, incident: dict[str, Any]) -> dict[str, Any]:
    incident = start_step(
        uow=herstel.uow(), principal=officer, incident_id=incident["id"], step="suspend", version=incident["version"]
    )
    return complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="suspend",
        version=incident["version"],
        evidence=SUSPENSION,
    )


def _letters(mailing: Herstel, officer: Principal, incident_id: Any, persons: list[dict[str, str]]) -> None:
    import_persons(
        uow=unit_of_work(mailing),
        vault=open_vault(mailing.settings),
        max_bytes=mailing.settings.max_body_bytes,
        principal=officer,
        incident_id=incident_id,
        data=persons_file(persons),
    )
    set_test_letterhead(mailing, next(iter(officer.memberships)))  # a campaign needs its organisation's letterhead
    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident_id, kind="notification")


@pytest.fixture
def world(
    herstel: Herstel,
    make_user: Callable[..., Principal],
    clock: Clock,
    smtp_server: Any,
    dispatched: Dispatched,
) -> World:
    mailing = replace(
        herstel, settings=replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    )
    officer = make_user("officer", "coordinator", password=PASSWORD)
    algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Toeslagenmodel")

    a1 = _incident(herstel, officer, algorithm["id"])  # Monday 09:00
    clock.advance(hours=2)
    _suspend(herstel, officer, a1)
    _letters(mailing, officer, a1["id"], PERSONS[:2])
    run_letters(mailing, dispatched, clock)

    a3 = _incident(herstel, officer, algorithm["id"])  # Monday 11:00
    clock.advance(hours=10)
    _suspend(herstel, officer, a3)

    a2 = _incident(herstel, officer, algorithm["id"])  # Monday 21:00
    clock.advance(days=5)
    _suspend(herstel, officer, a2)
    _letters(mailing, officer, a2["id"], PERSONS[2:])
    clock.advance(days=30)
    run_letters(mailing, dispatched, clock)

    codes = [CODE.search(m.get_body(("plain",)).get_content()) for m in smtp_server.messages()]
    first = [c.group(1) for c, m in zip(codes, smtp_server.messages(), strict=True) if c and "0@" in str(m["To"])]
    second = [c.group(1) for c, m in zip(codes, smtp_server.messages(), strict=True) if c and "1@" in str(m["To"])]
    # objections as stored before review requests replaced them (no letter offers one: none is a decision)
    uows, vault = unit_of_work_factory(mailing), open_vault(mailing.settings)
    answered = store_objection(
        uow_factory=uows,
        vault=vault,
        token=open_citizen_session(uow_factory=uows, vault=vault, access_code=first[0]).token,
        text=OBJECTION,
    )
    decide_response(
        uow=unit_of_work(mailing),
        vault=vault,
        principal=officer,
        incident_id=a1["id"],
        response_id=answered["response_id"],
        outcome="upheld",
        reasons="Uw bezwaar is gegrond.",
    )
    store_objection(
        uow_factory=uows,
        vault=vault,
        token=open_citizen_session(uow_factory=uows, vault=vault, access_code=second[0]).token,
        text=OBJECTION,
    )
    clock.advance(weeks=7)  # the unanswered objection's 6 weeks run out

    b_org = create_organisation(uow=herstel.uow(), slug="gemeente-bravo", name="Gemeente Bravo", reference_prefix="BRA")
    b_user = create_user(
        uow=herstel.uow(), by=Principal.installation(), email="b@bravo.nl", roles=["officer"], organisation_id=b_org
    )
    b_officer = get_principal(uow=herstel.uow(), user_id=b_user)
    b_algorithm = register_algorithm(uow=herstel.uow(), principal=b_officer, name="Parkeermodel")
    b = _incident(herstel, b_officer, b_algorithm["id"])
    clock.advance(hours=1)
    _suspend(herstel, b_officer, b)
    return World(herstel, create_app({"TESTING": True}, herstel=herstel), b_org)


def _organisation(figures: dict[str, Any], name: str) -> dict[str, Any]:
    found = [o for o in figures["organisations"] if o["organisation"] == name]
    assert len(found) == 1, figures
    return found[0]


def test_the_figures_match_the_hand_computed_ones(world: World) -> None:
    body = overseer(world.herstel, "default", "gemeente-bravo")
    api = world.api(body)
    figures = api.ok(api.get("/oversight/compliance"))
    a = _organisation(figures, "Standaardorganisatie")
    assert a["incidents"] == 3
    assert a["report_to_suspension"] == {
        "count": 3,
        "median_seconds": 10 * HOUR,
        "p90_seconds": 120 * HOUR,
        "worst_seconds": 120 * HOUR,
        "waived": 0,
        "not_suspended": 0,
    }
    assert a["letters"] == {
        "letters": 3,
        "delivered": 3,
        "delivered_in_time": 2,
        "without_deadline": 0,
        "share_in_time": 0.6667,
    }
    suspend = next(r for r in a["deadlines"] if r["rule"] == "suspend")
    assert suspend["outcomes"]["met_on_time"] == 2
    assert suspend["outcomes"]["met_late"] == 1
    assert suspend["not_kept"] == 1
    assert suspend["title"]["en"] == "Suspend within 1 working day"
    assert a["responses"]["decided_in_time"] == 1
    assert a["responses"]["undecided_past_due"] == 1
    assert a["responses"]["decided_late"] == 0
    assert a["responses"]["share_in_time"] == 0.5
    assert "objection-decision" in a["responses"]["rules"]

    b = _organisation(figures, "Gemeente Bravo")
    assert b["incidents"] == 1
    assert b["report_to_suspension"]["median_seconds"] == 1 * HOUR
    assert b["letters"]["letters"] == 0
    assert b["letters"]["share_in_time"] is None

    # one organisation, and a period: the first day holds all of A's incidents, the next day none
    only_b = api.ok(api.get(f"/oversight/compliance?organisation={world.b_organisation}"))
    assert [o["organisation"] for o in only_b["organisations"]] == ["Gemeente Bravo"]
    first_day = api.ok(api.get("/oversight/compliance?from=2026-11-30&to=2026-11-30"))
    assert _organisation(first_day, "Standaardorganisatie")["incidents"] == 3
    assert _organisation(first_day, "Gemeente Bravo")["incidents"] == 0
    later = api.ok(api.get("/oversight/compliance?from=2026-12-01&to=2026-12-31"))
    assert all(o["incidents"] == 0 and o["letters"]["letters"] == 0 for o in later["organisations"])


def test_the_csv_holds_the_same_figures(world: World) -> None:
    body = overseer(world.herstel, "default")
    api = world.api(body)
    response = api.get("/oversight/compliance.csv?from=2026-11-30")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, first = rows[0], rows[1]
    row = dict(zip(header, first, strict=True))
    assert row["period_from"] == "2026-11-30"
    assert row["incidents"] == "3"
    assert (row["suspension_median_hours"], row["suspension_p90_hours"], row["suspension_worst_hours"]) == (
        "10.00",
        "120.00",
        "120.00",
    )
    assert (row["letters"], row["letters_delivered_in_time"], row["letters_share_in_time"]) == ("3", "2", "0.6667")
    assert (row["responses_decided_in_time"], row["responses_undecided_past_due"]) == ("1", "1")
    per_rule = [r for r in rows[3:] if len(r) > 1 and r[1] == "suspend"]
    assert len(per_rule) == 1
    assert per_rule[0][2:5] == ["3", "0", "1"]  # applicable, missed, met late


def test_oversight_reads_only_granted_organisations_and_no_other_role_reaches_the_figures(
    world: World, make_user: Callable[..., Principal]
) -> None:
    body = overseer(world.herstel, "default")
    api = world.api(body)
    figures = api.ok(api.get("/oversight/compliance"))
    assert "Gemeente Bravo" not in {o["organisation"] for o in figures["organisations"]}
    refused = api.get(f"/oversight/compliance?organisation={world.b_organisation}")
    assert refused.status_code == 404
    assert refused.get_json()["rule"] == "unknown-organisation"
    assert api.get(f"/oversight/compliance.csv?organisation={world.b_organisation}").status_code == 404
    bad = api.get("/oversight/compliance?from=2026-12-02&to=2026-12-01")
    assert bad.status_code == 422
    assert "to" in bad.get_data(as_text=True)

    for role in ("officer", "coordinator", "investigator", "admin"):
        other = world.api(make_user(role, password=PASSWORD))
        for path in ("/oversight/compliance", "/oversight/compliance.csv"):
            response = other.get(path)
            assert response.status_code == 403, (role, path)
            assert response.get_json()["rule"] == "permission"
        page = Browser(world.app, make_user(role, password=PASSWORD)).sign_in()
        assert page.get("/oversight/compliance.csv").status_code == 403


def test_no_imported_value_in_the_figures_json_csv_or_dashboard(
    world: World, make_user: Callable[..., Principal]
) -> None:
    body = make_user("oversight", password=PASSWORD)
    api = world.api(body)
    browser = Browser(world.app, body).sign_in()
    answers = [
        api.get("/oversight/compliance"),
        api.get("/oversight/compliance.csv"),
        browser.get("/oversight"),
        browser.get("/oversight/compliance.csv"),
    ]
    secrets = RAW_VALUES | {OBJECTION, "Griet Nalatenschap"}
    for response in answers:
        assert response.status_code == 200, response.request.path
        raw = response.get_data()
        assert sorted(s for s in secrets if s.encode() in raw) == [], response.request.path
        assert not re.search(rb"\b\d{9}\b", raw), response.request.path  # no BSN-like number at all


def test_the_dashboard_draws_each_figure_with_a_table(world: World, make_user: Callable[..., Principal]) -> None:
    body = make_user("oversight", password=PASSWORD)
    for language, heading, median in (("nl", "Nalevingscijfers", "10,0"), ("en", "Compliance figures", "10.0")):
        page = Browser(world.app, body, language).sign_in().get("/oversight").get_data(as_text=True)
        assert heading in page
        charts = re.findall(r'<svg[^>]*class="figure-chart"', page)
        assert len(charts) == 4, language
        assert page.count('<table class="table figure-table"') == 4
        assert median in page  # the median in hours, in the table under its chart
