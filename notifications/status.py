"""The case status as a citizen reads it: each step of the protocol in plain words (B1), nothing internal.

No names, justifications or evidence: only what the step is, whether it is done, and since when.
"""

from __future__ import annotations

from typing import Any

from notifications.rendering import long_date
from protocol.calendar import local_date
from protocol.steps import StepState

TITLES = {
    "nl": {
        "assess": "Beoordelen wat er is gebeurd",
        "suspend": "Het computerprogramma stoppen",
        "report": "Toezichthouders op de hoogte brengen",
        "investigate": "Onafhankelijk onderzoek",
        "inform": "Iedereen informeren die het raakt",
        "sanction": "Maatregelen tegen wie verantwoordelijk is",
        "safeguard": "Afspraken zodat het niet opnieuw gebeurt",
    },
    "en": {
        "assess": "Assessing what happened",
        "suspend": "Stopping the computer program",
        "report": "Informing the supervisors",
        "investigate": "Independent investigation",
        "inform": "Informing everyone affected",
        "sanction": "Measures against those responsible",
        "safeguard": "Arrangements so it does not happen again",
    },
}
STATES = {
    "nl": {
        "pending": "Nog niet begonnen.",
        "active": "Hier werken wij nu aan.",
        "completed": "Klaar op {day}.",
        "waived": "Deze stap hebben wij overgeslagen, met een reden die wij hebben vastgelegd.",
    },
    "en": {
        "pending": "Not started yet.",
        "active": "We are working on this now.",
        "completed": "Done on {day}.",
        "waived": "We skipped this step, for a reason we have recorded.",
    },
}


def step_status(incident: Any, language: str) -> list[dict[str, Any]]:
    """The applicable steps in order, each with a plain title and a sentence about where it stands."""
    language = language if language in TITLES else "nl"
    out = []
    for key in incident.definition.order():
        step = incident.steps[key]
        if step.state is StepState.NOT_APPLICABLE:
            continue
        state = step.state.value
        title = TITLES[language].get(key) or incident.definition.step(key).title_for(language)
        day = long_date(local_date(step.ended_at), language) if step.ended_at else ""
        text = STATES[language].get(state, "").format(day=day)
        out.append({"key": key, "title": title, "state": state, "text": text, "ended_on": day or None})
    return out
