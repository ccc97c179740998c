"""Affected persons as an oversight body sees them: counts, and pseudonyms instead of identities.

The pseudonym is `protocol.oversight.pseudonym` (a keyed hash of the person's id under a key of
the incident, derived from the installation's hash key), the same one the oversight timeline
shows, so a body can follow one person through a case without ever learning who it is.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from protocol.oversight import pseudonym
from protocol.services import Principal
from protocol.services.access import incident_for

MAX_PSEUDONYMS = 200  # a list to read, not an export; the count says how many there are


def oversight_persons(
    *, herstel: Any, principal: Principal, incident_id: uuid.UUID, limit: int = MAX_PSEUDONYMS
) -> dict[str, Any]:
    """How many persons an incident affects, their letters and responses as counts, and their pseudonyms."""
    limit = max(0, min(limit, MAX_PSEUDONYMS))
    hash_key = herstel.settings.hash_key_bytes()
    with herstel.uow().read_only() as uow:
        incident, _ = incident_for(uow, principal, incident_id, "oversight.read", lock=False)
        affected = uow.persons.count(incident.id, "affected")
        reporters = uow.persons.count(incident.id, "reporter")
        rows, _total = uow.persons.page(incident.id, page=1, per_page=limit) if limit else ([], 0)
        letters: Counter[str] = Counter()
        for _kind, status, _channel, count in uow.letters.counts(incident.id):
            letters[status] += count
        responses = Counter(row.kind for row in uow.responses.of_incident(incident.id))
    return {
        "affected": affected,
        "reporters": reporters,
        "pseudonyms": sorted(pseudonym(hash_key, incident.id, row.id) for row in rows if row.kind == "affected"),
        "pseudonyms_shown": limit,
        "letters": dict(sorted(letters.items())),
        "responses": dict(sorted(responses.items())),
    }
