"""The transparency log: sequencing committed events into it, signing its head, serving proofs, verifying it.

Appending an event does not touch the log (every incident would contend on one counter): the
sequencer gives committed events their leaf index afterwards, in batches, as Certificate
Transparency's logs do within their merge delay. Proofs read O(log n) stored subtree hashes.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from protocol import messages
from protocol.chain import GENESIS, canonical_bytes
from protocol.errors import InvalidEvidence, NotFound
from protocol.evidence import format_instant
from protocol.identity import Principal
from protocol.merkle import (
    RootAccumulator,
    SubtreeHash,
    completed_nodes,
    consistency_proof,
    inclusion_proof,
    root_from_subtrees,
)
from protocol.permissions import Forbidden, grant_for, organisations_for
from protocol.services.access import incident_for
from protocol.storage.tables import TreeHeadRow
from protocol.storage.uow import UnitOfWork
from protocol.transparency import (
    TreeHead,
    TreeHeadFormatError,
    event_leaf,
    key_id,
    parse_tree_head,
    public_key_bytes,
    sign_tree_head,
)

T = TypeVar("T")
SEQUENCE_BATCH = 10_000
MAX_SIZE = 2**62  # beyond any log; keeps a size from a URL inside a BIGINT
# The organisation-free documents (signed heads, the key, consistency proofs): oversight bodies,
# and those who may make checkpoints themselves.
READERS = ("oversight.read", "checkpoint.create")


def _with_nodes(uow: UnitOfWork, compute: Callable[[SubtreeHash], T]) -> T:
    """Run a root or proof computation over stored nodes, reading them all in one query.

    Which nodes a computation reads depends only on the sizes and indices, never on the hashes,
    so a dry run with placeholder hashes names them; one query instead of one per node (a
    consistency proof touches up to O(log² n) subtrees before caching).
    """
    wanted: set[tuple[int, int]] = set()

    def record(level: int, position: int) -> bytes:
        wanted.add((level, position))
        return bytes(32)

    compute(record)
    found = uow.transparency.nodes(wanted)
    return compute(lambda level, position: found[(level, position)])


def sequence_events(*, uow: UnitOfWork, limit: int = SEQUENCE_BATCH) -> int:
    """Give up to `limit` committed events not yet in the log their leaf index; returns how many.

    Safe to run twice at once: one sequencer holds the lock (PostgreSQL advisory lock; SQLite
    serialises writers), and the unique log index and event id refuse a duplicate anyway.
    """
    with uow:
        uow.transparency.lock_sequencer()
        pending = uow.transparency.unsequenced(limit)
        if not pending:
            return 0
        size = uow.transparency.size()
        fresh: dict[tuple[int, int], bytes] = {}

        def stored(level: int, position: int) -> bytes:
            found = fresh.get((level, position))
            return found if found is not None else uow.transparency.node(level, position)

        entries, nodes = [], []
        for offset, (event_id, chain_hash) in enumerate(pending):
            index, leaf = size + offset, event_leaf(chain_hash)
            entries.append((index, event_id, leaf.hex()))
            for level, position, digest in completed_nodes(index, leaf, stored):
                fresh[(level, position)] = digest
                nodes.append((level, position, digest.hex()))
        uow.transparency.append(entries, nodes)
        uow.transparency.dequeue([event_id for _, event_id, _ in entries])
        uow.commit()
        return len(entries)


def sequence_all(*, uow_factory: Callable[[], UnitOfWork], batch: int = SEQUENCE_BATCH) -> int:
    """Sequence every committed event, a batch per transaction; returns how many were added."""
    total = 0
    while added := sequence_events(uow=uow_factory(), limit=batch):
        total += added
    return total


def sign_log(*, uow_factory: Callable[[], UnitOfWork], private_key: bytes) -> dict[str, Any]:
    """Sequence what is committed, then sign the tree head (the scheduler's daily job, `herstel log checkpoint`).

    One signed head per size: when the log has not grown since the last one, that one is returned.
    """
    sequence_all(uow_factory=uow_factory)
    return sign_head(uow=uow_factory(), private_key=private_key)


def sign_head(*, uow: UnitOfWork, private_key: bytes) -> dict[str, Any]:
    """Sign the head of the log as sequenced now (no sequencing first); an existing head of that size is returned."""
    with uow:
        uow.transparency.lock_sequencer()  # two signers at once: the second finds the first's head
        size = uow.transparency.size()
        existing = uow.transparency.head(size)
        if existing is not None:
            return _document(existing)
        root = _with_nodes(uow, lambda nodes: root_from_subtrees(size, nodes))
        head = sign_tree_head(size=size, root=root, timestamp=uow.now(), private_key=private_key)
        row = TreeHeadRow(
            size=head.size, root=head.root, timestamp=head.timestamp, key_id=head.key_id, signature=head.signature
        )
        uow.transparency.add_head(row)
        uow.commit()
        return head.as_dict()


def _document(row: TreeHeadRow) -> dict[str, Any]:
    return TreeHead(row.size, row.root, row.timestamp, row.key_id, row.signature).as_dict()


def _head(uow: UnitOfWork, size: int) -> TreeHeadRow:
    """The signed head of a size, or NotFound (also for sizes no database column could hold)."""
    row = uow.transparency.head(size) if 0 <= size < MAX_SIZE else None
    if row is None:
        raise NotFound(messages.NO_CHECKPOINT(size=size), rule="unknown-checkpoint")
    return row


def _require_reader(principal: Principal) -> None:
    if not any(organisations_for(principal, action) for action in READERS):
        raise Forbidden(messages.ROLE_NOT_ALLOWED(action="oversight.read"), rule="permission", action="oversight.read")


def list_tree_heads(
    *, uow: UnitOfWork, principal: Principal, limit: int = 50, before: int | None = None
) -> dict[str, Any]:
    """Signed tree heads, largest first, a page at a time (`before`: the smallest size already seen)."""
    _require_reader(principal)
    limit = max(1, min(limit, 500))
    with uow.read_only():
        rows = uow.transparency.heads(limit=limit + 1, before=before)
        page = rows[:limit]
        return {
            "checkpoints": [_document(r) for r in page],
            "next_before": page[-1].size if len(rows) > limit else None,
        }


def get_tree_head(*, uow: UnitOfWork, principal: Principal, size: int) -> dict[str, Any]:
    """The signed tree head of one size."""
    _require_reader(principal)
    with uow.read_only():
        return _document(_head(uow, size))


def log_public_key(*, principal: Principal, private_key: bytes) -> dict[str, Any]:
    """The key tree heads are verified with: base64 of the raw Ed25519 public key, and its id."""
    _require_reader(principal)
    public = public_key_bytes(private_key)
    return {"algorithm": "Ed25519", "public_key": base64.b64encode(public).decode(), "key_id": key_id(public)}


def installation_public_key(*, private_key: bytes) -> str:
    """The base64 public key of the installation's signing key (for `herstel log verify` on the operator's side)."""
    return base64.b64encode(public_key_bytes(private_key)).decode()


def prove_consistency(*, uow: UnitOfWork, principal: Principal, old_size: int, new_size: int) -> dict[str, Any]:
    """RFC 9162 consistency proof between the trees of two signed heads."""
    _require_reader(principal)
    if old_size > new_size:
        raise InvalidEvidence(
            messages.PROOF_ORDER(), errors={"from": [messages.PROOF_FROM(size=new_size)]}, rule="proof-order"
        )
    with uow.read_only():
        for size in (old_size, new_size):
            _head(uow, size)
        proof = _with_nodes(uow, lambda nodes: consistency_proof(old_size, new_size, nodes))
        return {"from": old_size, "to": new_size, "proof": [node.hex() for node in proof]}


def prove_inclusion(*, uow: UnitOfWork, principal: Principal, event_id: int, tree_size: int) -> dict[str, Any]:
    """RFC 9162 inclusion proof of an event in the tree of a signed head; only for who may read its incident."""
    with uow.read_only():
        event = uow.timeline.event(event_id) if 0 < event_id < MAX_SIZE else None
        if event is None:
            raise NotFound(messages.NO_EVENT(event_id=event_id), rule="unknown-event")
        _require_incident_reader(uow, principal, event.incident_id, event_id)
        _head(uow, tree_size)
        entry = uow.transparency.entry(event_id)
        if entry is None or entry[0] >= tree_size:
            raise NotFound(messages.EVENT_NOT_IN_TREE(event_id=event_id, size=tree_size), rule="not-in-tree")
        index, leaf = entry
        path = _with_nodes(uow, lambda nodes: inclusion_proof(index, tree_size, nodes))
        return {
            "event_id": event_id,
            "incident_id": event.incident_id,
            "seq": event.seq,
            "event_hash": event.hash,
            "leaf_index": index,
            "leaf_hash": leaf,
            "tree_size": tree_size,
            "audit_path": [node.hex() for node in path],
        }


def _require_incident_reader(uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, event_id: int) -> None:
    """An oversight body granted the incident's organisation, or whoever may read its timeline; else not found."""
    try:
        incident = uow.incidents.get(incident_id, organisation_ids=set(principal.memberships), lock=False)
    except NotFound:
        raise NotFound(messages.NO_EVENT(event_id=event_id), rule="unknown-event") from None
    if grant_for(principal, "oversight.read", incident.organisation_id) is not None:
        return
    try:
        incident_for(uow, principal, incident_id, "timeline.read", lock=False)
    except (NotFound, Forbidden):
        raise NotFound(messages.NO_EVENT(event_id=event_id), rule="unknown-event") from None


