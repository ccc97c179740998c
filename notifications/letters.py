"""What a letter says: the facts of the incident in plain words, the sender, the reader's routes.

The incident's facts are gathered once per batch (`incident_facts`); each letter adds its reader,
its date and its access code (`letter_context`).

No letter Herstel sends is a decision (besluit, Awb 1:3): a notification tells what happened, the
`unfounded` letter tells a reporter what was found. No objection lies against either, so neither
quotes an objection period. What the reader can do instead is in the templates (and `REPLIES`
in notifications.citizens says which forms the reader's code opens): ask for the decisions taken
about them with the algorithm to be reviewed (the answer to that is a decision, with its own
objection clause, Awb 3:45), complain (Awb 9:1, handled within 6 weeks, 9:11), claim harm, and go
to the Nationale ombudsman or the Autoriteit Persoonsgegevens. See docs/letters.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from notifications.codes import format_access_code
from notifications.consequences import consequence
from notifications.decisions import DecisionMade
from notifications.rendering import Logo, long_date
from notifications.storage import NotificationsUnitOfWork
from protocol.calendar import local_date
from protocol.definition import ProtocolDefinition
from protocol.steps import Step, StepState

CITIZEN_PATH = "/citizen"  # where the web serves the citizen's pages

GROUNDS = {
    "nl": {
        "religion": "geloof",
        "belief": "levensovertuiging",
        "political_opinion": "politieke voorkeur",
        "race": "ras",
        "ethnicity": "afkomst",
        "nationality": "nationaliteit",
        "sex": "geslacht",
        "sexual_orientation": "seksuele gerichtheid",
        "civil_status": "burgerlijke staat",
        "disability": "handicap",
        "chronic_illness": "chronische ziekte",
        "age": "leeftijd",
        "income": "inkomen",
    },
    "en": {
        "religion": "religion",
        "belief": "beliefs",
        "political_opinion": "political opinion",
        "race": "race",
        "ethnicity": "ethnic origin",
        "nationality": "nationality",
        "sex": "sex",
        "sexual_orientation": "sexual orientation",
        "civil_status": "marital status",
        "disability": "disability",
        "chronic_illness": "chronic illness",
        "age": "age",
        "income": "income",
    },
}
AND = {"nl": "en", "en": "and"}
# Where a preview prints the reader's code: visibly no code, and no code field accepts it
# (`codes.normalize_access_code` refuses it: it is not 16 symbols of the code alphabet).
PREVIEW_CODE = {"nl": "VOORBEELD-GEEN-ECHTE-CODE", "en": "SAMPLE-NOT-A-REAL-CODE"}


def join_words(words: list[str], language: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {AND[language]} " + words[-1]


@dataclass(frozen=True)
class Recipient:
    """Who a letter is for, opened from the vault for as long as it takes to render it."""

    name: str
    address: dict[str, str] | None
    email: str | None
    decisions: tuple[DecisionMade, ...] = ()  # made about them with the algorithm, if the file named them

    def lines(self) -> list[str]:
        lines = [self.name]
        if self.address:
            a = self.address
            number = f"{a.get('house_number', '')}{(' ' + a['addition']) if a.get('addition') else ''}"
            lines += [f"{a.get('street', '')} {number}".strip(), f"{a.get('postal_code', '')}  {a.get('city', '')}"]
        return lines


@dataclass(frozen=True)
class IncidentFacts:
    """Everything a letter says about the incident; contains no personal data."""

    incident_id: uuid.UUID
    reference: str
    outcome: str
    algorithm: str
    grounds: tuple[str, ...]
    suspended: bool
    suspension_scope: str | None
    not_working_since: date | None
    investigation: str  # active, completed, none; absent: the definition has no investigation step
    investigation_due: date | None
    sender: dict[str, str] = field(default_factory=dict)
    has_suspension: bool = True  # whether the definition has a step that stops the algorithm
    logo: Logo | None = None  # the organisation's logo, if its letterhead has one
    domain: str | None = None  # the algorithm's policy domain (protocol.domains), for the example of a consequence


def citizen_definition(uow: NotificationsUnitOfWork, definition: ProtocolDefinition) -> ProtocolDefinition:
    """The definition as letters read it: its own `citizen` tables, or, for a version published before
    they existed, those of the latest registered version of the same protocol (step by step)."""
    if definition.declares_citizen:
        return definition
    latest = uow.protocols.latest(definition.key)
    if latest is None or latest.version == definition.version:
        return definition
    return definition.with_citizen_words(uow.definitions(latest.key, latest.version))


def _quoted_date(step: Step | None, field_name: str | None) -> date | None:
    """The date a letter may quote from a step's evidence (start or completion), as a local date."""
    if step is None or field_name is None:
        return None
    raw = step.evidence.get(field_name) or step.start_evidence.get(field_name)
    if not raw:
        return None
    return local_date(datetime.fromisoformat(raw)) if "T" in str(raw) else date.fromisoformat(str(raw))


