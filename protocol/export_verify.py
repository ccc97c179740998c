"""Check an incident's export bundle offline: standard library, `cryptography` and `protocol.merkle` only.

This module is what `herstel verify-export` runs, and it is meant to be read next to
docs/timeline.md ("The export bundle"): no database, no configuration, no other part of Herstel
(an import-linter contract keeps it so). It trusts nothing stored in the bundle that it can
recompute: every event's hash is taken over the event's line after checking that the line is the
event's canonical encoding, the chain is rebuilt from those hashes, every inclusion proof is
recomputed up to the signed tree head's root, the head's signature is checked with the key the
caller trusts, and the protocol definition's digest is recomputed and compared with the one the
first event (inside the signed log) names.

The report names the first problem: the member of the zip, the event's `seq` where there is one,
and the reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocol.merkle import ProofShapeError, leaf_hash, node_hash, root_from_leaves, verify_consistency

BUNDLE_FORMAT = "herstel-export/2"  # what the exporter writes
BUNDLE_FORMAT_1 = "herstel-export/1"  # still verified: one audit path per event
BUNDLE_FORMATS = (BUNDLE_FORMAT, BUNDLE_FORMAT_1)
HEAD_FORMAT = "herstel-tree-head/1"
GENESIS = "0" * 64
HEX = frozenset("0123456789abcdef")
CHUNK = 1 << 20
QUOTE = ord('"')
NODE = 67  # one node of an audit path in proofs.jsonl: "<64 hex digits>",

MANIFEST = "bundle.json"
EVENTS = "events.jsonl"
PROOFS = "proofs.jsonl"  # format 1
LEAVES = "leaves.jsonl"  # format 2: the leaf index of each event
NODES = "nodes.jsonl"  # format 2: the nodes of the multi-leaf inclusion proof
HEAD = "tree-head.json"
CONSISTENCY = "consistency.json"
SUMMARY = "summary.pdf"
EVENT_KEYS = ("actor", "at", "incident", "payload", "prev_hash", "seq", "type")


@dataclass(frozen=True)
class ExportReport:
    """The outcome: valid, or the first problem (`member`, `seq` where an event is at fault, `reason`)."""

    valid: bool
    incident: str | None = None
    events: int = 0
    tree_size: int | None = None
    root: str | None = None
    member: str | None = None
    seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "incident": self.incident,
            "events": self.events,
            "tree_size": self.tree_size,
            "root": self.root,
            "member": self.member,
            "seq": self.seq,
            "reason": self.reason,
        }


class Problem(Exception):
    """The first thing wrong with the bundle."""

    def __init__(self, member: str | None, reason: str, seq: int | None = None) -> None:
        super().__init__(reason)
        self.member, self.reason, self.seq = member, reason, seq


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_float(text: str) -> Any:
    raise ValueError(f"a floating-point number ({text}) is not allowed")


# made once: json.dumps/json.loads with options build a new encoder/decoder on every call
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_no_float)


def canonical(value: Any) -> str:
    """The canonical JSON text (RFC 8785 for float-free values): sorted keys, no whitespace, UTF-8 as is."""
    return _ENCODER.encode(value)


def _load(data: str | bytes) -> Any:
    return _DECODER.decode(data.decode("utf-8") if isinstance(data, bytes) else data)


def _hex32(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def check_tree_head(document: Any, public_key: bytes, member: str) -> Head:
    """A signed tree head (docs/timeline.md "Signed tree heads"): its fields, key id and signature."""
    if not isinstance(document, dict) or document.get("format") != HEAD_FORMAT:
        raise Problem(member, f"not a {HEAD_FORMAT} document")
    size, root, timestamp = document.get("size"), document.get("root"), document.get("timestamp")
    kid, signature = document.get("key_id"), document.get("signature")
    if not _integer(size) or size < 0:
        raise Problem(member, "size is not a whole number")
    if not _hex32(root):
        raise Problem(member, "root is not 64 lowercase hex digits")
    if not isinstance(timestamp, str) or not isinstance(kid, str) or not isinstance(signature, str):
        raise Problem(member, "timestamp, key_id and signature must be strings")
    if kid != hashlib.sha256(public_key).hexdigest():
        raise Problem(member, "the tree head names another key than the one trusted (key_id differs)")
    body = {"format": HEAD_FORMAT, "key_id": kid, "root": root, "size": size, "timestamp": timestamp}
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(signature, validate=True), canonical(body).encode("utf-8")
        )
    except (InvalidSignature, ValueError):
        raise Problem(member, "the tree head's signature does not verify with the trusted key") from None
    return Head(size, bytes.fromhex(root))


def _lines(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its newline) of a JSON Lines member, streamed in 1 MB chunks."""
    number, rest = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                number += 1
                yield number, line
    if rest:
        raise Problem(member, f"line {number + 1} does not end with a newline")


