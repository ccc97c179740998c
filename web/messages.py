"""Refusals and field problems in the reader's language, from their code (see `protocol.messages`).

The engine hands the web a `Text`: an English sentence that carries its `code` and `params`. Pages render
it in the page's language; the API renders it in English unless the client asked for another language
(Accept-Language or ?lang=), and always adds the code and parameters so a client can word it itself. The
catalogue entry of a code is `msgctxt "<code>"` / `msgid "<English template>"` in
web/translations/*/LC_MESSAGES/messages.po; `pybabel extract` finds them through the `Template` keyword.
A message that is a plain string (a definition's own reason, an unexpected library message) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import flask_babel
from flask import current_app, has_request_context, request

from notifications.services import notification_messages
from protocol.services import Template, Text, templates_of
from protocol.services import messages as protocol_messages

# Every code the code base can raise, for the catalogue test (and for documentation).
TEMPLATES: tuple[Template, ...] = templates_of(protocol_messages) + templates_of(notification_messages)

Words = Callable[[str, Any], Any]  # (param name, value) → the value as the reader reads it


def render(message: str, *, language: str | None = None, words: Words | None = None) -> str:
    """`message` in `language` (the request's locale when None), its parameters through `words`."""
    if not isinstance(message, Text):
        return str(message)
    if language is None:
        return _render(message, words)
    with flask_babel.force_locale(language):
        return _render(message, words)


def _render(message: Text, words: Words | None) -> str:
    translated = str(flask_babel.pgettext(message.code, message.template))
    if not message.params:
        return translated
    params = {name: _param(name, value, words) for name, value in message.params.items()}
    return translated % params


def _param(name: str, value: Any, words: Words | None) -> Any:
    if isinstance(value, Text):
        return _render(value, words)
    return words(name, value) if words is not None else value


def as_dict(message: str) -> dict[str, Any] | None:
    """The code and parameters of `message` for an API client, or None for a plain string."""
    return message.as_dict() if isinstance(message, Text) else None


def api_language() -> str | None:
    """The language an API client asked for (?lang= or Accept-Language), or None for the engine's English.

    Pages fall back to Dutch; the API's default stays the English it has always answered in."""
    if not has_request_context():
        return None
    languages = current_app.config["HERSTEL_LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return str(asked)
    if not request.headers.get("Accept-Language"):
        return None
    found = request.accept_languages.best_match(languages)
    return str(found) if found else None


def in_api_language(message: str) -> str:
    language = api_language()
    return render(message, language=language) if language else str(message)


def field_errors(errors: Mapping[str, list[str]], render_one: Callable[[str], str]) -> dict[str, list[str]]:
    return {name: [render_one(m) for m in messages] for name, messages in errors.items()}


def field_codes(errors: Mapping[str, list[str]]) -> dict[str, list[dict[str, Any] | None]]:
    """{field: [{code, params}]} beside the worded errors, when any message has a code."""
    if not any(isinstance(m, Text) for messages in errors.values() for m in messages):
        return {}
    return {name: [as_dict(m) for m in messages] for name, messages in errors.items()}
