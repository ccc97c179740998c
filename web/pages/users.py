"""The user manager's page: the users of their organisations, invitations, roles taken away, the audit log.

Every change goes through the services the API and the CLI use (`invite_to_organisations`,
`remove_role`, `revoke_membership`), so who may grant what is decided there and only there; the page
offers what `user_administration` says the manager may grant, and shows a refusal as it comes, in
the reader's language (the page's model is `web.pages.users_view`). Nobody is given an account by a
manager: they are invited, and accept with their own password (docs/security.md). An oversight
account is given another organisation the same way: it is invited there, and has it once it accepts.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from protocol.services import (
    InvalidEvidence,
    IssuedInvitation,
    NotFound,
    ProtocolError,
    invite_to_organisations,
    messages,
    remove_role,
    revoke_membership,
    user_administration,
    withdraw_invitation,
)
from web.context import herstel, principal
from web.pages.common import uow
from web.pages.text import ROLES, _
from web.pages.users_view import OVERSIGHT, RowProblem, refusal_of, render_users, role_label
from web.problem import status_for
from web.staff_mail import send_invitation

blp = Blueprint("users_page", __name__)
Page = tuple[str, int] | Response


@blp.get("/users")
def index() -> Page:
    return render_users()


def _organisation_ids(raw: list[str]) -> list[uuid.UUID] | None:
    try:
        return [uuid.UUID(value) for value in raw]
    except ValueError:
        return None


def _invite(values: dict[str, Any], email: str, role: str, organisation_ids: list[uuid.UUID]) -> Page:
    """Invite through the service; on success mail each link and say what happened, else show the form again."""
    try:
        issued = invite_to_organisations(
            uow=uow(),
            principal=principal(),
            email=email,
            roles=[role] if role else [],
            organisation_ids=organisation_ids,
            display_name=values.get("display_name") or None,
        )
    except InvalidEvidence as error:
        return render_users(values=values, errors=error.errors, status=422)
    except ProtocolError as error:
        return render_users(values=values, refusal=error, status=status_for(error))
    _announce(issued)
    return redirect(url_for("users_page.index"))


def _announce(issued: list[IssuedInvitation]) -> None:
    admin = user_administration(uow=uow(), principal=principal())
    names = {o["id"]: o["name"] for o in admin["organisations"]}
    mailed = [send_invitation(herstel().settings, invitation) for invitation in issued]
    where = ", ".join(names.get(i.organisation_id, "") for i in issued)
    first = issued[0]
    flash(
        _(
            "%(email)s is invited as %(role)s (%(organisations)s). Nothing changes until they accept.",
            email=first.email,
            role=", ".join(role_label(r) for r in first.roles),
            organisations=where,
        ),
        "info",
    )
    if not all(mailed):
        flash(
            _(
                "The invitation could not be e-mailed. Someone who has an account sees it after logging in; "
                "for a new account, the installation's operator can make a link with “herstel user invite”."
            ),
            "warning",
        )


@blp.post("/users")
def invite() -> Page:
    form = request.form
    values: dict[str, Any] = {
        "email": form.get("email", "").strip(),
        "display_name": form.get("display_name", "").strip(),
        "roles": form.get("roles", ""),
        "organisation_ids": form.getlist("organisation_ids"),
    }
    organisation_ids = _organisation_ids(values["organisation_ids"])
    if organisation_ids is None:
        return render_users(values=values, errors={"organisation_ids": [messages.NOT_AN_ID()]}, status=422)
    return _invite(values, values["email"], values["roles"], organisation_ids)


def _managed(user_id: uuid.UUID) -> dict[str, Any]:
    """A user of the organisations the manager manages; any other does not exist for them."""
    admin = user_administration(uow=uow(), principal=principal())
    found: dict[str, Any] | None = next((u for u in admin["users"] if u["id"] == user_id), None)
    if found is None:
        raise NotFound(messages.NO_USER(user=user_id), rule="unknown-user")
    return found


def _organisation_arg() -> uuid.UUID | None:
    ids = _organisation_ids([request.form.get("organisation_id", "")]) if request.form.get("organisation_id") else None
    return ids[0] if ids else None


@blp.post("/users/<uuid:user_id>/organisations")
def add_organisation(user_id: uuid.UUID) -> Page:
    """Give an oversight account another organisation: it is invited there, and has it once it accepts."""
    user = _managed(user_id)
    organisation_id = _organisation_arg()
    try:
        issued = invite_to_organisations(
            uow=uow(),
            principal=principal(),
            email=user["email"],
            roles=[request.form.get("role") or OVERSIGHT],
            organisation_ids=[organisation_id] if organisation_id else [],
            display_name=user["display_name"],
        )
    except ProtocolError as error:
        return render_users(problem=RowProblem(str(user_id), refusal_of(error)), status=status_for(error))
    _announce(issued)
    return redirect(url_for("users_page.index", _anchor=f"user-{user_id}"))


@blp.post("/users/<uuid:user_id>/roles/remove")
def take_role(user_id: uuid.UUID) -> Page:
    """Take one role in one organisation away (for an oversight account: its access to that organisation)."""
    _managed(user_id)  # another organisation's user is not found, whatever the form says
    role = request.form.get("role", "")
    try:
        view = remove_role(
            uow=uow(), principal=principal(), user_id=user_id, role=role, organisation_id=_organisation_arg()
        )
    except NotFound:
        raise
    except ProtocolError as error:
        return render_users(problem=RowProblem(str(user_id), refusal_of(error)), status=status_for(error))
    flash(_("%(name)s no longer has the role %(role)s.", name=view["display_name"], role=role_label(role)), "info")
    return redirect(url_for("users_page.index", _anchor=f"user-{user_id}"))


@blp.post("/users/<uuid:user_id>/revoke")
def revoke(user_id: uuid.UUID) -> Page:
    """Take away every role the user holds in one organisation: they no longer belong to it."""
    _managed(user_id)
    organisation_id = _organisation_arg()
    try:
        removed = revoke_membership(uow=uow(), principal=principal(), user_id=user_id, organisation_id=organisation_id)
    except NotFound:
        raise
    except ProtocolError as error:
        return render_users(problem=RowProblem(str(user_id), refusal_of(error)), status=status_for(error))
    if removed:
        in_order = sorted(removed, key=lambda r: list(ROLES).index(r) if r in ROLES else len(ROLES))
        flash(_("Access taken away: %(roles)s.", roles=", ".join(role_label(r) for r in in_order)), "info")
    return redirect(url_for("users_page.index"))


@blp.post("/users/invitations/<uuid:invitation_id>/withdraw")
def withdraw(invitation_id: uuid.UUID) -> Page:
    """Withdraw an invitation not accepted yet: its link stops working at once."""
    try:
        withdrawn = withdraw_invitation(uow=uow(), principal=principal(), invitation_id=invitation_id)
    except NotFound:
        raise
    except ProtocolError as error:
        return render_users(refusal=error, status=status_for(error))
    flash(_("The invitation to %(email)s is withdrawn; its link no longer works.", email=withdrawn["email"]), "info")
    return redirect(url_for("users_page.index", _anchor="invitations-title"))
