"""The start page: the officer's dashboard, the investigator's assignments.

Incidents by urgency (the service orders them: a missed deadline first, then the soonest due),
each with its current steps, severity, owner and next deadline with the days left in words; what
waits for the user (second signatures to give, missed deadlines); a search on reference and title
and filters on state, step and overdue as plain GET parameters, and paging.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from protocol.services import NotFound, get_incident, list_incidents, list_notices, my_invitations
from web.context import principal
from web.pages.common import current_definition, definition, lang, may, page_arg, page_count, uow
from web.pages.layout import assigned_only
from web.pages.text import ROLES, _, label
from web.pages.urgency import urgency

blp = Blueprint("home", __name__)
PER_PAGE = 20
STATES = ("open", "closed", "all")
OVERDUE = {"yes": True, "no": False}
MAX_NOTICES = 20
MAX_QUERY = 100  # the service's limit on a search (the API refuses longer; the page cuts)


def _filters() -> dict[str, Any]:
    """The filters as asked for, each reset to its default when it is not one the page offers."""
    args = request.args
    state = args.get("state", "open")
    return {
        "state": state if state in STATES else "open",
        "step": args.get("step", ""),
        "overdue": args.get("overdue", "") if args.get("overdue") in OVERDUE else "",
        "q": args.get("q", "").strip()[:MAX_QUERY],
        "page": page_arg(),
    }


def _steps() -> list[tuple[str, str]]:
    protocol = current_definition()
    if protocol is None:
        return []
    return [(key, protocol.step(key).title_for(lang())) for key in protocol.order()]


def _notices() -> list[dict[str, Any]]:
    """What waits for the user, with the incident and the step or deadline it is about."""
    notices = list_notices(uow=uow(), principal=principal(), limit=MAX_NOTICES)
    incidents: dict[Any, dict[str, Any] | None] = {}
    shown = []
    for notice in notices:
        if notice["incident_id"] not in incidents:
            try:
                incidents[notice["incident_id"]] = get_incident(
                    uow=uow(), principal=principal(), incident_id=notice["incident_id"]
                )
            except NotFound:
                incidents[notice["incident_id"]] = None
        incident = incidents[notice["incident_id"]]
        if incident is None:
            continue
        about, anchor = "", ""
        if notice["kind"] == "approval":
            approval = next((a for a in incident["approvals"] if str(a["id"]) == str(notice["subject"])), None)
            if approval is not None:
                step = incident["steps"].get(approval["step"], {})
                about = (step.get("title") or {}).get(lang()) or approval["step"]
            anchor = f"approval-{notice['subject']}"
        elif notice["kind"] == "deadline_missed":
            deadline = next((d for d in incident["deadlines"] if str(d["id"]) == str(notice["subject"])), None)
            if deadline is not None:
                about = deadline["title"].get(lang()) or deadline["rule"]
                anchor = f"step-{deadline['step']}" if deadline["step"] else ""
        shown.append(
            {
                **notice,
                "reference": incident["reference"],
                "title": incident["title"],
                "about": about,
                "url": url_for("incident_page.show", incident_id=incident["id"], _anchor=anchor or None),
            }
        )
    return shown


def _invitations() -> list[dict[str, Any]]:
    """Open invitations to the user's own address (another organisation, another role), to accept here."""
    return [
        {**invitation, "roles": [label(ROLES, role) for role in invitation["roles"]]}
        for invitation in my_invitations(uow=uow(), principal=principal())
    ]


def _rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The listed incidents as the table shows them: step titles, severity, owner, days left."""
    page_lang = lang()
    definitions: dict[tuple[str, int], Any] = {}
    rows = []
    for item in items:
        ref = (item["protocol"]["key"], int(item["protocol"]["version"]))
        if ref not in definitions:
            definitions[ref] = definition(*ref)
        protocol = definitions[ref]
        order = {key: n for n, key in enumerate(protocol.order())}
        active = sorted(item["active_steps"], key=lambda key: order.get(key, len(order)))
        titles = [protocol.step(k).title_for(page_lang) if k in protocol.steps else k for k in active]
        ready = [protocol.step(k).title_for(page_lang) for k in item["ready_steps"] if k in protocol.steps]
        if not titles and ready:
            titles = [_("%(steps)s (not started yet)", steps=", ".join(ready))]
        rows.append(
            {
                **item,
                "steps": titles,
                "urgency": urgency(item["next_deadline"], overdue=item["overdue"]),
            }
        )
    return rows


@blp.get("/")
def index() -> str:
    filters = _filters()
    steps = _steps()
    step = filters["step"] if filters["step"] in {key for key, _title in steps} else ""
    filters["step"] = step
    listing = None
    if may("incident.read"):
        listing = list_incidents(
            uow=uow(),
            principal=principal(),
            state=None if filters["state"] == "all" else filters["state"],
            step=step or None,
            overdue=OVERDUE.get(filters["overdue"]),
            q=filters["q"] or None,
            page=filters["page"],
            per_page=PER_PAGE,
        )
    pages = page_count(listing["total"], PER_PAGE) if listing else 1

    def paged(number: int) -> str:
        return url_for("home.index", **{k: v for k, v in {**filters, "page": number}.items() if v})

    return render_template(
        "home.html",
        listing=listing,
        rows=_rows(listing["items"]) if listing else [],
        filters=filters,
        steps=steps,
        pages=pages,
        paged=paged,
        notices=_notices(),
        invitations=_invitations(),
        assigned_only=assigned_only(),
        may_report=may("incident.report"),
        may_oversee=may("oversight.read"),
    )
