"""GET /protocols and /protocols/{key}/{version}: definitions as data, evidence as JSON Schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from installation import Herstel
from protocol.services import register_definition
from tests.integration.web.conftest import ASSESSMENT, SUSPENSION, Api

MINI = (Path(__file__).parent / "mini-protocol.toml").read_text("utf-8")


def test_the_default_definition_as_data(officer_api: Api) -> None:
    listed = officer_api.ok(officer_api.get("/protocols"))
    # version 4 (version 3 with a deadline for review requests) is the default; 1 to 3 stay for their incidents
    assert [(d["key"], d["version"]) for d in listed] == [
        ("nl-discrimination", 1),
        ("nl-discrimination", 2),
        ("nl-discrimination", 3),
        ("nl-discrimination", 4),
    ]
    definition = officer_api.ok(officer_api.get("/protocols/nl-discrimination/1"))
    steps = {s["key"]: s for s in definition["steps"]}
    assert list(steps) == ["assess", "suspend", "report", "investigate", "inform", "sanction", "safeguard"]
    assess = steps["assess"]["evidence"]
    assert set(assess["required"]) == set(ASSESSMENT)
    assert assess["properties"]["outcome"]["enum"] == ["established", "suspected", "unfounded"]
    assert steps["investigate"]["start_evidence"]["properties"]["investigator"]["format"] == "uuid"
    assert steps["suspend"]["waiver"]["two_person_when"] == "outcome eq 'suspected'"
    assert steps["sanction"]["evidence"]["allOf"] == [
        {"anyOf": [{"required": ["sanctions"]}, {"required": ["none_reason"]}]}
    ]
    assert "report-gdpr-art33" in [d["key"] for d in definition["deadlines"]]
    assert steps["inform"]["citizen"] is None  # version 1 was published before the citizen tables
    current = {s["key"]: s for s in officer_api.ok(officer_api.get("/protocols/nl-discrimination/3"))["steps"]}
    assert current["inform"]["citizen"]["role"] == "letters"
    assert current["investigate"]["citizen"]["tells"] == "conclusion"
    assert set(current["investigate"]["citizen"]["words"]) == {"established", "not_established", "inconclusive"}


def test_the_published_schema_accepts_what_the_engine_accepts(officer_api: Api) -> None:
    steps = {s["key"]: s for s in officer_api.ok(officer_api.get("/protocols/nl-discrimination/1"))["steps"]}
    jsonschema.validate(ASSESSMENT, steps["assess"]["evidence"])
    jsonschema.validate(SUSPENSION, steps["suspend"]["evidence"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**ASSESSMENT, "severity": "3"}, steps["assess"]["evidence"])


def test_unknown_definition_is_404(officer_api: Api) -> None:
    response = officer_api.get("/protocols/nl-discrimination/99")
    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-protocol")


def test_a_new_definition_needs_no_new_code(herstel: Herstel, officer_api: Api, algorithm: dict[str, Any]) -> None:
    register_definition(uow=herstel.uow(), text=MINI, source="mini-protocol.toml")
    described = officer_api.ok(officer_api.get("/protocols/test-mini/1"))
    review = next(s for s in described["steps"] if s["key"] == "review")
    assert review["evidence"]["properties"] == {
        "reviewed_on": {"type": "string", "format": "date", "title": "Reviewed on"}
    }
    incident = officer_api.report(
        str(algorithm["id"]), protocol={"key": "test-mini", "version": 1}, protected_grounds=["age"]
    )
    triaged = officer_api.act(incident, "steps/triage/complete", outcome="serious")
    started = officer_api.act(triaged, "steps/review/start")
    bad = officer_api.post(
        f"/incidents/{incident['id']}/steps/review/complete", {"version": started["version"], "reviewed_on": "soon"}
    )
    assert bad.get_json()["errors"] == {"reviewed_on": ["must be a date (YYYY-MM-DD)"]}
    done = officer_api.act(started, "steps/review/complete", reviewed_on="2026-12-01")
    assert done["steps"]["review"]["state"] == "completed"
