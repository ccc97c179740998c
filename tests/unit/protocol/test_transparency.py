"""Signed tree heads: the canonical encoding, the signature, and the append-only check between two heads."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

import pytest

from protocol.merkle import MemoryTree, leaf_hash
from protocol.transparency import (
    TreeHeadFormatError,
    event_leaf,
    key_id,
    parse_tree_head,
    public_key_bytes,
    sign_tree_head,
    verify_append_only,
)

KEY = secrets.token_bytes(32)
AT = datetime(2026, 12, 4, 2, 5, tzinfo=UTC)


def tree(n: int) -> MemoryTree:
    return MemoryTree(event_leaf(f"{i:064x}") for i in range(n))


def test_the_leaf_is_the_event_hash_bytes_under_rfc_9162_leaf_hashing() -> None:
    chain_hash = "ab" * 32
    assert event_leaf(chain_hash) == leaf_hash(bytes.fromhex(chain_hash))


def test_the_signature_covers_the_documented_canonical_encoding() -> None:
    head = sign_tree_head(size=7, root=tree(7).root(), timestamp=AT, private_key=KEY)
    expected = (
        f'{{"format":"herstel-tree-head/1","key_id":"{key_id(public_key_bytes(KEY))}",'
        f'"root":"{tree(7).root().hex()}","size":7,"timestamp":"2026-12-04T02:05:00.000000Z"}}'
    ).encode()

    assert head.signed_bytes() == expected
    assert parse_tree_head(head.to_json()) == head
    assert head.verify_signature(public_key_bytes(KEY))


@pytest.mark.parametrize("field", ["size", "root", "timestamp", "key_id", "signature"])
def test_changing_any_field_of_a_head_breaks_it(field: str) -> None:
    document = sign_tree_head(size=7, root=tree(7).root(), timestamp=AT, private_key=KEY).as_dict()
    changed = {
        "size": 8,
        "root": tree(8).root().hex(),
        "timestamp": "2026-12-04T02:05:00.000001Z",
        "key_id": "0" * 64,
        "signature": document["signature"][:-4] + "AAA=",
    }[field]

    head = parse_tree_head({**document, field: changed})

    assert not head.verify_signature(public_key_bytes(KEY))


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        json.dumps({"format": "herstel-checkpoint/1"}),
        json.dumps({"format": "herstel-tree-head/1", "size": -1, "root": "0" * 64}),
        json.dumps({"format": "herstel-tree-head/1", "size": 1, "root": "XYZ"}),
    ],
)
def test_unreadable_documents_are_refused(document: str) -> None:
    with pytest.raises(TreeHeadFormatError):
        parse_tree_head(document)


def test_append_only_holds_for_an_extension_and_fails_for_a_rewrite_or_another_key() -> None:
    public = public_key_bytes(KEY)
    honest = tree(20)
    earlier = sign_tree_head(size=12, root=honest.root(12), timestamp=AT, private_key=KEY)
    later = sign_tree_head(size=20, root=honest.root(20), timestamp=AT, private_key=KEY)
    proof = [node.hex() for node in honest.consistency_proof(12, 20)]
    rewritten = MemoryTree([event_leaf("ff" * 32), *honest.levels[0][1:]])
    forged = sign_tree_head(size=20, root=rewritten.root(20), timestamp=AT, private_key=KEY)
    impostor = sign_tree_head(size=20, root=honest.root(20), timestamp=AT, private_key=secrets.token_bytes(32))

    assert verify_append_only(earlier, later, proof, public).valid
    assert not verify_append_only(later, earlier, proof, public).valid
    report = verify_append_only(earlier, forged, [n.hex() for n in rewritten.consistency_proof(12, 20)], public)
    assert not report.valid
    assert "rewritten" in (report.reason or "")
    assert "not signed" in (verify_append_only(earlier, impostor, proof, public).reason or "")
    assert not verify_append_only(earlier, later, ["zz"], public).valid
