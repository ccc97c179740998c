"""A bundle verifier written from docs/timeline.md ("The export bundle", "Proofs") alone.

Nothing of Herstel's verifier is used: zipfile, hashlib, json, base64 and `cryptography`, the
root recomputed from every event's leaf by the plain recursion of RFC 9162's tree hash. It
accepts the bundle the API serves and refuses one whose event was edited by hand.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.integration.web.conftest import Api

KEYS = ["actor", "at", "incident", "payload", "prev_hash", "seq", "type"]


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def root_of(size: int, leaves: list[tuple[int, bytes]], nodes: list[bytes]) -> bytes | None:
    """Format 2: MTH over D[size] with the known leaves in place and the nodes, left to right, for the
    ranges that hold none of them; None when the nodes do not fit."""
    todo, spare = list(leaves), list(nodes)

    def mth(start: int, end: int) -> bytes:
        if not todo or todo[0][0] >= end:
            return spare.pop(0)
        if end - start == 1:
            return todo.pop(0)[1]
        k = 1
        while k * 2 < end - start:
            k *= 2
        return h(b"\x01" + mth(start, start + k) + mth(start + k, end))

    try:
        root = mth(0, size)
    except IndexError:
        return None
    return None if todo or spare else root


def no_float(text: str) -> Any:
    raise ValueError("float")


def third_party_verify(bundle: bytes, public_key: bytes) -> str | None:
    """None when the bundle checks out; else the first problem."""
    z = zipfile.ZipFile(io.BytesIO(bundle))
    manifest = json.loads(z.read("bundle.json"))
    if manifest["format"] != "herstel-export/2":
        return "manifest"
    head = json.loads(z.read("tree-head.json"))
    if head["format"] != "herstel-tree-head/1" or head["key_id"] != hashlib.sha256(public_key).hexdigest():
        return "head key"
    body = {k: head[k] for k in ("format", "key_id", "root", "size", "timestamp")}
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(head["signature"]), json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        )
    except Exception:
        return "head signature"
    size, root = head["size"], bytes.fromhex(head["root"])
    events = z.read("events.jsonl").split(b"\n")
    indices = z.read("leaves.jsonl").split(b"\n")
    nodes = [bytes.fromhex(json.loads(node)) for node in z.read("nodes.jsonl").splitlines()]
    if events.pop() != b"" or indices.pop() != b"" or len(events) != len(indices) or len(events) != manifest["events"]:
        return "counts"
    prev, last, digest, leaves = "0" * 64, -1, None, []
    for k, (line, index_line) in enumerate(zip(events, indices, strict=True), 1):
        event = json.loads(line, parse_float=no_float)
        if sorted(event) != KEYS or event["seq"] != k:
            return f"event {k} fields or seq"
        if json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != line:
            return f"event {k} not canonical"
        if event["incident"] != manifest["incident"] or event["prev_hash"] != prev:
            return f"event {k} chain"
        if k == 1:
            if event["type"] != "IncidentReported":
                return "first event"
            digest = event["payload"]["protocol"]["digest"]
        hashed = h(line)
        prev = hashed.hex()
        if int(index_line) <= last or int(index_line) >= size:
            return f"leaf index {k} order"
        last = int(index_line)
        leaves.append((last, h(b"\x00" + hashed)))
    if root_of(size, leaves, nodes) != root:
        return "events not in the signed tree"
    definition = z.read(manifest["definition"]["file"])
    if not hashlib.sha256(definition).hexdigest() == manifest["definition"]["sha256"] == digest:
        return "definition"
    return None


def test_a_verifier_from_the_documentation_accepts_the_bundle_and_refuses_an_edit(
    as_user: Callable[..., Api], assessed: dict[str, Any]
) -> None:
    oversight = as_user("oversight")
    public_key = base64.b64decode(oversight.ok(oversight.get("/oversight/public-key"))["public_key"])
    response = oversight.get(f"/oversight/incidents/{assessed['id']}/export")
    assert response.status_code == 200
    bundle = response.get_data()

    assert third_party_verify(bundle, public_key) is None

    lines = zipfile.ZipFile(io.BytesIO(bundle)).read("events.jsonl").splitlines()
    seq = next(k for k, line in enumerate(lines, 1) if b'"outcome":"suspected"' in line)
    edited = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle)) as source, zipfile.ZipFile(edited, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "events.jsonl":
                data = data.replace(b'"outcome":"suspected"', b'"outcome":"unfounded"', 1)
                assert b"unfounded" in data
            target.writestr(name, data)
    last = seq == len(lines)
    expected = "events not in the signed tree" if last else f"event {seq + 1} chain"
    assert third_party_verify(edited.getvalue(), public_key) == expected