def incident_facts(uow: NotificationsUnitOfWork, incident_id: uuid.UUID) -> IncidentFacts:
    """Read the incident, its algorithm and its sender profile (inside the caller's transaction)."""
    incident = uow.incidents.get(incident_id, lock=False)
    algorithm = uow.algorithms.get(incident.algorithm_id)
    organisation = uow.accounts.organisation(incident.organisation_id)
    profile = uow.senders.get(incident.organisation_id)
    definition = citizen_definition(uow, incident.definition)
    suspension = definition.citizen_step("suspension")
    investigation_step = definition.citizen_step("investigation")
    suspend = incident.steps.get(suspension.key) if suspension else None
    investigate = incident.steps.get(investigation_step.key) if investigation_step else None
    scope_field = suspension.citizen.scope if suspension and suspension.citizen else None
    investigation = "none" if investigation_step else "absent"
    if investigate is not None and investigate.state in (StepState.ACTIVE, StepState.COMPLETED):
        investigation = investigate.state.value
    name = profile.name if profile else (organisation.name if organisation else "")
    logo = uow.senders.logo(profile.logo_sha256) if profile and profile.logo_sha256 else None
    return IncidentFacts(
        incident_id=incident.id,
        reference=incident.reference,
        outcome=str(incident.facts.get("outcome") or "suspected"),
        algorithm=algorithm.name if algorithm else "",
        grounds=tuple(incident.protected_grounds),
        suspended=bool(suspend and suspend.state is StepState.COMPLETED),
        suspension_scope=suspend.evidence.get(scope_field) if suspend and scope_field else None,
        not_working_since=_quoted_date(suspend, suspension.citizen.date if suspension and suspension.citizen else None),
        investigation=investigation,
        investigation_due=_quoted_date(
            investigate, investigation_step.citizen.date if investigation_step and investigation_step.citizen else None
        ),
        sender={
            "name": name,
            "postal_address": profile.postal_address if profile else "",
            "phone": profile.phone if profile else "",
            "email": profile.email if profile else "",
            "website": profile.website if profile else "",
            "signatory": (profile.signatory if profile and profile.signatory else name),
            "signatory_title": profile.signatory_title if profile else "",
        },
        has_suspension=suspension is not None,
        logo=logo,
        domain=algorithm.domain if algorithm else None,
    )


def letter_reference(facts: IncidentFacts, letter_id: uuid.UUID) -> str:
    """What the reader quotes when they write or call: the incident's reference and the letter's."""
    return f"{facts.reference}-{letter_id.hex[:8].upper()}"


def letter_context(
    facts: IncidentFacts,
    *,
    letter_id: uuid.UUID,
    language: str,
    recipient: Recipient,
    sent_on: date,
    code: str | None,
    base_url: str,
    preview: bool = False,
) -> dict[str, Any]:
    """The template context of one letter; a `preview` prints `PREVIEW_CODE` where the code goes."""
    sender: dict[str, Any] = dict(facts.sender)
    postal_lines = [line.strip() for line in sender.get("postal_address", "").splitlines() if line.strip()]
    sender["postal_inline"] = ", ".join(postal_lines)
    contact = [sender.get("phone"), sender.get("email"), sender.get("website")]
    sender["lines"] = [sender["name"], *postal_lines, *filter(None, contact)]
    # signed by the official, in their function, for the organisation (the name once if they are one)
    signature = [sender.get("signatory") or sender["name"], sender.get("signatory_title", ""), sender["name"]]
    sender["signature"] = [line for i, line in enumerate(signature) if line and line not in signature[:i]]
    grounds = [GROUNDS[language].get(g) for g in facts.grounds]
    return {
        "reference": letter_reference(facts, letter_id),
        "date": long_date(sent_on, language),
        "recipient": {"name": recipient.name, "lines": recipient.lines()},
        "decisions": [
            {
                "reference": d.reference,
                "date": long_date(d.day, language) if d.day else "",
                "subject": d.subject,
            }
            for d in recipient.decisions
        ],
        "sender": sender,
        "logo": facts.logo,
        "algorithm": facts.algorithm,
        "consequence": consequence(facts.domain, language),
        "grounds": join_words([g for g in grounds if g], language),
        "outcome": facts.outcome,
        "suspended": facts.suspended,
        "has_suspension": facts.has_suspension,
        "suspension_scope": facts.suspension_scope,
        "not_working_since": long_date(facts.not_working_since, language) if facts.not_working_since else None,
        "investigation": facts.investigation,
        "investigation_due": long_date(facts.investigation_due, language) if facts.investigation_due else None,
        "code": PREVIEW_CODE[language] if preview else (format_access_code(code) if code else None),
        "citizen_url": base_url.rstrip("/") + CITIZEN_PATH,
    }