def _read_json(archive: zipfile.ZipFile, member: str) -> Any:
    try:
        return _load(archive.read(member))
    except KeyError:
        raise Problem(member, "the member is missing") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise Problem(member, f"not JSON: {error}") from None


class _PathChecker:
    """RFC 9162 §2.1.3.2 for many leaves of one tree, in increasing leaf order.

    Every node a checked path reached is committed to the signed root: remember its hash and
    the rest of the path above it. A later leaf whose recomputed node equals a remembered one
    at the same place of the same tree is proven included there; the rest of its path must
    then be byte for byte the remembered rest, and is not hashed again. Neighbouring leaves
    share all but the lowest nodes of their paths, so this costs about two hashes per leaf.
    A place is (number of right shifts, fn) of the RFC's loop: it names one subtree of the
    tree of this size. The memory is bounded: past `LIMIT` places it starts afresh.
    """

    LIMIT = 4096

    def __init__(self, head: Head) -> None:
        self.head = head
        # place -> (hash, the rest of the path above it)
        self.proven: dict[tuple[int, int], tuple[bytes, bytes]] = {}

    def check(self, leaf: bytes, index: int, path: bytes) -> bool:
        """`path`: the audit path as in proofs.jsonl, `"<hex>","<hex>",…` (bytes), leaf side first."""
        size = self.head.size
        if not 0 <= index < size:
            return False
        if len(self.proven) > self.LIMIT:
            self.proven = {}
        proven, unhex = self.proven, binascii.unhexlify
        fn, sn, shifts, r = index, size - 1, 0, leaf
        reached: list[tuple[tuple[int, int], bytes, bytes]] = []
        for start in range(0, len(path), NODE):
            if sn == 0:
                return False
            if path[start] != QUOTE or path[start + 65 : start + NODE] != b'",':
                return False
            try:
                p = unhex(path[start + 1 : start + 65])
            except (binascii.Error, ValueError):
                return False
            if fn & 1 or fn == sn:
                r = node_hash(p, r)
                if not fn & 1:
                    while fn and not fn & 1:
                        fn, sn, shifts = fn >> 1, sn >> 1, shifts + 1
            else:
                r = node_hash(r, p)
            fn, sn, shifts = fn >> 1, sn >> 1, shifts + 1
            place = (shifts, fn)
            known = proven.get(place)
            rest = path[start + NODE :]
            if known is not None and known[0] == r:
                if rest != known[1]:
                    return False
                for place, digest, above in reached:
                    proven[place] = (digest, above)
                return True
            reached.append((place, r, rest))
        if sn != 0 or r != self.head.root:
            return False
        for place, digest, above in reached:
            proven[place] = (digest, above)
        return True


def verify_export(bundle: str | Path | IO[bytes], public_key: bytes, earlier_head: Any | None = None) -> ExportReport:
    """Check a bundle with the trusted raw Ed25519 key; `earlier_head` is a kept tree head (a dict), if any."""
    state: dict[str, Any] = {}
    try:
        try:
            archive = zipfile.ZipFile(bundle)
        except (zipfile.BadZipFile, OSError) as error:
            raise Problem(None, f"not a zip file: {error}") from None
        with archive:
            _verify(archive, public_key, earlier_head, state)
    except Problem as problem:
        return ExportReport(
            False,
            state.get("incident"),
            state.get("events", 0),
            state.get("size"),
            state.get("root"),
            problem.member,
            problem.seq,
            problem.reason,
        )
    return ExportReport(True, state["incident"], state["events"], state["size"], state["root"])


