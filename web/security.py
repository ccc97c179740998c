"""Security headers on every response, and the media types request bodies may have.

The CSP allows scripts and styles only from this origin, so no inline script can run; pages are
never framed. API responses are not cached (they may describe people's cases).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_smorest import abort
from werkzeug.wrappers import Response

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
JSON_TYPES = ("application/json",)
F = TypeVar("F", bound=Callable[..., Any])


def body_types(*mimetypes: str) -> Callable[[F], F]:
    """Declare the media types a view accepts as its request body (JSON when not declared)."""

    def mark(view: F) -> F:
        view.herstel_body_types = mimetypes  # type: ignore[attr-defined]
        return view

    return mark


def accepted_types() -> tuple[str, ...]:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the method's own declaration
        view = getattr(view_class, request.method.lower(), None)
    return tuple(getattr(view, "herstel_body_types", JSON_TYPES))


def check_body_type() -> None:
    """before_request: an API body of a type the route does not take is 415, not a confusing 422."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding") == "chunked"
    if not has_body or request.url_rule is None:
        return
    accepted = accepted_types()
    mimetype = request.mimetype
    if mimetype in accepted or (mimetype.endswith("+json") and "application/json" in accepted):
        return
    abort(
        415,
        message=f"this endpoint takes {' or '.join(accepted)}, not {mimetype or 'a body without Content-Type'}",
        rule="media-type",
    )


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: CSRF protection over HTTPS checks the Referer of form posts
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if current_app.config.get("HERSTEL_PRODUCTION"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/") or (response.mimetype == "text/html" and request.endpoint != "static"):
        headers.setdefault("Cache-Control", "no-store")
    return response


def storable(value: str) -> bool:
    """Text a database can keep: no NUL (PostgreSQL refuses it) and no unpaired surrogate (not UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable(value: Any, path: str, found: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        if not storable(value):
            found.setdefault(path or "_body", []).append("contains a NUL character or an unpaired surrogate")
    elif isinstance(value, dict):
        for key, item in value.items():
            _unstorable(key, path, found)
            _unstorable(item, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _unstorable(item, f"{path}[{index}]", found)


def check_text() -> None:
    """before_request: text that no database can store is bad input (422), not a 500 from the driver."""
    found: dict[str, list[str]] = {}
    for name, value in (request.view_args or {}).items():
        _unstorable(value, name, found)
    for name, values in request.args.lists():
        _unstorable(name, name, found)
        _unstorable(values, name, found)
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        _unstorable(request.get_json(silent=True), "", found)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.form.lists():
            _unstorable(values, name, found)
    if found:
        abort(422, message="the request contains text that cannot be stored", errors=found, rule="text")


def install(app: Flask) -> None:
    app.before_request(check_body_type)
    app.before_request(check_text)
    app.after_request(add_headers)
