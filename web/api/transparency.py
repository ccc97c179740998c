"""The transparency log, for oversight: signed tree heads, the key they are signed with, and proofs.

Everything here is read-only. The heads, the key and consistency proofs carry no organisation's
data; an inclusion proof names an event and is served only to whoever may read its incident.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from protocol.services import get_tree_head, list_tree_heads, log_public_key, prove_consistency, prove_inclusion
from web.api.common import READ_ERRORS, api_blueprint, errors
from web.api.schemas.transparency import (
    ConsistencyQuerySchema,
    ConsistencySchema,
    InclusionQuerySchema,
    InclusionSchema,
    PublicKeySchema,
    TreeHeadListQuerySchema,
    TreeHeadListSchema,
    TreeHeadSchema,
)
from web.context import herstel, principal

blp = api_blueprint("transparency", "/oversight", "The transparency log of every event (RFC 9162)")


@blp.route("/checkpoints")
class TreeHeads(MethodView):
    @blp.arguments(TreeHeadListQuerySchema, location="query", unknown="raise")
    @blp.response(200, TreeHeadListSchema)
    @errors(blp, 401, 403, 422)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Signed tree heads, largest first, a page at a time."""
        return list_tree_heads(uow=herstel().uow(), principal=principal(), **query)


@blp.route("/checkpoints/<int:size>")
class TreeHead(MethodView):
    @blp.response(200, TreeHeadSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, size: int) -> dict[str, Any]:
        """The signed tree head of one size (keep it: later ones must prove they extend it)."""
        return get_tree_head(uow=herstel().uow(), principal=principal(), size=size)


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, PublicKeySchema)
    @errors(blp, 401, 403)
    def get(self) -> dict[str, Any]:
        """The Ed25519 key tree heads are signed with."""
        installation = herstel()
        return log_public_key(principal=principal(), private_key=installation.settings.signing_key_bytes())


@blp.route("/proofs/consistency")
class Consistency(MethodView):
    @blp.arguments(ConsistencyQuerySchema, location="query", unknown="raise")
    @blp.response(200, ConsistencySchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Proof that the tree of size `to` extends the tree of size `from` (both sizes of signed heads)."""
        return prove_consistency(uow=herstel().uow(), principal=principal(), **query)


@blp.route("/proofs/inclusion")
class Inclusion(MethodView):
    @blp.arguments(InclusionQuerySchema, location="query", unknown="raise")
    @blp.response(200, InclusionSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Proof that an event is leaf `leaf_index` of the tree of a signed head."""
        return prove_inclusion(uow=herstel().uow(), principal=principal(), **query)
