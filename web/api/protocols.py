"""Protocol definitions as data: steps, rules, deadline rules and the JSON Schema of each step's evidence."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from protocol.services import describe_definition, list_definitions
from web.api.common import READ_ERRORS, api_blueprint, errors
from web.api.schemas.protocols import DefinitionSchema, DefinitionSummarySchema
from web.context import herstel

blp = api_blueprint("protocols", "/protocols", "Protocol definitions and the evidence each step takes")


@blp.route("")
class Definitions(MethodView):
    @blp.response(200, DefinitionSummarySchema(many=True))
    @errors(blp, 401)
    def get(self) -> list[dict[str, Any]]:
        """The registered definition versions."""
        return list_definitions(uow=herstel().uow())


@blp.route("/<key>/<int:version>")
class Definition(MethodView):
    @blp.response(200, DefinitionSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """One definition: build step forms and requests from it (a new version needs no new client code)."""
        return describe_definition(uow=herstel().uow(), key=key, version=version)
