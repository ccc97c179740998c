"""The citizen's API: the code from their letter opens a short session; with it they read their
letter, follow their case and send what the letter offers: a question, review request, complaint or harm report.

These routes are PUBLIC to the staff guard (web.access): the citizen's bearer token is not a staff
token, and the notifications services check it. A wrong, malformed or expired code or token gets one
answer, 401 `access-denied`, that never tells whether a code exists; opening a session is
rate-limited per client (HERSTEL_CITIZEN_CODE_LIMIT, web.extensions.LIMITS).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from notifications.services import (
    AccessDenied,
    get_case_status,
    get_citizen_letter,
    get_citizen_letter_pdf,
    open_citizen_session,
    record_citizen_response,
)
from web.access import bearer_secret
from web.api.common import api_blueprint, errors
from web.api.schemas.citizens import (
    CaseStatusSchema,
    CitizenLetterSchema,
    RecordedResponseSchema,
    ResponseBodySchema,
    SessionBodySchema,
    SessionSchema,
)
from web.context import herstel, notifications_uows, vault

blp = api_blueprint("citizens", "/citizen", "For citizens: their letter, their case, their responses")

PDF = {"type": "string", "format": "binary"}
CITIZEN: list[dict[str, list[str]]] = [{"citizenSession": []}]


def citizen_token() -> str:
    """The citizen session token of this request (Authorization: Bearer), or AccessDenied."""
    token = bearer_secret()
    if token is None:
        raise AccessDenied()
    return token


@blp.route("/session")
class Session(MethodView):
    @blp.doc(security=[])
    @blp.arguments(SessionBodySchema)
    @blp.response(201, SessionSchema)
    @errors(blp, 400, 401, 413, 415, 422, 429)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Exchange the code printed in a letter for a session of 30 minutes (rate-limited per client)."""
        session = open_citizen_session(uow_factory=notifications_uows(), vault=vault(), access_code=body["access_code"])
        return {"token": session.token, "expires_at": session.expires_at, "language": session.language}


@blp.route("/letter")
class Letter(MethodView):
    @blp.doc(security=CITIZEN)
    @blp.response(200, CitizenLetterSchema)
    @errors(blp, 401)
    def get(self) -> dict[str, Any]:
        """The reader's letter exactly as sent (the stored copy), as a whole HTML page and as plain text."""
        return get_citizen_letter(
            uow_factory=notifications_uows(), vault=vault(), base_url=herstel().settings.base_url, token=citizen_token()
        )


@blp.route("/letter.pdf")
class LetterPdf(MethodView):
    @blp.doc(security=CITIZEN, responses={"200": {"content": {"application/pdf": {"schema": PDF}}}})
    @blp.response(200, description="the letter as a PDF", content_type="application/pdf")
    @errors(blp, 401)
    def get(self) -> Response:
        """The reader's letter as a PDF."""
        data = get_citizen_letter_pdf(
            uow_factory=notifications_uows(), vault=vault(), base_url=herstel().settings.base_url, token=citizen_token()
        )
        response = current_app.response_class(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'inline; filename="brief.pdf"'
        return response


@blp.route("/status")
class Status(MethodView):
    @blp.doc(security=CITIZEN)
    @blp.response(200, CaseStatusSchema)
    @errors(blp, 401)
    def get(self) -> dict[str, Any]:
        """How the case stands, step by step in plain words, and the reader's own responses."""
        return get_case_status(uow_factory=notifications_uows(), vault=vault(), token=citizen_token())


@blp.route("/responses")
class Responses(MethodView):
    @blp.doc(security=CITIZEN)
    @blp.arguments(ResponseBodySchema)
    @blp.response(201, RecordedResponseSchema)
    @errors(blp, 400, 401, 413, 415, 422)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send a response the letter offers (`replies` in /status); answers with the legal deadline it started."""
        return record_citizen_response(uow_factory=notifications_uows(), vault=vault(), token=citizen_token(), **body)
