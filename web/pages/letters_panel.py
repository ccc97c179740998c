"""The letters' progress on the incident page: counts per status and channel and a <progress>.

Rendered on the server so it works without JavaScript; web/static/js/letters-progress.js refreshes
it from the JSON of `/incidents/<id>/letters/progress` while letters are still open.
"""

from __future__ import annotations

import uuid
from typing import Any

from notifications.services import CAMPAIGN_KINDS, letters_summary, plan_campaign
from protocol.services import ProtocolError
from web.context import notifications_uow, principal
from web.pages.common import definition, may
from web.pages.incident_view import Refusal
from web.pages.letters_text import CHANNELS, LETTER_KINDS_TEXT, LETTER_STATUSES
from web.pages.text import label, ngettext

STATUS_ORDER = ("queued", "sending", "sent", "delivered", "failed")


def progress(incident_id: uuid.UUID) -> dict[str, Any]:
    """The letters' counts as the page shows them (and the script refreshes them)."""
    summary = letters_summary(uow=notifications_uow(), principal=principal(), incident_id=incident_id)
    by_status = summary["by_status"]
    done = by_status.get("delivered", 0) + by_status.get("failed", 0)
    channels = sorted(summary["by_channel"])
    return {
        "total": summary["total"],
        "done": done,
        "open": summary["open"],
        "statuses": [
            {"key": s, "label": label(LETTER_STATUSES, s), "count": by_status.get(s, 0)} for s in STATUS_ORDER
        ],
        "channels": [
            {
                "key": c,
                "label": label(CHANNELS, c),
                "counts": [summary["by_channel"][c].get(s, 0) for s in STATUS_ORDER],
                "total": sum(summary["by_channel"][c].values()),
            }
            for c in channels
        ],
        "text": ngettext(
            "%(done)d of %(num)d letter delivered or finally failed",
            "%(done)d of %(num)d letters delivered or finally failed",
            summary["total"],
            done=done,
        ),
        "campaigns": [
            {"kind": c["kind"], "kind_label": label(LETTER_KINDS_TEXT, c["kind"]), "letters": c["letters"]}
            for c in summary["campaigns"]
        ],
    }


def progress_panel(incident: dict[str, Any]) -> dict[str, Any] | None:
    """What the incident page's letters section needs, or None when the user may not see letters.

    Sending is offered only when the campaign's own check (`plan_campaign`) lets it start: a letter
    kind it refuses for this incident's outcome is not offered, any other refusal is shown instead
    of the button, in the page's language."""
    organisation = incident["organisation_id"]
    if not may("letters.read", organisation):
        return None
    kinds: list[tuple[str, str]] = []
    protocol = definition(incident["protocol"]["key"], incident["protocol"]["version"])  # names steps in a refusal
    refusal: Refusal | None = None
    letters: dict[str, int] = {}
    if may("letters.send", organisation):
        for kind in CAMPAIGN_KINDS:
            try:
                plan = plan_campaign(
                    uow=notifications_uow(), principal=principal(), incident_id=incident["id"], kind=kind
                )
            except ProtocolError as error:
                if error.rule != "letter-kind":  # the other kind is for the other outcome: not offered
                    refusal = refusal or Refusal.of(error, protocol)
                continue
            kinds.append((kind, label(LETTER_KINDS_TEXT, kind)))
            letters[kind] = plan["letters"]
    offered = [k for k in kinds if letters[k[0]]]
    return {
        "progress": progress(incident["id"]),
        "may_send": bool(offered),
        "refusal": None if offered else refusal,
        "everyone_has_it": bool(kinds) and not offered,
        "may_read_persons": may("persons.read", organisation),
        "may_read_responses": may("responses.read", organisation),
        "kinds": offered,
    }
