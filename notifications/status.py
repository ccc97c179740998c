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
        "not_applicable": "Deze stap was niet nodig na de beoordeling.",
    },
    "en": {
        "pending": "Not started yet.",
        "active": "We are working on this now.",
        "completed": "Done on {day}.",
        "waived": "We skipped this step, for a reason we have recorded.",
        "not_applicable": "This step was not needed after the assessment.",
    },
}


def step_status(incident: Any, language: str, *, definition: ProtocolDefinition) -> list[dict[str, Any]]:
    """The applicable steps in order, each with a plain title and a sentence about where it stands.

    `definition` is the incident's as letters read it (`notifications.letters.citizen_definition`)."""
    language = language if language in STATES else "nl"
    out = []
    for key in definition.order():
        step = incident.steps[key]
        view = definition.step(key).citizen
        state = step.state.value
        titles = {lang: definition.step(key).citizen_title(lang) for lang in LANGUAGES}
        day = long_date(local_date(step.ended_at), language) if step.ended_at else ""
        text = STATES[language].get(state, "").format(day=day)
        # in words what the step came to: its conclusion when done, the definition's words when skipped
        conclusion: dict[str, str] | None = None
        if view is not None and step.state is StepState.COMPLETED:
            said = {lang: view.conclusion(step.evidence, lang) for lang in LANGUAGES}
            conclusion = {lang: text for lang, text in said.items() if text} or None
        elif view is not None and step.state is StepState.WAIVED and view.skipped:
            conclusion = {lang: view.skipped.get(lang) or view.skipped.get("en", "") for lang in LANGUAGES}
        out.append(
            {
                "key": key,
                "title": titles[language],
                "titles": titles,
                "state": state,
                "text": text,
                "ended_on": day or None,
                "conclusion": conclusion,
            }
        )
    return out
