"""Accepting an invitation: the invitee chooses their password (or confirms the one they have).

The single-use secret in the link is the only proof; it is not a session, so the page needs no
login, and the form is CSRF-protected like every other. Someone signed in may also accept an
invitation addressed to their own account from the start page, without the link.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import InvalidEvidence, NotFound, accept_invitation, accept_my_invitation, describe_invitation
from web.context import herstel, principal
from web.pages.text import _

blp = Blueprint("invitations", __name__)


def _gone() -> tuple[str, int]:
    return render_template("invitation.html", invitation=None, error=None), 404


@blp.get("/invitations/<secret>")
def show(secret: str) -> tuple[str, int]:
    try:
        invitation = describe_invitation(uow=herstel().uow(), secret=secret)
    except NotFound:
        return _gone()
    return render_template("invitation.html", invitation=invitation, secret=secret, error=None), 200


@blp.post("/invitations/<secret>")
def accept(secret: str) -> Response | tuple[str, int]:
    try:
        invitation = describe_invitation(uow=herstel().uow(), secret=secret)
    except NotFound:
        return _gone()
    password = request.form.get("password") or ""
    error = None
    if not invitation["has_account"] and password != (request.form.get("password_confirm") or ""):
        error = _("The two passwords are not the same.")
    else:
        try:
            accept_invitation(uow=herstel().uow(), secret=secret, password=password)
        except NotFound:
            return _gone()
        except InvalidEvidence:
            error = (
                _("This is not the password of your account.")
                if invitation["has_account"]
                else _("Choose a password of at least 12 characters.")
            )
    if error is not None:
        return render_template("invitation.html", invitation=invitation, secret=secret, error=error), 422
    flash(_("The invitation is accepted. You can log in now."), "info")
    return redirect(url_for("auth.login_form"))


@blp.post("/invitations/<uuid:invitation_id>/accept")
def accept_mine(invitation_id: uuid.UUID) -> Response:
    """Accept, signed in, an invitation to one's own address: its roles are one's own at once."""
    accept_my_invitation(uow=herstel().uow(), principal=principal(), invitation_id=invitation_id)
    flash(_("The invitation is accepted: you have its roles now."), "info")
    return redirect(url_for("home.index"))
