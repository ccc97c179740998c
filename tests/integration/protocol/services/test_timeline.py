"""Tampering end to end: an attacker with database rights edits a stored event; verify names it.

The incident is carried through the protocol by the services, then the append-only triggers are
switched off the way someone with rights on the database would, and one stored column is changed.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from installation import Herstel
from protocol.services import (
    SYSTEM,
    Principal,
    create_checkpoint,
    get_timeline,
    verify_against_checkpoint,
    verify_all,
    verify_incident,
)
from tests.conftest import Clock
from tests.integration import flows, tampering
from tests.integration.flows import People

TARGET_SEQ = 7  # an event in the middle of the chain: events before and after it exist


@pytest.fixture
def closed(herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock) -> dict[str, Any]:
    """An incident carried from report to close, with every protocol step."""
    incident = flows.run_protocol(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    assert incident["state"] == "closed"
    return incident


def one_byte_changes(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each stored column, the row's value with one byte (or one microsecond) changed."""
    payload = row["payload"]
    value_at = payload.index('":"') + 3  # the first character of the first string value: still valid JSON
    return {
        "payload": {"payload": tampering.flip(payload, value_at)},
        "type": {"type": tampering.flip(row["type"])},
        "actor": {"actor": tampering.flip(row["actor"])},
        "at": {"at": row["at"] + timedelta(microseconds=1)},
        "hash": {"hash": tampering.flip(row["hash"], 63)},
        "prev_hash": {"prev_hash": tampering.flip(row["prev_hash"], 0)},
    }


def test_an_untouched_chain_verifies(herstel: Herstel, closed: dict[str, Any], people: People) -> None:
    report = verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=closed["id"])

    timeline = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=closed["id"], limit=1000)
    assert report.valid, report
    assert report.events == len(timeline["events"]) > TARGET_SEQ + 10
    assert report.head == timeline["events"][-1]["hash"]
    assert [e["seq"] for e in timeline["events"]] == list(range(1, report.events + 1))


@pytest.mark.parametrize("column", ["payload", "type", "actor", "at", "hash", "prev_hash"])
def test_changing_one_stored_column_is_named_by_its_seq(herstel: Herstel, closed: dict[str, Any], column: str) -> None:
    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, closed["id"], TARGET_SEQ)
        tampering.set_event(connection, row["id"], **one_byte_changes(row)[column])

    report = verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=closed["id"])

    assert not report.valid
    assert report.first_invalid_seq == TARGET_SEQ
    assert report.reason


@pytest.mark.parametrize("seq", [1, TARGET_SEQ, "last"])
def test_deleting_an_event_is_named_by_its_seq(herstel: Herstel, closed: dict[str, Any], seq: int | str) -> None:
    with tampering.triggers_bypassed(herstel) as connection:
        rows = tampering.event_rows(connection, closed["id"])
        row = rows[-1] if seq == "last" else rows[int(seq) - 1]
        tampering.delete_event(connection, row["id"])

    report = verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=closed["id"])

    assert not report.valid
    assert report.first_invalid_seq == row["seq"]


def test_verify_all_names_only_the_tampered_incident(
    herstel: Herstel, closed: dict[str, Any], people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    other = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, closed["id"], TARGET_SEQ)
        tampering.set_event(connection, row["id"], actor="user:someone-else")

    reports = {
        uuid.UUID(r.incident_id): r for r in verify_all(uow_factory=herstel.uow, principal=Principal.installation())
    }

    assert reports[other["id"]].valid
    assert reports[closed["id"]].first_invalid_seq == TARGET_SEQ


