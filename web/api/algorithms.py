"""Algorithms: what incidents are about, with whether an incident has suspended them."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask.views import MethodView

from protocol.services import InvalidEvidence, NotFound, get_algorithm, list_algorithms, messages, organisation_id_for
from protocol.services import register_algorithm as register
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.algorithms import AlgorithmCreateSchema, AlgorithmSchema
from web.context import herstel, principal

blp = api_blueprint("algorithms", "/algorithms", "Algorithms incidents are reported about")


def _organisation_id(given: str | None) -> uuid.UUID | None:
    """The body's `organisation` is an id or a slug."""
    if not given:
        return None
    try:
        return uuid.UUID(given)
    except ValueError:
        return organisation_id_for(uow=herstel().uow(), slug=given)


@blp.route("")
class Algorithms(MethodView):
    @blp.arguments(AlgorithmCreateSchema)
    @blp.response(201, AlgorithmSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Register an algorithm of your organisation."""
        given = body.pop("organisation", None)
        try:
            algorithm = register(
                uow=herstel().uow(), principal=principal(), organisation_id=_organisation_id(given), **body
            )
        except NotFound as error:
            if error.rule != "unknown-organisation":
                raise
            # a bad field of the body, not a missing resource
            raise InvalidEvidence(
                messages.UNKNOWN_ORGANISATION(), errors={"organisation": [messages.ORGANISATION_NOT_YOURS()]}
            ) from None
        return algorithm, {"Location": url_for("algorithms.Algorithm", algorithm_id=algorithm["id"])}

    @blp.response(200, AlgorithmSchema(many=True))
    @errors(blp, 401, 403)
    def get(self) -> list[dict[str, Any]]:
        """The algorithms of your organisations."""
        return list_algorithms(uow=herstel().uow(), principal=principal())


@blp.route("/<uuid:algorithm_id>")
class Algorithm(MethodView):
    @blp.response(200, AlgorithmSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, algorithm_id: uuid.UUID) -> dict[str, Any]:
        """One algorithm (404 outside your organisations)."""
        return get_algorithm(uow=herstel().uow(), principal=principal(), algorithm_id=algorithm_id)
