"""Signing in and out of the pages (the API uses bearer tokens instead).

The Flask session cookie carries, besides the CSRF token and the language, only the secret of a
server-side session (`protocol.services.sessions`): logout revokes it, so a copy of the cookie
taken before opens nothing afterwards.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from protocol.services import SessionKind, authenticate_password, end_session, open_session
from web.access import STAFF_SESSION, local_target
from web.context import herstel

blp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else (see `local_target`)."""
    return local_target(target) or url_for("home.index")


@blp.get("/login")
def login_form() -> str:
    return render_template("login.html", email="", error=None, next=request.args.get("next", ""))


@blp.post("/login")  # rate limited: web.extensions.LIMITS
def login() -> Response | tuple[str, int]:
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    next_url = request.form.get("next", "")
    principal = None
    if email and password and len(email) <= 254 and len(password) <= 1024:
        principal = authenticate_password(uow=herstel().uow(), email=email, password=password)
    if principal is None:
        error = _("The email address or password is not correct.")
        return render_template("login.html", email=email, error=error, next=next_url), 200
    issued = open_session(uow=herstel().uow(), kind=SessionKind.STAFF, user_id=principal.user_id)
    session.clear()  # a fresh session on every login: no fixation
    session[STAFF_SESSION] = issued.secret
    session.permanent = True
    return redirect(safe_next(next_url))


@blp.get("/logout")
def logout_form() -> str:
    return render_template("logout.html")


@blp.post("/logout")
def logout() -> Response:
    end_session(uow=herstel().uow(), secret=str(session.get(STAFF_SESSION) or ""))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login_form"))
