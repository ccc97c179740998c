"""The case status as a citizen reads it: each step of the protocol in plain words (B1), nothing internal.

No names, justifications or evidence: only what the step is, whether it is done, and since when.
The step's title is the definition's (`[steps.<key>.citizen] title`), in every language it has, so
a page in another language than the letter's can show it too.
"""

from __future__ import annotations

from typing import Any

from notifications.rendering import LANGUAGES, long_date
from protocol.calendar import local_date
from protocol.definition import ProtocolDefinition
from protocol.steps import StepState

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


def step_status(incident: Any, language: str, *, definition: ProtocolDefinition) -> list[dict[str, Any]]:
    """The applicable steps in order, each with a plain title and a sentence about where it stands.

    `definition` is the incident's as letters read it (`notifications.letters.citizen_definition`)."""
    language = language if language in STATES else "nl"
    out = []
    for key in definition.order():
        step = incident.steps[key]
        if step.state is StepState.NOT_APPLICABLE:
            continue
        state = step.state.value
        titles = {lang: definition.step(key).citizen_title(lang) for lang in LANGUAGES}
        day = long_date(local_date(step.ended_at), language) if step.ended_at else ""
        text = STATES[language].get(state, "").format(day=day)
        out.append(
            {
                "key": key,
                "title": titles[language],
                "titles": titles,
                "state": state,
                "text": text,
                "ended_on": day or None,
            }
        )
    return out
