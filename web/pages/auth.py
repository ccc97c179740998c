"""Signing in and out of the pages (the API uses bearer tokens instead)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from protocol.services import authenticate_password
from web.access import local_target
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
    session.clear()  # a fresh session on every login: no fixation
    session["user_id"] = str(principal.user_id)
    session["login_id"] = uuid.uuid4().hex
    session.permanent = True
    return redirect(safe_next(next_url))


@blp.get("/logout")
def logout_form() -> str:
    return render_template("logout.html")


@blp.post("/logout")
def logout() -> Response:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login_form"))
