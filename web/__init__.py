"""The web: Flask app factory, the JSON API under /api/v1, and the pages of each user.

Views call `protocol.services` and nothing below it. How to add a blueprint, declare its routes'
access and write its errors: docs/web.md.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from installation import Herstel, bootstrap
from protocol.services import ProtocolError
from web import access, security
from web.blueprints import API_BLUEPRINTS, PAGE_BLUEPRINTS
from web.extensions import babel, csrf, install_limiter
from web.i18n import current_locale, select_locale
from web.problem import ProblemApi, handle_protocol_error

__all__ = ["create_app", "current_locale"]
from web.settings import flask_config


def hold_one_connection(app: Flask, herstel: Herstel) -> None:
    """Each request's transactions take turns on one database connection (protocol.storage.database.hold).

    First among the request hooks, so the guard's token check already uses it; let go in teardown,
    which runs whatever the request ended in.
    """

    def hold() -> None:
        g.held_connection = herstel.db.hold()

    def let_go(_: BaseException | None) -> None:
        herstel.db.let_go(g.pop("held_connection", None))

    app.before_request(hold)
    app.teardown_request(let_go)


def create_app(config: dict[str, Any] | None = None, *, herstel: Herstel | None = None) -> Flask:
    """Build the app for an installation (bootstrapped from the environment when not given).

    `config` overrides the Flask configuration derived from the installation's settings (tests
    use it, e.g. to lower a rate limit).
    """
    herstel = herstel or bootstrap()
    app = Flask(__name__)
    hops = herstel.settings.proxy_hops
    if hops:
        # behind a reverse proxy: the client's address (rate limits per client) and scheme (Secure
        # cookies, URLs) come from the X-Forwarded-* headers the trusted proxies set, no more of them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config.from_mapping(flask_config(herstel.settings))
    app.config.update(config or {})
    app.extensions["herstel"] = herstel
    hold_one_connection(app, herstel)

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    api = ProblemApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "`herstel token create --user EMAIL`"}
    )
    api.spec.components.security_scheme(
        "citizenSession", {"type": "http", "scheme": "bearer", "description": "`POST /api/v1/citizen/session`"}
    )
    app.register_error_handler(ProtocolError, handle_protocol_error)

    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # bearer tokens, not cookies: nothing for a forged form to ride on
    for page_blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(page_blueprint)

    install_limiter(app)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    access.install(app)  # after every route exists: refuses to start with an undeclared one
    security.install(app)
    app.jinja_env.globals.update(current_principal=access.current_principal, current_locale=current_locale)
    return app
