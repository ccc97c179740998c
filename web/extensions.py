"""The Flask extensions, created unbound (bound to each app in `create_app` with `init_app`).

Two are made per app instead: flask-smorest's `Api` (it holds one OpenAPI document per app) and
the rate limiter (Flask-Limiter keeps some settings of the first app it was bound to, so one
module-level limiter would carry one app's storage prefix into the next).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()


def login_key() -> str:
    """Login attempts count per address and per account, so one attacker cannot lock out everyone."""
    return f"{get_remote_address()}:{(request.form.get('email') or '').strip().lower()[:254]}"


def principal_key() -> str:
    """Limits on API calls count per token (an unauthenticated call never gets this far)."""
    header = request.headers.get("Authorization", "")
    return header.rpartition(" ")[2][:16] or get_remote_address()


# endpoint → (config key holding the limit, what to count by, methods, shared scope or None).
# Endpoints with the same scope draw on one counter: the citizen's code page and the citizen API
# are two doors to the same guess, so together they get one allowance per client.
# Storage: RATELIMIT_STORAGE_URI.
CITIZEN_CODE = "citizen-code"
LIMITS: dict[str, tuple[str, Callable[[], str], list[str], str | None]] = {
    "auth.login": ("HERSTEL_LOGIN_LIMIT", login_key, ["POST"], None),
    "accounts.Tokens": ("HERSTEL_TOKEN_LIMIT", principal_key, ["POST"], None),
    "invitations.accept": ("HERSTEL_INVITATION_LIMIT", get_remote_address, ["POST"], None),
    # guessing a citizen's access code: every attempt counts, per client address, whatever code is tried
    "citizen.open_session": ("HERSTEL_CITIZEN_CODE_LIMIT", get_remote_address, ["POST"], CITIZEN_CODE),
    "citizens.Session": ("HERSTEL_CITIZEN_CODE_LIMIT", get_remote_address, ["POST"], CITIZEN_CODE),
}


def install_limiter(app: Flask) -> Limiter:
    """A limiter for this app, with the limits of LIMITS put on their views."""
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    for endpoint, (config_key, key_func, methods, scope) in LIMITS.items():

        def limit(config_key: str = config_key) -> str:
            return str(current_app.config[config_key])

        view: Any = app.view_functions[endpoint]
        if scope:
            decorate = limiter.shared_limit(limit, scope=scope, key_func=key_func, methods=methods)
        else:
            decorate = limiter.limit(limit, key_func=key_func, methods=methods)
        app.view_functions[endpoint] = decorate(view)
    return limiter
