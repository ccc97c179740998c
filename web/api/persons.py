"""Affected persons of an incident: import them from a spreadsheet's CSV, list them (identity only
for roles that may see it — the service decides and masks)."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import request
from flask.views import MethodView

from notifications.services import import_persons, list_persons, open_person
from protocol.services import InvalidEvidence, messages
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.persons import (
    ImportResultSchema,
    PersonPageSchema,
    PersonQuerySchema,
    PersonSchema,
    PersonSearchSchema,
    PersonsFileProblemSchema,
)
from web.context import herstel, notifications_uow, principal, vault
from web.security import body_types

blp = api_blueprint(
    "persons", "/incidents/<uuid:incident_id>/affected-persons", "Affected persons: import a file, list them"
)

CSV = "text/csv"
IMPORT_BODY = {
    "required": True,
    "description": (
        "The persons file as the body (text/csv: UTF-8 or Windows-1252, ; or , separated, a header row "
        "with bsn, naam, straat, huisnummer, postcode, woonplaats and optionally email, taal, toestemming; "
        "without huisnummer, straat or adres holds street and number together, e.g. Dorpsstraat 12 A), "
        "or multipart/form-data with the file in `file`."
    ),
    "content": {
        CSV: {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
        },
    },
}


def _persons_file() -> bytes:
    """The file's bytes, from the body itself or a multipart part named `file`."""
    if request.mimetype == "multipart/form-data":
        part = request.files.get("file")
        if part is None:
            raise InvalidEvidence(messages.NO_FILE(), errors={"file": [messages.NO_FILE_PART()]})
        data: bytes = part.read()
        return data
    return request.get_data()  # larger than MAX_CONTENT_LENGTH: werkzeug answers 413 before reading it


@blp.route("")
class AffectedPersons(MethodView):
    @body_types(CSV, "multipart/form-data")
    @blp.doc(requestBody=IMPORT_BODY)
    @blp.response(201, ImportResultSchema)
    @blp.alt_response(422, schema=PersonsFileProblemSchema, content_type="application/problem+json")
    @errors(blp, *(s for s in WRITE_ERRORS if s != 422))
    def post(self, incident_id: uuid.UUID) -> dict[str, Any]:
        """Import the affected persons, all or nothing: any bad row refuses the file with every row's problem."""
        return import_persons(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            data=_persons_file(),
            max_bytes=herstel().settings.max_body_bytes,
        )

    @blp.arguments(PersonQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, PersonPageSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """A page of the incident's persons with totals; `identity` is null for roles that may not see it."""
        return list_persons(
            uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id, **query
        )


@blp.route("/search")
class PersonSearch(MethodView):
    @blp.arguments(PersonSearchSchema, unknown=ma.RAISE)
    @blp.response(200, PersonPageSchema)
    @errors(blp, *READ_ERRORS)
    def post(self, query: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Find a person by their whole BSN (exact, through its keyed hash); the BSN goes in the body."""
        return list_persons(
            uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id, **query
        )


@blp.route("/<uuid:person_id>")
class AffectedPerson(MethodView):
    @blp.response(200, PersonSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
        """One person with their whole identity, BSN included (only for roles that may see identities)."""
        return open_person(
            uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id, person_id=person_id
        )
