"""GET /incidents/{id}/timeline and /verify."""

from __future__ import annotations

import itertools
import secrets
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from installation import Herstel
from protocol.services import Principal, create_checkpoint
from tests.integration import tampering
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


def test_verify_holds_the_chain_to_the_latest_checkpoint_and_names_where_a_rewrite_breaks_it(
    herstel: Herstel, officer_api: Api, assessed: dict[str, Any]
) -> None:
    """A rewrite that recomputes every hash and the recorded head is caught by plain verify (issue 7, item 10),
    even when the rewriter adds a checkpoint of their own signed with another key."""
    path = f"/incidents/{assessed['id']}/verify"
    assert officer_api.ok(officer_api.get(path))["checkpoint_at"] is None
    checkpoint = create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=herstel.settings.signing_key_bytes()
    )
    (signed,) = checkpoint.heads
    intact = officer_api.ok(officer_api.get(path))
    assert intact["valid"] is True
    assert intact["checkpoint_at"] is not None

    incident_id = uuid.UUID(assessed["id"])
    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, incident_id, 2)
        tampering.rewrite_chain(connection, incident_id, 2, row["payload"].replace("assess", "report", 1))
    create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=secrets.token_bytes(32)
    )  # the rewriter's own key

    report = officer_api.ok(officer_api.get(path))

    assert report["valid"] is False
    assert report["first_invalid_seq"] == signed.seq
    assert "signed checkpoint" in report["reason"]


def test_an_insert_or_replace_of_a_stored_event_is_refused_and_verify_stays_valid(
    herstel: Herstel, officer_api: Api, assessed: dict[str, Any]
) -> None:
    """The attack of issue 7, item 10 on either backend: replace event 2 in place; the database refuses."""
    before = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/verify"))
    replace = (
        "INSERT OR REPLACE INTO events (id, incident_id, seq, type, at, actor, payload, prev_hash, hash) "
        "SELECT id, incident_id, seq, type, at, 'user:someone-else', payload, prev_hash, hash FROM events WHERE seq = 2"
        if not herstel.db.is_postgres
        else "INSERT INTO events (id, incident_id, seq, type, at, actor, payload, prev_hash, hash) "
        "SELECT id, incident_id, seq, type, at, actor, payload, prev_hash, hash FROM events WHERE seq = 2 "
        "ON CONFLICT (id) DO UPDATE SET actor = 'user:someone-else'"
    )

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), herstel.db.engine.begin() as connection:
        connection.exec_driver_sql(replace)

    after = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/verify"))
    assert after == before
    assert after["valid"] is True
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline"))
    assert "user:someone-else" not in {event["actor"] for event in timeline["events"]}


def test_a_page_is_answered_as_the_timeline_schema_dumps_it(
    app: Flask, herstel: Herstel, officer: Principal, officer_api: Api, assessed: dict[str, Any]
) -> None:
    """The page is written without marshmallow (web.api.timeline.dumped): byte for byte the schema's."""
    from flask import jsonify

    from protocol.services import get_timeline
    from web.api.schemas.timeline import TimelineSchema

    for query in ("", "?after_seq=1&limit=2", "?after_seq=99"):
        answered = officer_api.get(f"/incidents/{assessed['id']}/timeline{query}")
        arguments = dict(after_seq=1, limit=2) if "limit" in query else dict(after_seq=99) if query else {}
        timeline = get_timeline(
            uow=herstel.uow(), principal=officer, incident_id=uuid.UUID(assessed["id"]), **arguments
        )
        with app.test_request_context():
            expected = jsonify(TimelineSchema().dump(timeline)).get_data()
        assert answered.status_code == 200
        assert answered.get_data() == expected