def test_a_checkpoint_detects_a_consistent_rewrite_of_the_whole_chain(
    herstel: Herstel, closed: dict[str, Any], people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    other = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    checkpoint = create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=herstel.settings.signing_key_bytes()
    )
    kept, key = checkpoint.to_json(), checkpoint.public_key
    checkpointed = {h.incident_id: h for h in checkpoint.heads}
    # the chains go on after the checkpoint: that is not a rewrite
    clock.advance(hours=1)
    flows.do_step(herstel, people.officer, other, "suspend", flows.SUSPENSION)
    assert verify_against_checkpoint(uow_factory=herstel.uow, document=kept, trusted_public_key=key)["valid"]

    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, closed["id"], 3)
        payload = json.loads(row["payload"])
        payload["evidence"] = {**payload.get("evidence", {}), "outcome": "unfounded"}
        rewritten = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        new_head = tampering.rewrite_chain(connection, closed["id"], 3, rewritten)

    # every hash was recomputed and the recorded head moved along, so the chain agrees with itself;
    # plain verify still holds it to the latest checkpoint in the database (issue 7, item 10)
    assert new_head != checkpointed[str(closed["id"])].hash
    alone = verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=closed["id"])
    assert not alone.valid
    assert alone.first_invalid_seq == checkpointed[str(closed["id"])].seq
    assert alone.checkpoint_at == checkpoint.created_at

    result = verify_against_checkpoint(uow_factory=herstel.uow, document=kept, trusted_public_key=key)

    assert result["signature_valid"]
    assert not result["valid"]
    assert [f["incident_id"] for f in result["failures"]] == [str(closed["id"])]
    assert result["failures"][0]["first_invalid_seq"] == checkpointed[str(closed["id"])].seq


def test_a_checkpoint_is_refused_when_its_document_or_key_is_not_the_one_kept(
    herstel: Herstel, closed: dict[str, Any]
) -> None:
    checkpoint = create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=herstel.settings.signing_key_bytes()
    )
    document = json.loads(checkpoint.to_json())
    document["heads"][0]["hash"] = tampering.flip(document["heads"][0]["hash"])
    forged = json.dumps(document)

    forged_result = verify_against_checkpoint(uow_factory=herstel.uow, document=forged)
    other_key = verify_against_checkpoint(
        uow_factory=herstel.uow, document=checkpoint.to_json(), trusted_public_key="A" * 43 + "="
    )

    assert not forged_result["signature_valid"]
    assert not forged_result["valid"]
    assert not other_key["signature_valid"]
    assert not other_key["valid"]


def test_a_long_chain_is_streamed_and_a_verify_stopped_early_leaves_the_connection_usable(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    """Verify stops at the first bad event of a chain longer than one streamed chunk; the rest of the
    stream is abandoned, and the next verifications on the same pool still answer correctly."""
    long = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    short = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    for first in range(0, 12_000, 3_000):
        with herstel.uow() as uow:
            incident = uow.incidents.get(long["id"])
            for number in range(first, first + 3_000):
                incident.note("LettersBatchRecorded", {"batch": number, "count": 500}, actor=SYSTEM, now=uow.now())
            uow.incidents.save(incident)
            uow.commit()
    intact = verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=long["id"])
    assert intact.valid
    assert intact.events > 12_000
    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, long["id"], 10)
        tampering.set_event(connection, row["id"], actor="user:x")

    reports = [
        verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=long["id"]) for _ in range(3)
    ]

    assert [r.first_invalid_seq for r in reports] == [10, 10, 10]
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=short["id"]).valid
    assert {
        uuid.UUID(r.incident_id): r.valid
        for r in verify_all(uow_factory=herstel.uow, principal=Principal.installation())
    } == {
        long["id"]: False,
        short["id"]: True,
    }


def test_verify_all_reads_every_chain_in_one_stream_and_reports_as_verify_incident_does(
    herstel: Herstel, closed: dict[str, Any], people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    """Chains of different lengths, two tampered early (verify stops reading them half-way), in one
    stream ordered by incident: each report is the one `verify_incident` gives for that incident."""
    others = [
        flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
        for _ in range(4)
    ]
    tampered = sorted([closed["id"], *(o["id"] for o in others)])[1:3]  # two in the middle of the stream
    with tampering.triggers_bypassed(herstel) as connection:
        for incident_id in tampered:
            tampering.set_event(connection, tampering.event_row(connection, incident_id, 2)["id"], actor="user:x")

    reports = verify_all(uow_factory=herstel.uow, principal=Principal.installation())

    ids = [uuid.UUID(r.incident_id) for r in reports]
    assert ids == sorted([closed["id"], *(o["id"] for o in others)])
    assert reports == [
        verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident_id)
        for incident_id in ids
    ]
    assert [r.incident_id for r in reports if not r.valid] == [str(i) for i in tampered]
    assert all(r.first_invalid_seq == 2 for r in reports if not r.valid)
