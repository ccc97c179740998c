"""The users page's model: each user's roles per organisation with what may be changed, the form to invite,
the recent lines of the audit log, all in the page's language (the routes are `web.pages.users`).

What may be changed comes from `user_administration` (the roles `check_may_grant` lets the manager
grant in each organisation); nothing here decides who may do what.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import render_template, url_for

from protocol.services import (
    ProtocolError,
    list_open_invitations,
    list_user_audit,
    user_administration,
)
from web.context import principal
from web.messages import render
from web.pages.common import may, uow
from web.pages.forms import Field, field_maker, flat_errors
from web.pages.incident_view import Refusal
from web.pages.text import AUDIT_ACTIONS, ROLES, _, label, rule_explanation

AUDIT_LIMIT = 25
OVERSIGHT = "oversight"
ADMIN = "admin"


@dataclass
class RowProblem:
    """A change of one user's roles that was refused, shown in that user's row."""

    user_id: str
    refusal: Refusal


def role_label(key: str) -> str:
    return label(ROLES, key)


def role_words(name: str, value: Any) -> Any:
    """A message's parameters as this page shows them: roles in words, never their keys."""
    if name == "role" and isinstance(value, str):
        return role_label(value)
    if name == "choices" and isinstance(value, str) and set(value.split(", ")) <= set(ROLES):
        return ", ".join(role_label(key) for key in value.split(", "))
    return value


def worded(message: str) -> str:
    return render(message, words=role_words)


def refusal_of(error: ProtocolError) -> Refusal:
    """A refusal in the page's language, with the field problems it carries."""
    message = worded(error.message)
    errors = getattr(error, "errors", None) or {}
    details = [worded(m) for msgs in errors.values() for m in msgs]
    return Refusal(error.rule, " ".join([message, *details]), rule_explanation(error.rule), source=error.message)


def _create_fields(
    values: dict[str, Any], errors: dict[str, list[str]], organisations: list[dict[str, Any]]
) -> list[Field]:
    grantable = {role for o in organisations for role in o["grantable"]}

    made = field_maker(lambda name: f"invite-{name.replace('_', '-')}", values, errors, worded)

    fields = [
        made("email", "text", _("E-mail address"), max_length=254, hint=_("The invitation link is sent here.")),
        made(
            "display_name",
            "text",
            _("Name"),
            required=False,
            max_length=200,
            hint=_("As colleagues see it on timelines and approvals; without it, the address before the @."),
        ),
        made(
            "roles",
            "radios" if len(grantable) <= 4 else "select",
            _("Role"),
            choices=[(role, role_label(role)) for role in ROLES if role in grantable],
        ),
    ]
    if len(organisations) > 1:
        fields.append(
            made(
                "organisation_ids",
                "checkboxes",
                _("Organisations"),
                choices=[(str(o["id"]), o["name"]) for o in organisations],
                hint=_("An oversight body that supervises several organisations is invited into each."),
            )
        )
        if not fields[-1].value:
            fields[-1].value = []
    return fields


def _removable(organisation: dict[str, Any], user: dict[str, Any], role: str) -> bool:
    """As the services decide: a role the manager may grant there, unless it is the sole admin's."""
    return role in organisation["grantable"] and not (role == ADMIN and organisation["sole_admin"] == user["id"])


def _user_rows(admin: dict[str, Any], problem: RowProblem | None) -> list[dict[str, Any]]:
    """Each user with their roles per organisation, and what the manager may change of them."""
    organisations = {o["id"]: o for o in admin["organisations"]}
    rows = []
    for user in admin["users"]:
        held: dict[uuid.UUID, list[str]] = {}
        for grant in user["roles"]:
            held.setdefault(grant["organisation_id"], []).append(grant["role"])
        memberships = [
            {
                "organisation_id": org_id,
                "name": organisations[org_id]["name"],
                "roles": [
                    {"key": role, "label": role_label(role), "removable": _removable(organisations[org_id], user, role)}
                    for role in sorted(roles, key=lambda r: list(ROLES).index(r) if r in ROLES else len(ROLES))
                ],
                # with one role, taking it away is taking all access away: one button is enough
                "revocable": len(roles) > 1 and all(_removable(organisations[org_id], user, role) for role in roles),
            }
            for org_id, roles in sorted(held.items(), key=lambda item: organisations[item[0]]["name"])
        ]
        overseer = any(OVERSIGHT in roles for roles in held.values())
        more = [
            (str(o["id"]), o["name"])
            for o in admin["organisations"]
            if OVERSIGHT in o["grantable"] and OVERSIGHT not in held.get(o["id"], [])
        ]
        rows.append(
            {
                **user,
                "memberships": memberships,
                "overseer": overseer,
                "more_organisations": more if overseer else [],
                "problem": problem.refusal if problem and problem.user_id == str(user["id"]) else None,
            }
        )
    return rows


def _audit_rows(admin: dict[str, Any], invitations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The recent lines of the user-management log of the managed organisations, in words."""
    if not may("user.audit.read"):
        return []
    organisations = {o["id"]: o["name"] for o in admin["organisations"]}
    people = {f"user:{u['id']}": u["display_name"] or u["email"] for u in admin["users"]}
    invited = {i["id"]: i["email"] for i in invitations}

    def who(ref: str | None) -> str:
        if ref == "installation":
            return _("The installation's operator")
        return people.get(ref or "") or _("Someone outside your organisations")

    rows = []
    for line in list_user_audit(uow=uow(), principal=principal(), limit=AUDIT_LIMIT * 4):
        if line["organisation_id"] not in organisations:
            continue
        if line["user_id"]:
            subject = people.get(f"user:{line['user_id']}") or _("someone no longer in your organisations")
        elif line["invitation_id"]:
            subject = invited.get(line["invitation_id"]) or _("an invitation")
        else:  # a change to the organisation itself (its letterhead): the organisation column says which
            subject = ""
        rows.append(
            {
                "at": line["at"],
                "actor": who(line["actor"]),
                "action": label(AUDIT_ACTIONS, line["action"]),
                "subject": subject,
                "role": role_label(line["role"]) if line["role"] else "",
                "organisation": organisations[line["organisation_id"]],
            }
        )
    return rows[:AUDIT_LIMIT]


def render_users(
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    refusal: ProtocolError | None = None,
    problem: RowProblem | None = None,
    status: int = 200,
) -> tuple[str, int]:
    admin = user_administration(uow=uow(), principal=principal())
    fields = _create_fields(values or {}, errors or {}, admin["organisations"])
    known = {f.name for f in fields}
    invitations = list_open_invitations(uow=uow(), principal=principal())
    names = {o["id"]: o["name"] for o in admin["organisations"]}
    html = render_template(
        "users.html",
        organisations=admin["organisations"],
        users=_user_rows(admin, problem),
        problem=problem,
        listed={str(u["id"]) for u in admin["users"]},
        invitations=[
            {**i, "organisation": names.get(i["organisation_id"], ""), "roles": [role_label(r) for r in i["roles"]]}
            for i in invitations
        ],
        audit=_audit_rows(admin, invitations),
        may_read_audit=may("user.audit.read"),
        fields=fields,
        invalid=flat_errors(fields),
        general=[worded(m) for k, msgs in (errors or {}).items() if k not in known for m in msgs],
        refusal=refusal_of(refusal) if refusal else None,
        page_url=url_for("users_page.index"),
    )
    return html, status
