"""The transparency log: signed tree heads, the public key, consistency and inclusion proofs."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from protocol.services import messages
from web.api.common import Input

HEX = "lowercase hex SHA-256"
SIZE = ma.validate.Range(min=0, max=2**62)


class TreeHeadSchema(ma.Schema):
    format = ma.fields.String(required=True, metadata={"description": "herstel-tree-head/1"})
    size = ma.fields.Integer(required=True, metadata={"description": "the number of leaves (events) in the tree"})
    root = ma.fields.String(required=True, metadata={"description": f"RFC 9162 Merkle tree hash, {HEX}"})
    timestamp = ma.fields.String(
        required=True, metadata={"description": "when it was signed, UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ"}
    )
    key_id = ma.fields.String(required=True, metadata={"description": "SHA-256 (hex) of the raw Ed25519 public key"})
    signature = ma.fields.String(
        required=True, metadata={"description": "base64 Ed25519 signature over the canonical JSON of the other fields"}
    )


class TreeHeadListQuerySchema(Input):
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))
    before = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**62),
        metadata={"description": "the smallest size already seen: the next page holds smaller trees"},
    )


class TreeHeadListSchema(ma.Schema):
    checkpoints = ma.fields.List(ma.fields.Nested(TreeHeadSchema), required=True)
    next_before = ma.fields.Integer(allow_none=True, metadata={"description": "ask again with before=this; null: done"})


class PublicKeySchema(ma.Schema):
    algorithm = ma.fields.String(required=True, metadata={"description": "Ed25519"})
    public_key = ma.fields.String(required=True, metadata={"description": "base64 of the raw 32-byte public key"})
    key_id = ma.fields.String(required=True)


class ConsistencyQuerySchema(Input):
    old_size = ma.fields.Integer(
        data_key="from", attribute="old_size", required=True, validate=SIZE, metadata={"description": "earlier size"}
    )
    new_size = ma.fields.Integer(
        data_key="to", attribute="new_size", required=True, validate=SIZE, metadata={"description": "later size"}
    )

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["old_size"] > data["new_size"]:
            raise ma.ValidationError(messages.PROOF_FROM(size=data["new_size"]), field_name="from")


class ConsistencySchema(ma.Schema):
    from_ = ma.fields.Integer(data_key="from", attribute="from", required=True)
    to = ma.fields.Integer(required=True)
    proof = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": f"RFC 9162 §2.1.4 consistency path, {HEX} each"}
    )


class InclusionQuerySchema(Input):
    event_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**62))
    tree_size = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**62))


class InclusionSchema(ma.Schema):
    event_id = ma.fields.Integer(required=True)
    incident_id = ma.fields.UUID(required=True)
    seq = ma.fields.Integer(required=True)
    event_hash = ma.fields.String(required=True, metadata={"description": "the event's chain hash: the leaf's content"})
    leaf_index = ma.fields.Integer(required=True)
    leaf_hash = ma.fields.String(required=True, metadata={"description": f"SHA-256(0x00 || event hash bytes), {HEX}"})
    tree_size = ma.fields.Integer(required=True)
    audit_path = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "RFC 9162 §2.1.3 inclusion path, leaf side first"}
    )
