"""Security headers on every response, and the media types, sizes and shapes request bodies may have.

The CSP allows scripts and styles only from this origin, so no inline script can run; pages are
never framed. API responses are not cached (they may describe people's cases).

A body is at most `SMALL_BODY_BYTES` unless its route declares an upload type with `@body_types`
(a CSV, a document): those may be as large as the installation allows (`HERSTEL_MAX_BODY_BYTES`,
which is also the embedded server's own limit, see cli/serve.py). A larger body is refused with 413
before any of it is read or parsed. A JSON body nested deeper than `MAX_JSON_DEPTH` is a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar, cast

from flask import Flask, current_app, request
from flask import Request as FlaskRequest
from flask_smorest import abort
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wrappers import Response
from werkzeug.wsgi import LimitedStream, get_input_stream

from protocol.services import messages

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
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SMALL_TYPES = (*JSON_TYPES, "application/x-www-form-urlencoded")  # a route that takes only these takes no upload
# JSON in the API, a form on a page: a 10,000-character text is 40 KB of UTF-8 at most, so 1 MB
# leaves room for every field we take and none for a 12 MB title.
SMALL_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32  # our deepest body (evidence with lists of objects) is 4 levels
F = TypeVar("F", bound=Callable[..., Any])


def body_types(*mimetypes: str) -> Callable[[F], F]:
    """Declare the media types a view accepts as its request body (JSON when not declared)."""

    def mark(view: F) -> F:
        view.herstel_body_types = mimetypes  # type: ignore[attr-defined]
        return view

    return mark


def accepted_types() -> tuple[str, ...]:
    """The body types of this request's route (JSON when it declares none)."""
    return _declared_types(request.endpoint, request.method)


def _declared_types(endpoint: str | None, method: str) -> tuple[str, ...]:
    view = current_app.view_functions.get(endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the method's own declaration
        view = getattr(view_class, method.lower(), None)
    return tuple(getattr(view, "herstel_body_types", JSON_TYPES))


class Request(FlaskRequest):
    """A request whose body limit is its route's: an upload route's is the installation's, any other 1 MB.

    Werkzeug applies the limit when the body is first touched: a larger Content-Length is refused
    before reading, a chunked body when its reading passes the limit.
    """

    @property
    def max_content_length(self) -> int | None:
        configured: int | None = FlaskRequest.max_content_length.fget(self)  # type: ignore[attr-defined]
        if self._max_content_length is not None or not current_app:
            return configured  # set for this request by a view, or outside the app
        declared = _declared_types(self.endpoint, self.method) if self.url_rule is not None else JSON_TYPES
        if any(t not in SMALL_TYPES for t in declared):  # an upload route
            return configured
        return SMALL_BODY_BYTES if configured is None else min(configured, SMALL_BODY_BYTES)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body, read no further than the limit; a body that goes on past it is 413, not cut short."""
        limit = self.max_content_length
        found = get_input_stream(self.environ, max_content_length=limit)  # a Content-Length over it: 413
        if limit is not None and "wsgi.input_terminated" in self.environ:  # chunked: the length shows in reading
            return cast(IO[bytes], _Capped(self.environ["wsgi.input"], limit, is_max=True))
        return found


class _Capped(LimitedStream):
    """Werkzeug's reading of a whole chunked body stops at the limit and returns what it has, as if the
    body ended there: a CSV would be imported in part. This one looks one byte further."""

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):
            raise RequestEntityTooLarge()
        return data


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
    """Note every string in `value` (and keys) that cannot be stored; a loop, so no depth can overflow the stack."""
    pending: list[tuple[Any, str]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                found.setdefault(where or "_body", []).append("contains a NUL character or an unpaired surrogate")
        elif isinstance(item, dict):
            for key, inner in item.items():
                pending.append((key, where))
                pending.append((inner, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list):
            pending.extend((inner, f"{where}[{index}]") for index, inner in enumerate(item))


def depth(value: Any) -> int:
    """How deeply lists and objects nest in a JSON value (a scalar is 0), counted without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            pending.extend((inner, level) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


def _too_deep() -> None:
    abort(
        400,
        message=messages.JSON_TOO_DEEP(depth=MAX_JSON_DEPTH),
        errors={"_body": [messages.JSON_TOO_DEEP_FIELD(depth=MAX_JSON_DEPTH)]},
        rule="json-depth",
    )


def _json_body() -> Any:
    """The parsed JSON body (None when it is not JSON); too large is 413, too deep 400."""
    try:
        body = request.get_json(silent=True)  # reads the body: over the route's limit is 413 here
    except RecursionError:  # the parser's own recursion gave up: deeper than anyone needs
        _too_deep()
    if depth(body) > MAX_JSON_DEPTH:
        _too_deep()
    return body


def check_text() -> None:
    """before_request: text that no database can store is bad input (422), not a 500 from the driver."""
    found: dict[str, list[str]] = {}
    for name, value in (request.view_args or {}).items():
        _unstorable(value, name, found)
    for name, values in request.args.lists():
        _unstorable(name, name, found)
        _unstorable(values, name, found)
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        _unstorable(_json_body(), "", found)
    elif request.mimetype in FORM_TYPES:
        for name, values in request.form.lists():
            _unstorable(values, name, found)
    if found:
        abort(422, message="the request contains text that cannot be stored", errors=found, rule="text")


def install(app: Flask) -> None:
    """Set the request class (per-route body limits), check bodies before any view, and add the headers."""
    app.request_class = Request
    app.before_request(check_body_type)
    app.before_request(check_text)
    app.after_request(add_headers)
