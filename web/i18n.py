"""Which language a page is shown in: asked for (?lang=), remembered, or the browser's; Dutch by default."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import get_locale


def select_locale() -> str:
    languages = current_app.config["HERSTEL_LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        if not request.path.startswith("/api/"):
            session["lang"] = asked
        return str(asked)
    remembered = session.get("lang")
    if remembered in languages:
        return str(remembered)
    return request.accept_languages.best_match(languages) or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_locale() -> str:
    """The language of this response ('nl' or 'en'), for the lang attribute."""
    return str(get_locale() or "nl")
