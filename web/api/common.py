"""What every API blueprint shares: strict input schemas, the version body, documented errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask_smorest import Blueprint

from web.access import API

F = TypeVar("F", bound=Callable[..., Any])

# The statuses each kind of operation can answer besides its success (all problem+json).
READ_ERRORS = (401, 403, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """A flask-smorest blueprint under /api/v1 (register it in web.blueprints)."""
    return Blueprint(name, __name__, url_prefix=f"{API}{path}", description=description)


def errors(blp: Blueprint, *statuses: int) -> Callable[[F], F]:
    """Document the error responses of an operation (problem+json, see web.problem)."""

    def decorate(view: F) -> F:
        for status in statuses:
            view = blp.alt_response(status, response=_NAMES[status])(view)
        return view

    return decorate


_NAMES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
}


class Input(ma.Schema):
    """A request body or query: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class VersionBody(Input):
    """The version of the incident the client acted on (optimistic locking)."""

    version = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the incident's `version` as last read; a stale one is refused with 409"},
    )


def text(max_length: int, *, required: bool = True, **kwargs: Any) -> ma.fields.String:
    """A string field with a length limit (the domain checks content; this keeps bodies bounded)."""
    return ma.fields.String(required=required, validate=ma.validate.Length(max=max_length), **kwargs)
