"""What a wrong decision may have meant for the reader, per policy domain of the algorithm.

A notification says so in one sentence under *Wat betekent dit voor u?* when the persons file names
no decisions for the reader: the domain's example when the algorithm's record names a domain
(protocol.domains), else the neutral wording (`NEUTRAL`). `other` has no example. Plain words at B1,
as the rest of the letter (tests/unit/notifications/test_letter_readability.py measures them all).
"""

from __future__ import annotations

from collections.abc import Mapping

NEUTRAL = {
    "nl": "Misschien is die beslissing daardoor anders uitgevallen dan had gemoeten.",
    "en": "That decision may have turned out differently than it should have.",
}

CONSEQUENCES: Mapping[str, Mapping[str, str]] = {
    "benefits": {
        "nl": "Misschien kreeg u daardoor een lagere uitkering. Of werd uw uitkering gestopt.",
        "en": "As a result, you may have received a lower benefit, or your benefit may have been stopped.",
    },
    "allowances": {
        "nl": "Misschien kreeg u daardoor te weinig toeslag. Of moest u te veel terugbetalen.",
        "en": "As a result, you may have received too little allowance, or had to pay back too much.",
    },
    "taxes": {
        "nl": "Misschien moest u daardoor te veel belasting betalen.",
        "en": "As a result, you may have had to pay too much tax.",
    },
    "parking_traffic": {
        "nl": "Misschien kreeg u daardoor een naheffingsaanslag of boete die u niet had moeten krijgen.",
        "en": "As a result, you may have received a parking charge or a fine you should not have received.",
    },
    "permits": {
        "nl": "Misschien kreeg u daardoor geen vergunning. Of kreeg u hem later dan had gemoeten.",
        "en": "As a result, you may not have received a permit, or received it later than you should have.",
    },
    "student_finance": {
        "nl": "Misschien kreeg u daardoor minder studiefinanciering. Of moest u te veel terugbetalen.",
        "en": "As a result, you may have received less student finance, or had to pay back too much.",
    },
    "care_support": {
        "nl": "Misschien kreeg u daardoor minder hulp of zorg dan u nodig had.",
        "en": "As a result, you may have received less help or care than you needed.",
    },
    "fraud": {
        "nl": "Misschien werd u daardoor op fraude gecontroleerd terwijl daar geen reden voor was.",
        "en": "As a result, you may have been checked for fraud when there was no reason to.",
    },
    "enforcement": {
        "nl": "Misschien kreeg u daardoor een controle of boete die u niet had moeten krijgen.",
        "en": "As a result, you may have had an inspection or a fine you should not have had.",
    },
}


def consequence(domain: str | None, language: str) -> str:
    """The sentence for the algorithm's domain in `language`; the neutral one without a domain's example."""
    example = CONSEQUENCES.get(domain or "")
    return example[language] if example else NEUTRAL[language]
