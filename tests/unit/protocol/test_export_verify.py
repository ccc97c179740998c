"""protocol.export_verify: the shortcut over shared audit paths accepts exactly what RFC 9162 accepts."""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol.export_verify
import protocol.merkle
from protocol.export_verify import Head, _PathChecker, canonical, verify_export
from protocol.merkle import MemoryTree, leaf_hash, multi_inclusion_proof, verify_inclusion


def hexed(path: list[bytes]) -> bytes:
    """The path as `protocol.export_verify` reads it from proofs.jsonl, with the trailing comma it adds."""
    return b"".join(b'"' + node.hex().encode() + b'",' for node in path)


def tree(size: int) -> MemoryTree:
    return MemoryTree(leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(size))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 100, 257])
def test_contiguous_and_sparse_leaves_are_accepted_like_the_rfc_check(size: int) -> None:
    memory = tree(size)
    head = Head(size, memory.root())
    rng = random.Random(size)
    for indices in (range(size), sorted(rng.sample(range(size), max(1, size // 3)))):
        checker = _PathChecker(head)
        for index in indices:
            path = memory.inclusion_proof(index)
            assert verify_inclusion(memory.levels[0][index], index, size, path, head.root)
            assert checker.check(memory.levels[0][index], index, hexed(path)), index


@pytest.mark.parametrize("size", [2, 7, 64, 100])
def test_any_flipped_node_or_wrong_leaf_is_refused_even_after_good_neighbours(size: int) -> None:
    memory = tree(size)
    head = Head(size, memory.root())
    for bad in range(size):
        for node in range(len(memory.inclusion_proof(bad))):
            checker = _PathChecker(head)
            for index in range(bad):
                assert checker.check(memory.levels[0][index], index, hexed(memory.inclusion_proof(index)))
            path = memory.inclusion_proof(bad)
            path[node] = bytes([path[node][0] ^ 1]) + path[node][1:]
            assert not checker.check(memory.levels[0][bad], bad, hexed(path)), (bad, node)
        checker = _PathChecker(head)
        if bad:
            assert checker.check(memory.levels[0][bad - 1], bad - 1, hexed(memory.inclusion_proof(bad - 1)))
        assert not checker.check(leaf_hash(b"other"), bad, hexed(memory.inclusion_proof(bad)))


def test_the_verifier_imports_only_the_standard_library_cryptography_and_merkle() -> None:
    allowed = set(sys.stdlib_module_names) | {"cryptography", "__future__"}
    for module in (protocol.export_verify, protocol.merkle):
        source = ast.parse(Path(str(module.__file__)).read_text("utf-8"))
        for node in ast.walk(source):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] in allowed or name == "protocol.merkle", f"{module.__name__} imports {name}"


def bundle(version: int, events: int, other_leaves: int, key: Any, edit: Callable[[list[bytes]], Any] = id) -> bytes:
    """A bundle of `events` events, each followed by `other_leaves` leaves of other incidents, signed with `key`."""
    definition = b"key = 'x'\n"
    digest = hashlib.sha256(definition).hexdigest()
    incident, prev, lines, indices, memory = "i-1", "0" * 64, [], [], MemoryTree()
    for seq in range(1, events + 1):
        kind, payload = ("IncidentReported", {"protocol": {"digest": digest}}) if seq == 1 else ("Noted", {"n": seq})
        event = {"actor": "system", "at": "2026-12-04T20:00:00.000000Z", "incident": incident, "payload": payload}
        event |= {"prev_hash": prev, "seq": seq, "type": kind}
        line = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        prev = hashlib.sha256(line).hexdigest()
        lines.append(line)
        indices.append(len(memory))
        memory.append(leaf_hash(bytes.fromhex(prev)))
        for other in range(other_leaves):
            memory.append(leaf_hash(hashlib.sha256(b"%d-%d" % (seq, other)).digest()))
    edit(lines)
    size, root = len(memory), memory.root()
    public = key.public_key().public_bytes_raw()
    body = {"format": "herstel-tree-head/1", "key_id": hashlib.sha256(public).hexdigest(), "root": root.hex()}
    body |= {"size": size, "timestamp": "2026-12-04T20:00:00.000000Z"}
    head = body | {"signature": base64.b64encode(key.sign(canonical(body).encode())).decode()}
    manifest = {"format": f"herstel-export/{version}", "incident": incident, "events": events}
    manifest["definition"] = {"file": "definition.toml", "sha256": digest}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bundle.json", json.dumps(manifest))
        archive.writestr("tree-head.json", json.dumps(head))
        archive.writestr("definition.toml", definition)
        archive.writestr("events.jsonl", b"".join(line + b"\n" for line in lines))
        if version == 1:
            proofs = [
                {"seq": seq, "leaf_index": i, "audit_path": [n.hex() for n in memory.inclusion_proof(i)]}
                for seq, i in enumerate(indices, 1)
            ]
            archive.writestr("proofs.jsonl", "".join(json.dumps(p, separators=(",", ":")) + "\n" for p in proofs))
        else:
            nodes = multi_inclusion_proof(indices, size, memory.subtree)
            archive.writestr("leaves.jsonl", "".join(f"{i}\n" for i in indices))
            archive.writestr("nodes.jsonl", "".join(f'"{n.hex()}"\n' for n in nodes))
    return out.getvalue()


def _last_edited(lines: list[bytes]) -> None:
    lines[-1] = lines[-1].replace(b'"n":', b'"n":1')


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(("events", "others"), [(1, 0), (7, 0), (20, 3), (33, 1)])
def test_both_bundle_formats_verify_and_a_changed_last_event_is_caught(version: int, events: int, others: int) -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()

    report = verify_export(io.BytesIO(bundle(version, events, others, key)), public)
    assert report.valid, report
    assert report.events == events

    if events > 1:
        bad = verify_export(io.BytesIO(bundle(version, events, others, key, _last_edited)), public)
        assert not bad.valid
        assert bad.member == ("proofs.jsonl" if version == 1 else "nodes.jsonl"), bad
        assert bad.reason is not None
        assert ("not leaf" if version == 1 else "not the leaves") in bad.reason, bad