def _verify(archive: zipfile.ZipFile, public_key: bytes, earlier: Any | None, state: dict[str, Any]) -> None:
    manifest = _read_json(archive, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") not in BUNDLE_FORMATS:
        raise Problem(MANIFEST, f"not a {BUNDLE_FORMAT} (or {BUNDLE_FORMAT_1}) manifest")
    incident, count, definition = manifest.get("incident"), manifest.get("events"), manifest.get("definition")
    if not isinstance(incident, str) or not _integer(count) or count < 1 or not isinstance(definition, dict):
        raise Problem(MANIFEST, "incident (string), events (at least 1) and definition (object) are required")
    state["incident"] = incident

    head = check_tree_head(_read_json(archive, HEAD), public_key, HEAD)
    state["size"], state["root"] = head.size, head.root.hex()

    names = set(archive.namelist())
    first = manifest["format"] == BUNDLE_FORMAT_1
    for member in (EVENTS, PROOFS) if first else (EVENTS, LEAVES, NODES):
        if member not in names:
            raise Problem(member, "the member is missing")
    check = _check_events_1 if first else _check_events_2
    protocol_digest = check(archive, incident, count, head, state)

    file_name, digest = definition.get("file"), definition.get("sha256")
    if not isinstance(file_name, str) or file_name not in names or not _hex32(digest):
        raise Problem(MANIFEST, "definition.file must name a member and definition.sha256 be 64 hex digits")
    actual = hashlib.sha256(archive.read(file_name)).hexdigest()
    if actual != digest:
        raise Problem(file_name, f"the file's SHA-256 is {actual}, the manifest says {digest}")
    if actual != protocol_digest:
        raise Problem(file_name, f"the file's SHA-256 is {actual}, the incident's first event names {protocol_digest}")

    if earlier is not None:
        kept = check_tree_head(earlier, public_key, "--checkpoint")
        proof = _read_json(archive, CONSISTENCY) if CONSISTENCY in names else None
        if kept.size == head.size:
            if kept.root != head.root:
                raise Problem(HEAD, "the kept tree head and the bundle's have the same size but different roots")
            return
        if kept.size > head.size:
            raise Problem(HEAD, f"the bundle's tree ({head.size}) is smaller than the kept one ({kept.size})")
        if proof is None:
            raise Problem(CONSISTENCY, f"missing: export again with since={kept.size}")
        nodes = proof.get("proof") if isinstance(proof, dict) else None
        if not isinstance(proof, dict) or proof.get("from") != kept.size or proof.get("to") != head.size:
            raise Problem(CONSISTENCY, f"the proof is not from size {kept.size} to size {head.size}")
        if not isinstance(nodes, list) or not all(_hex32(n) for n in nodes):
            raise Problem(CONSISTENCY, "proof must be a list of 64-hex-digit nodes")
        if not verify_consistency(kept.size, head.size, kept.root, head.root, [bytes.fromhex(n) for n in nodes]):
            raise Problem(
                CONSISTENCY, f"the tree of size {head.size} does not extend the kept tree of size {kept.size}"
            )


def _proof(line: bytes) -> tuple[int, int, bytes] | None:
    """(seq, leaf_index, audit path as hex) of a line of proofs.jsonl, which has exactly this form:
    {"seq":S,"leaf_index":I,"audit_path":["<64 hex>",…]} without whitespace. The nodes' hex digits
    are checked where they are decoded (`_PathChecker`)."""
    if not line.startswith(b'{"seq":') or not line.endswith(b"]}"):
        return None
    middle = line.find(b',"leaf_index":', 7)
    nodes_at = line.find(b',"audit_path":[', middle)
    if middle < 0 or nodes_at < 0:
        return None
    seq, index, nodes = line[7:middle], line[middle + 14 : nodes_at], line[nodes_at + 15 : -2]
    if not (seq.isdigit() and index.isdigit()):
        return None
    count = (len(nodes) + 1) // NODE
    if nodes and (len(nodes) + 1 != NODE * count or nodes.count(b'","') != count - 1):
        return None
    return int(seq), int(index), nodes + b"," if nodes else b""


def _fast_encoder() -> Callable[[Any], str]:
    """`_ENCODER.encode`, without rebuilding the C encoder on every call (json.JSONEncoder.iterencode does).

    Same options, same C implementation, so the same text; `markers` (the circular-reference
    check) is left out because a parsed JSON value has no cycles. Falls back where the C
    accelerator is absent.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has _json
        return _ENCODER.encode
    chunks = make(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True, False, False)
    join = "".join
    return lambda value: join(chunks(value, 0))


_ENCODE = _fast_encoder()
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_EVENT_KEYS = frozenset(EVENT_KEYS)


def _canonical_event(line: bytes) -> dict[str, Any] | None:
    """The event of a line that is exactly its canonical encoding with the seven fields; else None.

    The fast path of step 3 of docs/timeline.md: the decoder's scanner from the first byte to
    the last (no whitespace around: a canonical line has none), then the canonical re-encoding
    compared with the line. It accepts exactly the lines `_event_problem` accepts; on None the
    caller runs that one, which names the problem.
    """
    try:
        text = line.decode("utf-8")
        event, end = _SCAN(text, 0)
    except (ValueError, UnicodeDecodeError, StopIteration, RecursionError):
        return None
    if end != len(text) or type(event) is not dict or event.keys() != _EVENT_KEYS or _ENCODE(event) != text:
        return None
    return event


def _event_problem(line: bytes, number: int) -> dict[str, Any]:
    """Step 3's checks of one event line, one at a time, raising the first problem found."""
    seq = number
    try:
        text = line.decode("utf-8")
        event = _DECODER.decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise Problem(EVENTS, f"line {number} is not JSON: {error}", seq) from None
    if not isinstance(event, dict) or tuple(sorted(event)) != EVENT_KEYS:
        raise Problem(EVENTS, f"line {number} does not hold exactly the fields {', '.join(EVENT_KEYS)}", seq)
    if event["seq"] != seq:
        shown = event["seq"]
        raise Problem(EVENTS, f"line {number} holds event {shown}; event {seq} is missing", seq)
    if _ENCODER.encode(event) != text:
        raise Problem(EVENTS, "the line is not the event's canonical encoding", seq)
    return event  # pragma: no cover - `_canonical_event` accepts every line that gets here


def _events(archive: zipfile.ZipFile, incident: str, state: dict[str, Any]) -> Iterator[tuple[int, bytes]]:
    """(seq, SHA-256 of the line) of each event of events.jsonl, after step 3's checks of the event and
    its chain link; notes the protocol digest the first event names in `state["protocol"]`."""
    prev = GENESIS
    for number, line in _lines(archive, EVENTS):
        seq = number
        event = _canonical_event(line)
        if event is None:
            event = _event_problem(line, number)
        if event["seq"] != seq:
            shown = event["seq"]
            raise Problem(EVENTS, f"line {number} holds event {shown}; event {seq} is missing", seq)
        if event["incident"] != incident:
            raise Problem(EVENTS, "the event belongs to another incident", seq)
        if event["prev_hash"] != prev:
            raise Problem(EVENTS, "prev_hash is not the hash of the previous event (an event before it changed)", seq)
        if type(event["payload"]) is not dict:
            raise Problem(EVENTS, "the payload is not an object", seq)
        if seq == 1:
            protocol = event["payload"].get("protocol")
            if event["type"] != "IncidentReported" or not isinstance(protocol, dict):
                raise Problem(EVENTS, "the first event is not an IncidentReported naming its protocol", seq)
            state["protocol"] = str(protocol.get("digest"))
        digest = hashlib.sha256(line).digest()
        prev = digest.hex()
        yield seq, digest


def _check_events_1(archive: zipfile.ZipFile, incident: str, count: int, head: Head, state: dict[str, Any]) -> str:
    """Format 1: the events and their audit paths side by side; returns the protocol digest the first event names."""
    last_index = -1
    checker = _PathChecker(head)
    proofs = _lines(archive, PROOFS)
    seen = 0
    for seq, digest in _events(archive, incident, state):
        try:
            _, proof_line = next(proofs)
        except StopIteration:
            raise Problem(PROOFS, "no inclusion proof for the event", seq) from None
        parsed = _proof(proof_line)
        if parsed is None:
            raise Problem(PROOFS, 'the line is not {"seq":S,"leaf_index":I,"audit_path":["<hex>",…]} exactly', seq)
        if parsed[0] != seq:
            raise Problem(PROOFS, "the proof's seq is not the event's", seq)
        index, path = parsed[1], parsed[2]
        if index <= last_index:
            raise Problem(PROOFS, "leaf_index must be above the previous event's", seq)
        if not checker.check(leaf_hash(digest), index, path):
            raise Problem(
                PROOFS, f"the event is not leaf {index} of the signed tree of size {head.size} (changed or moved)", seq
            )
        last_index, seen = index, seq
        state["events"] = seen
    if next(proofs, None) is not None:
        raise Problem(PROOFS, f"more proofs than events ({seen})", seen + 1)
    if seen != count:
        raise Problem(EVENTS, f"the bundle holds {seen} events, the manifest {count}", seen + 1)
    return str(state.get("protocol", ""))


def _check_events_2(archive: zipfile.ZipFile, incident: str, count: int, head: Head, state: dict[str, Any]) -> str:
    """Format 2: the events with their leaf indices, and one root recomputed from all their leaves."""
    size = head.size

    def leaves() -> Iterator[tuple[int, bytes]]:
        indices = _lines(archive, LEAVES)
        last, seen = -1, 0
        for seq, digest in _events(archive, incident, state):
            try:
                _, line = next(indices)
            except StopIteration:
                raise Problem(LEAVES, "no leaf index for the event", seq) from None
            if not line.isdigit() or (line[0] == 0x30 and len(line) > 1):  # b"0": no leading zeros
                raise Problem(LEAVES, "the line is not a leaf index (a decimal integer)", seq)
            index = int(line)
            if index <= last:
                raise Problem(LEAVES, "the leaf index must be above the previous event's", seq)
            if index >= size:
                raise Problem(LEAVES, f"leaf index {index} is not in the signed tree of size {size}", seq)
            last, seen = index, seq
            state["events"] = seen
            yield index, leaf_hash(digest)
        if next(indices, None) is not None:
            raise Problem(LEAVES, f"more leaf indices than events ({seen})", seen + 1)
        if seen != count:
            raise Problem(EVENTS, f"the bundle holds {seen} events, the manifest {count}", seen + 1)

    try:
        root = root_from_leaves(size, leaves(), _nodes(archive))
    except ProofShapeError as error:
        raise Problem(NODES, f"the nodes do not fit the leaf indices: {error}") from None
    if state.get("events", 0) != count:  # pragma: no cover - leaves() raises first
        raise Problem(EVENTS, f"the bundle holds {state.get('events', 0)} events, the manifest {count}")
    if root != head.root:
        raise Problem(
            NODES,
            f"the events are not the leaves of the signed tree of size {size} at their leaf indices "
            "(an event, a leaf index or a node changed)",
        )
    return str(state.get("protocol", ""))


def _nodes(archive: zipfile.ZipFile) -> Iterator[bytes]:
    """The nodes of nodes.jsonl, each line exactly a JSON string of 64 lowercase hex digits."""
    for number, line in _lines(archive, NODES):
        digits = line[1:-1]
        if len(line) != 66 or line[0] != QUOTE or line[-1] != QUOTE or digits.lower() != digits:
            raise Problem(NODES, f'line {number} is not "<64 lowercase hex digits>"')
        try:
            yield binascii.unhexlify(digits)
        except (binascii.Error, ValueError):
            raise Problem(NODES, f'line {number} is not "<64 lowercase hex digits>"') from None


def main(argv: list[str] | None = None) -> int:
    """`python -m protocol.export_verify FILE --public-key BASE64 [--checkpoint HEAD.json]`: 0 valid, 1 not."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m protocol.export_verify", description=main.__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--public-key", required=True, help="base64 of the raw 32-byte Ed25519 key")
    parser.add_argument("--checkpoint", type=Path, default=None, help="a kept signed tree head (JSON)")
    args = parser.parse_args(argv)
    try:
        key = base64.b64decode(args.public_key, validate=True)
        earlier = json.loads(args.checkpoint.read_text("utf-8")) if args.checkpoint else None
    except (ValueError, OSError) as error:
        parser.error(str(error))
    report = verify_export(args.file, key, earlier)
    print(json.dumps(report.as_dict(), indent=1))
    if not report.valid:
        where = (report.member or "bundle") + ("" if report.seq is None else f", event seq {report.seq}")
        print(f"INVALID ({where}): {report.reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
