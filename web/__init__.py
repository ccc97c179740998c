"""The web: Flask app factory, the JSON API under /api/v1, and the pages of each user.

Views call `protocol.services` and nothing below it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from protocol.services import Herstel, bootstrap


def create_app(config: dict[str, Any] | None = None, *, herstel: Herstel | None = None) -> Flask:
    """Build the app for an installation (bootstrapped from the environment when not given)."""
    app = Flask(__name__)
    app.config.update(config or {})
    app.extensions["herstel"] = herstel or bootstrap()

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
