"""The letters' progress on the incident page: counts per status and channel and a <progress>.

Rendered on the server so it works without JavaScript; web/static/js/letters-progress.js refreshes
it from the JSON of `/incidents/<id>/letters/progress` while letters are still open.
"""

from __future__ import annotations

import uuid
from typing import Any

from notifications.services import CAMPAIGN_KINDS, letters_summary
from web.context import notifications_uow, principal
from web.pages.common import may
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
    """What the incident page's letters section needs, or None when the user may not see letters."""
    organisation = incident["organisation_id"]
    if not may("letters.read", organisation):
        return None
    outcome = (incident.get("facts") or {}).get("outcome")
    kinds = [k for k in CAMPAIGN_KINDS if (k == "unfounded") == (outcome == "unfounded")]
    return {
        "progress": progress(incident["id"]),
        "may_send": may("letters.send", organisation) and incident["state"] == "open",
        "may_read_persons": may("persons.read", organisation),
        "may_read_responses": may("responses.read", organisation),
        "kinds": [(k, label(LETTER_KINDS_TEXT, k)) for k in kinds],
    }
