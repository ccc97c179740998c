"""Signed checkpoints of chain heads, kept outside the database.

A checkpoint lists, for every incident, the sequence number and hash of its chain head, and is
signed with Ed25519. An oversight body that keeps a checkpoint can later prove that no chain was
rewritten or truncated since: every head it lists must still be on its chain, unchanged, even if
someone rewrote the whole events table and recomputed every hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocol.evidence import format_instant, parse_instant

FORMAT = "herstel-checkpoint/1"


@dataclass(frozen=True)
class Head:
    """The head of one incident's chain at the time of a checkpoint."""

    incident_id: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """A signed set of chain heads."""

    created_at: datetime
    heads: tuple[Head, ...]
    public_key: str  # base64 raw Ed25519 public key
    signature: str  # base64 signature over `signed_bytes()`

    def signed_bytes(self) -> bytes:
        return _body(self.created_at, self.heads, self.public_key)

    @property
    def root(self) -> str:
        return heads_root(self.heads)

    def to_json(self) -> str:
        """The document an oversight body keeps."""
        document = json.loads(self.signed_bytes())
        document["signature"] = self.signature
        return json.dumps(document, indent=1, sort_keys=True)

    def verify_signature(self, trusted_public_key: str | None = None) -> bool:
        """True when the signature is valid (and made by `trusted_public_key`, when given)."""
        if trusted_public_key is not None and trusted_public_key != self.public_key:
            return False
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))
            key.verify(base64.b64decode(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):  # a key or signature that is no base64 or of the wrong size
            return False
        return True


def heads_root(heads: Iterable[Head]) -> str:
    """One SHA-256 over all heads in incident order, printed so it can be read out over the phone."""
    digest = hashlib.sha256()
    for head in sorted(heads, key=lambda h: h.incident_id):
        digest.update(f"{head.incident_id}:{head.seq}:{head.hash}\n".encode())
    return digest.hexdigest()


def _body(created_at: datetime, heads: Iterable[Head], public_key: str) -> bytes:
    ordered = sorted(heads, key=lambda h: h.incident_id)
    document: dict[str, Any] = {
        "format": FORMAT,
        "created_at": format_instant(created_at),
        "public_key": public_key,
        "root": heads_root(ordered),
        "heads": [{"incident_id": h.incident_id, "seq": h.seq, "hash": h.hash} for h in ordered],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public_key_of(private_key: bytes) -> str:
    """The base64 raw public key that belongs to a raw private key."""
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def sign_checkpoint(heads: Iterable[Head], *, private_key: bytes, now: datetime) -> Checkpoint:
    """Sign the given heads with the configured Ed25519 key."""
    heads = tuple(sorted(heads, key=lambda h: h.incident_id))
    public_key = public_key_of(private_key)
    body = _body(now, heads, public_key)
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(body)
    return Checkpoint(now, heads, public_key, base64.b64encode(signature).decode())


class CheckpointFormatError(ValueError):
    """A checkpoint document cannot be read."""


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint document as produced by `Checkpoint.to_json`."""
    try:
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CheckpointFormatError(f"not a {FORMAT} document")
        heads = tuple(Head(h["incident_id"], int(h["seq"]), h["hash"]) for h in document["heads"])
        checkpoint = Checkpoint(
            parse_instant(document["created_at"]), heads, document["public_key"], document["signature"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointFormatError(f"unreadable checkpoint: {error}") from None
    # The signature covers the root computed from the heads, not the one written in the document,
    # which is the one a person reads out; a document whose root was changed must not pass.
    if document.get("root") != checkpoint.root:
        raise CheckpointFormatError("the root in the document does not match its heads")
    return checkpoint
