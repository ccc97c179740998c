"""The installation's transparency log: leaves, signed tree heads, and checking that a log only appended.

Every event of every incident becomes one leaf of a single RFC 9162 Merkle tree (see
`protocol.merkle`), in the order the sequencer took them. The leaf is the event's chain hash as
32 raw bytes: that hash already commits to the incident, the seq, the type, the time, the actor,
the payload and the previous event's hash (docs/timeline.md), so the tree needs no encoding of
its own and a leaf can be recomputed by anyone holding the event.

A signed tree head (a "checkpoint" of the log) binds a tree size to its root at a time, signed
with the installation's Ed25519 key — the same key as the per-chain checkpoints. The signature is
over the canonical JSON (sorted keys, no whitespace, UTF-8) of

    {"format":"herstel-tree-head/1","key_id":K,"root":R,"size":N,"timestamp":T}

with R the lowercase hex root, N a decimal integer, T `YYYY-MM-DDTHH:MM:SS.ffffffZ` and K the
lowercase hex SHA-256 of the raw 32-byte public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocol.evidence import format_instant, parse_instant
from protocol.merkle import leaf_hash, verify_consistency

FORMAT = "herstel-tree-head/1"
HEX_DIGITS = frozenset("0123456789abcdef")


def event_leaf(chain_hash: str) -> bytes:
    """The leaf hash of an event: SHA-256(0x00 || the 32 bytes of its chain hash)."""
    return leaf_hash(bytes.fromhex(chain_hash))


def key_id(public_key: bytes) -> str:
    """The id of a raw Ed25519 public key: the hex SHA-256 of its 32 bytes."""
    return hashlib.sha256(public_key).hexdigest()


def public_key_bytes(private_key: bytes) -> bytes:
    """The raw public key of a raw Ed25519 private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class TreeHeadFormatError(ValueError):
    """A signed tree head document cannot be read."""


@dataclass(frozen=True)
class TreeHead:
    """A signed statement: the log had `size` leaves with this `root` at `timestamp`."""

    size: int
    root: str  # lowercase hex
    timestamp: datetime
    key_id: str
    signature: str  # base64 Ed25519 signature over `signed_bytes()`

    def signed_bytes(self) -> bytes:
        return signed_bytes(self.size, self.root, self.timestamp, self.key_id)

    def as_dict(self) -> dict[str, Any]:
        """The published document: the signed fields plus the signature."""
        return {
            "format": FORMAT,
            "size": self.size,
            "root": self.root,
            "timestamp": format_instant(self.timestamp),
            "key_id": self.key_id,
            "signature": self.signature,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=1, sort_keys=True)

    def verify_signature(self, public_key: bytes) -> bool:
        """True when `public_key` (raw, 32 bytes) made the signature and its id is the one named."""
        if len(public_key) != 32 or key_id(public_key) != self.key_id:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):
            return False
        return True


def signed_bytes(size: int, root: str, timestamp: datetime, key: str) -> bytes:
    """The canonical encoding a tree head's signature covers."""
    body = {"format": FORMAT, "key_id": key, "root": root, "size": size, "timestamp": format_instant(timestamp)}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_tree_head(*, size: int, root: bytes, timestamp: datetime, private_key: bytes) -> TreeHead:
    """Sign (size, root, timestamp) with the installation's key."""
    kid = key_id(public_key_bytes(private_key))
    root_hex = root.hex()
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(signed_bytes(size, root_hex, timestamp, kid))
    return TreeHead(size, root_hex, timestamp, kid, base64.b64encode(signature).decode())


def parse_tree_head(document: str | dict[str, Any]) -> TreeHead:
    """Read a tree head as `TreeHead.to_json` writes it (or as the API serves it)."""
    try:
        data = json.loads(document) if isinstance(document, str) else document
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TreeHeadFormatError(f"not a {FORMAT} document")
        size, root = data["size"], data["root"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise TreeHeadFormatError("size is not a whole number")
        if not isinstance(root, str) or len(root) != 64 or not set(root) <= HEX_DIGITS:
            raise TreeHeadFormatError("root is not 64 lowercase hex digits")
        return TreeHead(size, root, parse_instant(data["timestamp"]), str(data["key_id"]), str(data["signature"]))
    except TreeHeadFormatError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise TreeHeadFormatError(f"unreadable tree head: {error}") from None


@dataclass(frozen=True)
class AppendOnlyReport:
    """Whether a later tree head extends an earlier one; `reason` names the first problem."""

    valid: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": self.reason}


def verify_append_only(earlier: TreeHead, later: TreeHead, proof: Sequence[str], public_key: bytes) -> AppendOnlyReport:
    """Did the log only append between two signed heads? Checks both signatures and the proof (hex nodes)."""
    if not earlier.verify_signature(public_key):
        return AppendOnlyReport(False, "the earlier tree head is not signed by this key")
    if not later.verify_signature(public_key):
        return AppendOnlyReport(False, "the later tree head is not signed by this key")
    if later.size < earlier.size:
        return AppendOnlyReport(False, f"the later tree ({later.size}) is smaller than the earlier ({earlier.size})")
    try:
        nodes = [bytes.fromhex(node) for node in proof]
    except (TypeError, ValueError):
        return AppendOnlyReport(False, "the consistency proof holds a node that is not hex")
    if not verify_consistency(earlier.size, later.size, bytes.fromhex(earlier.root), bytes.fromhex(later.root), nodes):
        return AppendOnlyReport(
            False, f"the tree of size {later.size} does not extend the tree of size {earlier.size}: it was rewritten"
        )
    return AppendOnlyReport(True)
