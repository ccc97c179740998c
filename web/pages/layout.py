"""What the layout of every page uses: the menu for the user's roles, and the template filters.

The menu offers what the permission matrix grants the user's roles; the pages behind it are
guarded by the route table regardless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, request, url_for

from protocol.services import MATRIX
from web.access import current_principal
from web.pages import common, text
from web.pages.text import _

blp = Blueprint("layout", __name__)


def assigned_only() -> bool:
    """True when the user reads incidents only as assigned to them (an external investigator)."""
    found = current_principal()
    if found is None:
        return False
    grants = [
        MATRIX["incident.read"][role]
        for roles in found.memberships.values()
        for role in roles
        if role in MATRIX["incident.read"]
    ]
    return bool(grants) and all(grant.scope == "assigned" for grant in grants)


def nav_items() -> list[dict[str, Any]]:
    """The main menu: (url, label, current) for what the user's roles can reach."""
    if current_principal() is None:
        return []
    items = [("home.index", _("My assignments") if assigned_only() else _("Overview"))]
    if common.may("incident.read"):
        items.append(("waiting_page.index", _("What waits on you")))
    if common.may("incident.report"):
        items.append(("report.form", _("Report a signal")))
    if common.may("oversight.read"):
        items.append(("oversight_page.dashboard", _("Oversight")))
    if common.may("approval.read"):
        items.append(("approvals_page.queue", _("Approvals")))
    if current_app.config.get("HERSTEL_MAILBOX") and common.may("persons.read_identity"):
        items.append(("mailbox_page.index", _("Demo mailbox")))
    if common.may("user.manage"):
        items.append(("users_page.index", _("Users")))
    if common.may("letterhead.manage"):
        items.append(("letterhead_page.show", _("Letterhead")))
    items.append(("tokens_page.index", _("API tokens")))
    endpoint = request.endpoint or ""
    return [
        {
            "url": url_for(name),
            "label": label,
            "current": endpoint == name
            or (name == "home.index" and endpoint.startswith("incident_page."))
            or (name == "oversight_page.dashboard" and endpoint.startswith("oversight_page.")),
        }
        for name, label in items
    ]


@blp.app_context_processor
def layout_context() -> dict[str, Any]:
    return {"nav_items": nav_items}


FILTERS: dict[str, Callable[..., str]] = {
    "when": common.when,
    "day": common.day,
    "due": common.due,
    "actor": common.actor_name,
    "user_name": common.user_name,
    "choice": text.choice,
    "field_message": text.field_message,
    "step_state": lambda key: text.label(text.STEP_STATES, key),
    "incident_state": lambda key: text.label(text.INCIDENT_STATES, key),
    "deadline_state": lambda key: text.label(text.DEADLINE_STATES, key),
    "deadline_outcome": lambda key: text.label(text.DEADLINE_OUTCOMES, key),
    "approval_state": lambda key: text.label(text.APPROVAL_STATES, key),
    "event_type": lambda key: text.label(text.EVENT_TYPES, key),
    "notice_kind": lambda key: text.label(text.NOTICE_KINDS, key),
    "algorithm_domain": lambda key: text.label(text.ALGORITHM_DOMAINS, key),
    "language_name": lambda key: text.label(text.LANGUAGES, key),
}
for _name, _filter in FILTERS.items():
    blp.add_app_template_filter(_filter, _name)
