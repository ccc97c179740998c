"""Signed checkpoints of chain heads: a valid signature verifies, any change to the document does not."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from protocol.chain import GENESIS, seal, verify_chain
from protocol.checkpoint import (
    FORMAT,
    Checkpoint,
    CheckpointFormatError,
    Head,
    heads_root,
    parse_checkpoint,
    public_key_of,
    sign_checkpoint,
)
from tests.unit.protocol.test_chain import INCIDENT, rows_of, sample_events

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HEADS = [Head("b-incident", 12, "ab" * 32), Head("a-incident", 3, "cd" * 32), Head("c-incident", 1, "ef" * 32)]


def signed(key: bytes = KEY) -> Checkpoint:
    return sign_checkpoint(HEADS, private_key=key, now=NOW)


def document(checkpoint: Checkpoint) -> dict[str, Any]:
    return json.loads(checkpoint.to_json())  # type: ignore[no-any-return]


def reread(doc: dict[str, Any]) -> Checkpoint:
    return parse_checkpoint(json.dumps(doc))


def test_a_signed_checkpoint_verifies() -> None:
    checkpoint = signed()

    assert checkpoint.verify_signature()
    assert checkpoint.verify_signature(public_key_of(KEY))
    assert [h.incident_id for h in checkpoint.heads] == ["a-incident", "b-incident", "c-incident"]
    assert checkpoint.root == heads_root(HEADS)
    assert len(base64.b64decode(checkpoint.public_key)) == 32


def test_the_document_round_trips_and_still_verifies() -> None:
    checkpoint = signed()
    doc = document(checkpoint)

    assert doc["format"] == FORMAT
    assert doc["root"] == checkpoint.root
    assert doc["created_at"] == "2026-12-01T02:00:00.000000Z"
    again = reread(doc)
    assert again == checkpoint
    assert again.verify_signature(public_key_of(KEY))


def test_a_checkpoint_made_with_another_key_is_not_trusted() -> None:
    checkpoint = signed(OTHER_KEY)

    assert checkpoint.verify_signature(), "it is a valid signature by the other key"
    assert not checkpoint.verify_signature(public_key_of(KEY))


def test_a_signature_passed_off_under_the_trusted_key_fails() -> None:
    doc = document(signed(OTHER_KEY))
    doc["public_key"] = public_key_of(KEY)

    assert not reread(doc).verify_signature(public_key_of(KEY))


def test_the_root_does_not_depend_on_the_order_of_heads() -> None:
    assert heads_root(HEADS) == heads_root(reversed(HEADS))
    assert heads_root(HEADS) != heads_root(HEADS[:2])


TAMPERINGS = {
    "a head's seq": lambda d: d["heads"][0].update(seq=d["heads"][0]["seq"] - 1),
    "a head's hash": lambda d: d["heads"][1].update(hash="00" * 32),
    "a head's incident": lambda d: d["heads"][2].update(incident_id="z-incident"),
    "a head removed": lambda d: d["heads"].pop(),
    "a head added": lambda d: d["heads"].append({"incident_id": "d-incident", "seq": 1, "hash": "11" * 32}),
    "the time": lambda d: d.update(created_at="2026-12-02T02:00:00.000000Z"),
    "the signature": lambda d: d.update(signature=base64.b64encode(b"\0" * 64).decode()),
    "the root": lambda d: d.update(root="0" * 64),
}


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=list(TAMPERINGS))
def test_a_tampered_document_does_not_verify(tamper: Any) -> None:
    doc = document(signed())
    tamper(doc)

    try:
        checkpoint = reread(doc)
    except CheckpointFormatError:
        return  # refused as unreadable: also not valid
    assert not checkpoint.verify_signature(public_key_of(KEY))
    assert not checkpoint.verify_signature()


@pytest.mark.parametrize(
    ("field", "value"), [("public_key", "x"), ("public_key", "AAAA"), ("signature", "!!!"), ("signature", "AAAA")]
)
def test_garbage_keys_and_signatures_are_invalid_not_errors(field: str, value: str) -> None:
    doc = document(signed())
    doc[field] = value

    try:
        checkpoint = reread(doc)
    except CheckpointFormatError:
        return
    assert checkpoint.verify_signature() is False


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": "something-else/1"}),
        json.dumps({"format": FORMAT, "heads": []}),
        json.dumps({"format": FORMAT, "heads": [{"incident_id": "a"}], "created_at": "2026-12-01T00:00:00Z"}),
    ],
)
def test_an_unreadable_document_is_refused(text: str) -> None:
    with pytest.raises(CheckpointFormatError):
        parse_checkpoint(text)


def test_a_checkpointed_head_catches_a_rewritten_chain() -> None:
    events = sample_events(30)
    chain = seal(INCIDENT, 0, GENESIS, events)
    checkpoint = sign_checkpoint([Head(str(INCIDENT), 30, chain[-1].hash)], private_key=KEY, now=NOW)
    (head,) = reread(document(checkpoint)).heads
    forged = rows_of(seal(INCIDENT, 0, GENESIS, [*events[:5], events[6], *events[6:]]))

    assert verify_chain(str(INCIDENT), rows_of(chain), expected_head=(head.seq, head.hash)).valid
    report = verify_chain(str(INCIDENT), forged, expected_head=(head.seq, head.hash))
    assert (report.valid, report.first_invalid_seq) == (False, 30)
