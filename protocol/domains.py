"""The policy domains a Dutch government body uses algorithms in, as a closed list.

An algorithm's record may name its domain (`algorithms.domain`, migration 0017_algorithm_domain).
The letters use it for one thing only: the example of what a wrong decision may have meant for the
reader (a parking case is told about a fine, not about a lower benefit). The example sentences are
the letters' (notifications.consequences), the labels the pages' (web.pages.text.ALGORITHM_DOMAINS);
both are checked against this list by tests. `other` has no example: its letters keep the neutral
wording, like an algorithm registered before domains existed (NULL).
"""

from __future__ import annotations

ALGORITHM_DOMAINS: tuple[str, ...] = (
    "benefits",  # uitkeringen (Participatiewet, bijstand)
    "allowances",  # toeslagen (huur-, zorg-, kinderopvangtoeslag)
    "taxes",  # belastingen (gemeentelijke en rijksbelastingen)
    "parking_traffic",  # parkeren en verkeer (naheffingsaanslagen, verkeersboetes)
    "permits",  # vergunningen
    "student_finance",  # onderwijs en studiefinanciering
    "care_support",  # zorg en ondersteuning (Wmo, jeugdhulp)
    "fraud",  # fraudeonderzoek en controle
    "enforcement",  # handhaving en toezicht
    "other",
)


def is_domain(value: str) -> bool:
    return value in ALGORITHM_DOMAINS
