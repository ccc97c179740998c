"""Errors as RFC 9457 problem details: one place that turns every refusal into a response.

API requests (under /api/) get `application/problem+json` with `type`, `title`, `status`,
`detail`, for invalid input `errors: {field: [message, ...]}`, and for a protocol refusal the
`rule` that refused it. Page requests get the same facts as an HTML error page. Nothing here
decides anything: the status of a protocol refusal follows from its class, declared once in
`STATUS_FOR`.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import marshmallow as ma
from flask import Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from notifications.services import AccessDenied, FileTooLarge, PersonsFileRejected
from protocol.services import (
    DefinitionError,
    Forbidden,
    InvalidEvidence,
    NotAllowed,
    NotFound,
    ProtocolError,
    StateConflict,
)
from web.messages import as_dict, field_codes, field_errors, in_api_language, render

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"
log = logging.getLogger(__name__)

# The HTTP status of each kind of refusal; the first matching class wins (subclasses first).
# StaleVersion, StepBlocked and IllegalTransition are StateConflicts.
STATUS_FOR: tuple[tuple[type[ProtocolError], int], ...] = (
    (AccessDenied, 401),  # a citizen's code or session: one answer for wrong, malformed and expired
    (FileTooLarge, 413),
    (NotFound, 404),
    (InvalidEvidence, 422),
    (DefinitionError, 422),
    (Forbidden, 403),
    (StateConflict, 409),
    (NotAllowed, 409),
    (ProtocolError, 409),
)
# Details a refusal may carry that are safe and useful to show (never personal data).
SAFE_DETAILS = ("step", "steps", "blockers", "expected", "actual", "action", "approval_id")
# What people see on an error page, in their language (API clients get the HTTP phrases).
PAGE_TITLES = {
    400: _l("The request could not be handled"),
    401: _l("Please log in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not possible here"),
    409: _l("Not possible now"),
    413: _l("Too large"),
    422: _l("Not valid"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem (documentation only: responses are built by `problem`)."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True, metadata={"description": "URI naming the kind of problem"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    rule = ma.fields.String(metadata={"description": "The protocol or access rule that refused the request"})
    code = ma.fields.String(
        metadata={"description": "What was refused, as a stable code; `detail` words it (see `params`)"}
    )
    params = ma.fields.Dict(metadata={"description": "The values `detail` was made from, for a client's own words"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Invalid input: field name → messages (nested fields as a.b or a[0].b)"},
    )
    error_codes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Dict(allow_none=True)),
        metadata={"description": "Beside `errors`: each message's {code, params} (null where it has none)"},
    )


def wants_problem() -> bool:
    """API clients get problem+json; people in a browser get an HTML page."""
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    rule: str | None = None,
    errors: dict[str, list[str]] | list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response (`errors` is a list of {row, field, message} for a refused file)."""
    body: dict[str, Any] = {
        "type": f"urn:herstel:rule:{rule}" if rule else "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
    }
    if rule:
        body["rule"] = rule
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=PROBLEM
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_page(status: int, detail: str, *, rule: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """The HTML face of a problem, in the base layout."""
    title = str(PAGE_TITLES.get(status, _phrase(status)))
    html = render_template("error.html", status=status, title=title, detail=detail, rule=rule)
    response = current_app.response_class(html, status=status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages: Any) -> dict[str, list[str]]:
    """webargs/marshmallow messages → {field: [messages]}; drops the location level, nests as a.b / a[0]."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(key, int):
                    walk(f"{prefix}[{key}]", sub)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            out.setdefault(prefix or "_body", []).extend(value)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(f"{prefix}[{index}]", sub)
        else:
            out.setdefault(prefix or "_body", []).append(str(value))

    for _location, location_messages in (messages or {}).items():
        walk("", location_messages)
    return out


def status_for(error: ProtocolError) -> int:
    return next(status for kind, status in STATUS_FOR if isinstance(error, kind))


def handle_protocol_error(error: ProtocolError) -> Response:
    """Every refusal of the protocol or its services, mapped by class (see STATUS_FOR).

    The words come from the refusal's code: in the page's language on a page; on the API in English
    unless the client asked for a language, with `code` and `params` beside them."""
    status = status_for(error)
    if not wants_problem():
        return error_page(status, render(error.message), rule=error.rule)
    extra = {k: error.details[k] for k in SAFE_DETAILS if k in getattr(error, "details", {})}
    extra.update(as_dict(error.message) or {})
    detail = in_api_language(error.message)
    if isinstance(error, PersonsFileRejected):  # the contract: one entry per bad row, as a spreadsheet numbers it
        summary = in_api_language(error.errors["file"][0])
        rows = [{**row.as_dict(), "message": in_api_language(row.message)} for row in error.rows]
        return problem(status, f"{detail}: {summary}", rule=error.rule, errors=rows, total=error.total, **extra)
    if isinstance(error, AccessDenied):  # a citizen session is a bearer token of its own kind
        headers = {"WWW-Authenticate": 'Bearer realm="citizen"'}
        return problem(status, detail, rule=error.rule, headers=headers, **extra)
    if isinstance(error, InvalidEvidence):
        codes = field_codes(error.errors)
        if codes:
            extra["error_codes"] = codes
        errors = field_errors(error.errors, in_api_language)
        return problem(status, detail, rule=error.rule, errors=errors, **extra)
    return problem(status, detail, rule=error.rule, **extra)


def handle_http_error(error: HTTPException) -> Response:
    """Werkzeug, webargs, Flask-WTF and Flask-Limiter errors, and unhandled exceptions (as 500)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    detail = data.get("message") or _webargs_detail(status, data) or error.description or _phrase(status)
    if status >= 500:
        detail = "an unexpected error occurred; it has been logged"  # never leak internals
    errors = data.get("errors") or (flatten(data["messages"]) if "messages" in data else None)
    rule = data.get("rule")
    extra: dict[str, Any] = {}
    if isinstance(errors, dict):  # our own messages among them carry a code (see web.messages)
        codes = field_codes(errors)
        if codes:
            extra["error_codes"] = codes
    if not wants_problem():
        detail = render(detail)
        if isinstance(error, CSRFError):
            detail = str(_l("The form has expired or did not come from this site. Please try again."))
        elif status == 429:
            detail = str(_l("Too many attempts. Please wait a minute and try again."))
        return error_page(status, detail, rule=rule, headers=headers)
    extra.update(as_dict(detail) or {})
    if isinstance(errors, dict):
        errors = field_errors(errors, in_api_language)
    return problem(status, in_api_language(detail), errors=errors, rule=rule, headers=headers, **extra)


def _webargs_detail(status: int, data: dict[str, Any]) -> str | None:
    if "messages" not in data:
        return None
    if status == 400:
        return "the request body is not valid JSON"
    return "the request has invalid or unknown fields; see errors"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemApi(Api):
    """flask-smorest's Api, with every error as problem+json and the OpenAPI document saying so."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return handle_http_error(error)

    def _register_responses(self) -> None:
        # Copied from flask-smorest 0.47 (pinned) so that documented errors are problem+json.
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)
