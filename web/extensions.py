"""The Flask extensions, created unbound (bound to each app in `create_app` with `init_app`).

The flask-smorest `Api` is the exception: it holds one OpenAPI document per app, so `create_app`
makes a new one every time.
"""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=True)
babel = Babel()


def login_key() -> str:
    """Login attempts count per address and per account, so one attacker cannot lock out everyone."""
    return f"{get_remote_address()}:{(request.form.get('email') or '').strip().lower()[:254]}"


def principal_key() -> str:
    """Limits on API calls count per token (an unauthenticated call never gets this far)."""
    header = request.headers.get("Authorization", "")
    return header.rpartition(" ")[2][:16] or get_remote_address()
