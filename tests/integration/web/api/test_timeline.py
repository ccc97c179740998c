"""GET /incidents/{id}/timeline and /verify."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.integration.web.conftest import Api


def test_events_in_order_with_their_chain(officer_api: Api, assessed: dict[str, Any]) -> None:
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline"))
    events = timeline["events"]
    assert timeline["reference"] == assessed["reference"]
    assert [e["seq"] for e in events] == list(range(1, timeline["total"] + 1))
    assert events[0]["type"] == "IncidentReported"
    assert "StepCompleted" in [e["type"] for e in events]
    assert events[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(events))
    assert all(set(e) == {"seq", "type", "at", "actor", "payload", "prev_hash", "hash"} for e in events)
    completed = next(e for e in events if e["type"] == "StepCompleted")
    assert completed["payload"]["evidence"]["summary"].startswith("sha256:")  # free text only as a digest
    assert timeline["next_after_seq"] is None


def test_pages_with_after_seq_and_limit(officer_api: Api, assessed: dict[str, Any]) -> None:
    path = f"/incidents/{assessed['id']}/timeline"
    whole = officer_api.ok(officer_api.get(path))["events"]
    collected, after = [], 0
    while True:
        page = officer_api.ok(officer_api.get(f"{path}?after_seq={after}&limit=2"))
        assert len(page["events"]) <= 2
        collected += page["events"]
        if page["next_after_seq"] is None:
            break
        after = page["next_after_seq"]
    assert collected == whole
    bad = officer_api.get(f"{path}?limit=5000&after_seq=-1")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"limit", "after_seq"}


def test_verify(officer_api: Api, as_user: Callable[..., Api], assessed: dict[str, Any]) -> None:
    report = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/verify"))
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline"))
    assert report["valid"] is True
    assert report["events"] == timeline["total"]
    assert report["head"] == timeline["events"][-1]["hash"]
    assert report["first_invalid_seq"] is None
    oversight = as_user("oversight")
    assert oversight.ok(oversight.get(f"/incidents/{assessed['id']}/verify"))["valid"] is True
    assert oversight.get(f"/incidents/{assessed['id']}/timeline").status_code == 403
