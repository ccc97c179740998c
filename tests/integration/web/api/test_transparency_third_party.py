"""A verifier written from docs/timeline.md ("The transparency log") alone: hashlib, base64, json and
`cryptography`, nothing of Herstel's. It checks what the API serves: the key, two signed heads, the
consistency proof between them and an event's inclusion proof, the event hash recomputed from the event.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from installation import Herstel
from protocol.services import sign_log
from tests.integration import tampering
from tests.integration.web.conftest import Api


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def head_is_signed(head: dict[str, Any], public_key: bytes) -> bool:
    if head["format"] != "herstel-tree-head/1" or head["key_id"] != hashlib.sha256(public_key).hexdigest():
        return False
    body = {k: head[k] for k in ("format", "key_id", "root", "size", "timestamp")}
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(head["signature"]), json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        )
    except Exception:
        return False
    return True


def consistent(m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    if m == n:
        return not proof and old_root == new_root
    if m == 0:
        return not proof
    if not proof:
        return False
    if m & (m - 1) == 0:
        proof = [old_root, *proof]
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = h(b"\x01" + c + fr), h(b"\x01" + c + sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = h(b"\x01" + sr + c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def included(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def event_hash(incident_id: str, event: dict[str, Any]) -> str:
    """docs/timeline.md, "Canonical encoding" (the event as the timeline API serves it)."""
    body = {
        "actor": event["actor"],
        "at": datetime.fromisoformat(event["at"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "incident": incident_id,
        "payload": event["payload"],
        "prev_hash": event["prev_hash"],
        "seq": event["seq"],
        "type": event["type"],
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def test_a_third_party_verifier_checks_heads_proofs_and_an_event(
    herstel: Herstel,
    as_user: Callable[..., Api],
    officer_api: Api,
    assessed: dict[str, Any],
    algorithm: dict[str, Any],
) -> None:
    oversight, key = as_user("oversight"), herstel.settings.signing_key_bytes()
    first = sign_log(uow_factory=herstel.uow, private_key=key)["size"]
    officer_api.report(str(algorithm["id"]))
    second = sign_log(uow_factory=herstel.uow, private_key=key)["size"]

    public = base64.b64decode(oversight.ok(oversight.get("/oversight/public-key"))["public_key"])
    kept = oversight.ok(oversight.get(f"/oversight/checkpoints/{first}"))
    latest = oversight.ok(oversight.get(f"/oversight/checkpoints/{second}"))
    proof = oversight.ok(oversight.get(f"/oversight/proofs/consistency?from={first}&to={second}"))["proof"]
    with herstel.db.engine.connect() as connection:
        event_id = tampering.event_rows(connection, uuid.UUID(assessed["id"]))[1]["id"]
    inclusion = oversight.ok(oversight.get(f"/oversight/proofs/inclusion?event_id={event_id}&tree_size={second}"))
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline"))
    event = next(e for e in timeline["events"] if e["seq"] == inclusion["seq"])

    assert head_is_signed(kept, public)
    assert head_is_signed(latest, public)
    assert consistent(
        first, second, bytes.fromhex(kept["root"]), bytes.fromhex(latest["root"]), [bytes.fromhex(p) for p in proof]
    )
    assert event_hash(assessed["id"], event) == inclusion["event_hash"]
    leaf = h(b"\x00" + bytes.fromhex(event_hash(assessed["id"], event)))
    path = [bytes.fromhex(p) for p in inclusion["audit_path"]]
    assert included(leaf, inclusion["leaf_index"], second, path, bytes.fromhex(latest["root"]))
    # and it refuses what it should: another key, a changed root
    assert not head_is_signed(kept, bytes(32))
    assert not head_is_signed({**latest, "root": kept["root"]}, public)
    assert not included(leaf, inclusion["leaf_index"], second, path, bytes.fromhex(kept["root"]))