def verify_log(*, uow: UnitOfWork, document: str, public_key: str) -> dict[str, Any]:
    """Recompute the log from the events' contents and compare it with a kept signed tree head.

    `public_key` is the base64 raw Ed25519 key the head must be signed with (the one kept).

    Each event's chain hash is recomputed from its columns and from the recomputed hash of the
    previous event of its incident — stored hashes are not trusted — and becomes the leaf. The
    report names the first leaf whose event no longer yields the leaf the log recorded, or else
    says only that the root differs (a log whose own records were rewritten too).
    """
    try:
        head = parse_tree_head(document)
    except TreeHeadFormatError as error:
        return _report(False, None, reason=str(error))
    try:
        key = base64.b64decode(public_key, validate=True)
    except ValueError:
        return _report(False, head, reason="the public key is not base64")
    if not head.verify_signature(key):
        return _report(False, head, reason="the checkpoint is not signed by this key")
    with uow.read_only():
        tree, first_bad, bad_reason = RootAccumulator(), None, None  # O(log n) memory, however long the log
        chains: dict[uuid.UUID, tuple[int, str]] = {}
        for index, leaf_hex, incident_id, seq, type_, at, actor, payload, prev_hash, stored in uow.transparency.leaves(
            head.size
        ):
            if index != tree.size:
                return _report(False, head, index=tree.size, reason=f"leaf {tree.size} is missing from the log")
            last_seq, last_hash = chains.get(incident_id, (0, GENESIS))
            body = canonical_bytes(
                incident_id=str(incident_id),
                seq=seq,
                type=type_,
                at=at,
                actor=actor,
                payload_json=payload,
                prev_hash=last_hash,
            )
            recomputed = hashlib.sha256(body).hexdigest()
            chains[incident_id] = (seq, recomputed)
            leaf = event_leaf(recomputed)
            if first_bad is None:
                if seq != last_seq + 1:
                    first_bad, bad_reason = index, f"event {seq} of its incident follows event {last_seq}"
                elif prev_hash != last_hash or stored != recomputed:
                    first_bad, bad_reason = index, "the event's contents no longer give its hash"
                elif leaf.hex() != leaf_hex:
                    first_bad, bad_reason = index, "the event differs from the leaf the log recorded"
            tree.append(leaf)
    if tree.size < head.size:
        reason = f"the log has {tree.size} leaves, the checkpoint {head.size}"
        return _report(False, head, index=tree.size, reason=reason)
    root = tree.root().hex()
    if first_bad is not None:
        return _report(False, head, index=first_bad, reason=bad_reason, root=root)
    if root != head.root:
        return _report(False, head, reason="the recomputed root differs from the checkpoint's", root=root)
    return _report(True, head, root=root)


def _report(
    valid: bool, head: TreeHead | None, *, index: int | None = None, reason: str | None = None, root: str | None = None
) -> dict[str, Any]:
    return {
        "valid": valid,
        "size": head.size if head else None,
        "checkpoint_root": head.root if head else None,
        "recomputed_root": root,
        "timestamp": format_instant(head.timestamp) if head else None,
        "first_invalid_leaf": index,
        "reason": reason,
    }
