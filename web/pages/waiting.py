"""What waits on you ("Wat op u wacht"): the steps of your incidents, your investigations, the
second signatures you may give and the citizens' responses you handle, most urgent first.

The list is the service's (`waiting_for`, the same as `GET /api/v1/me/waiting`): computed from the
state each time, so an item leaves it when its work is done. The page only words it and links each
item to the place where it is done.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from notifications.services import waiting_for
from web.context import notifications_uow, principal
from web.pages.common import lang
from web.pages.letters_text import RESPONSE_NAMES
from web.pages.text import _, label
from web.pages.urgency import urgency

blp = Blueprint("waiting_page", __name__)


def _what(item: dict[str, Any]) -> str:
    """What the item asks of the reader, in the page's language."""
    titles = item.get("step_title") or {}
    step = titles.get(lang()) or titles.get("en") or item.get("step") or ""
    kind = item["kind"]
    if kind == "step":
        return _("Step “%(step)s” is in progress", step=step)
    if kind == "investigation":
        return _("The investigation waits for its report")
    if kind == "approval":
        return _("Second signature: waive “%(step)s”", step=step)
    name = label(RESPONSE_NAMES, item.get("response_kind"))
    if item.get("unassigned"):
        return _("%(kind)s from a citizen, not yet assigned to anyone", kind=name)
    return _("%(kind)s from a citizen, to be handled by you", kind=name)


def _where(item: dict[str, Any]) -> str:
    """The link to where the item is done: the response, the request, or the step on the incident."""
    incident_id = item["incident_id"]
    if item["kind"] == "response":
        return url_for("responses_page.index", incident_id=incident_id, _anchor=f"response-{item['response_id']}")
    if item["kind"] == "approval":
        return url_for("incident_page.show", incident_id=incident_id, _anchor=f"approval-{item['approval_id']}")
    return url_for("incident_page.show", incident_id=incident_id, _anchor=f"step-{item['step']}")


def _row(item: dict[str, Any]) -> dict[str, Any]:
    deadline = item["deadline"]
    titles = (deadline or {}).get("title") or {}
    return {
        **item,
        "what": _what(item),
        "url": _where(item),
        "deadline_title": titles.get(lang()) or titles.get("en") or (deadline or {}).get("rule", ""),
        "urgency": urgency(deadline, overdue=bool(deadline and deadline["overdue"])),
    }


@blp.get("/waiting")
def index() -> str:
    found = waiting_for(uow=notifications_uow(), principal=principal())
    return render_template("waiting.html", rows=[_row(i) for i in found["items"]], counts=found["counts"])
