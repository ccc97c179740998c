"""The user's own API tokens: create one (its secret is shown once, never stored), list, revoke."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import create_token, list_tokens, revoke_token
from web.context import principal
from web.pages.common import uow
from web.pages.text import _

blp = Blueprint("tokens_page", __name__)
NAME_LIMIT = 100


def render_tokens(
    *, secret: str | None = None, name_error: str | None = None, name: str = "", status: int = 200
) -> tuple[str, int]:
    tokens = list_tokens(uow=uow(), principal=principal())
    tokens.sort(key=lambda t: (t["revoked_at"] is not None, t["created_at"]), reverse=False)
    html = render_template(
        "tokens.html",
        tokens=tokens,
        secret=secret,
        name_error=name_error,
        name=name,
        page_url=url_for("tokens_page.index"),
    )
    return html, status


@blp.get("/tokens")
def index() -> tuple[str, int]:
    return render_tokens()


@blp.post("/tokens")
def create() -> tuple[str, int]:
    name = request.form.get("name", "").strip()
    if not name or len(name) > NAME_LIMIT:
        error = (
            _("Give the token a name, so you know later what uses it.")
            if not name
            else _("Use at most %(n)s characters.", n=NAME_LIMIT)
        )
        return render_tokens(name_error=error, name=name, status=422)
    issued = create_token(uow=uow(), by=principal(), email=principal().email, name=name)
    # shown in this response only: the page is not cached (Cache-Control: no-store) and the hash is all we keep
    return render_tokens(secret=issued.secret)


@blp.post("/tokens/<uuid:token_id>/revoke")
def revoke(token_id: uuid.UUID) -> Response:
    revoke_token(uow=uow(), principal=principal(), token_id=token_id)
    flash(_("The token is revoked: it no longer works."), "info")
    return redirect(url_for("tokens_page.index"))
