"""The domain's words as people read them, in the page's language.

The protocol speaks in keys (`suspected`, `StepWaived`, `four-eyes`) and its validation messages in
English. Pages show them through these tables; a key the tables do not know (a new definition's
choice, a new event type) is shown humanised rather than hidden, so a new definition works without
new code — translating its words is a catalogue entry, not a template change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import flask_babel
from flask_babel import lazy_gettext as _l


def _(message: str, **variables: Any) -> str:
    """gettext, typed (flask-babel ships no type hints); pages import it from here."""
    return str(flask_babel.gettext(message, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    return str(flask_babel.ngettext(singular, plural, num, **variables))


# enum choices of the default definition, incident sources and protected grounds
CHOICES: Mapping[str, object] = {
    "established": _l("Established"),
    "suspected": _l("Suspected"),
    "unfounded": _l("Unfounded"),
    "full": _l("Full"),
    "partial": _l("Partial"),
    "market_surveillance_authority": _l("Market surveillance authority"),
    "autoriteit_persoonsgegevens": _l("Dutch Data Protection Authority (AP)"),
    "internal_supervisor": _l("Internal supervisor"),
    "council": _l("Council"),
    "parliament": _l("Parliament"),
    "ombudsman": _l("Ombudsman"),
    "other": _l("Other"),
    "not_established": _l("Not established"),
    "inconclusive": _l("Inconclusive"),
    "warning": _l("Warning"),
    "reprimand": _l("Reprimand"),
    "transfer": _l("Transfer"),
    "dismissal": _l("Dismissal"),
    "organisational": _l("Organisational measure"),
    "employee": _l("Employee"),
    "citizen": _l("Citizen"),
    "journalist": _l("Journalist"),
    "supervisor": _l("Supervisory authority"),
    "researcher": _l("Researcher"),
    "religion": _l("Religion"),
    "belief": _l("Belief"),
    "political_opinion": _l("Political opinion"),
    "race": _l("Race"),
    "ethnicity": _l("Ethnicity"),
    "nationality": _l("Nationality"),
    "sex": _l("Sex"),
    "sexual_orientation": _l("Sexual orientation"),
    "civil_status": _l("Civil status"),
    "disability": _l("Disability"),
    "chronic_illness": _l("Chronic illness"),
    "age": _l("Age"),
    "income": _l("Income"),
}

STEP_STATES: Mapping[str, object] = {
    "pending": _l("Not started"),
    "active": _l("In progress"),
    "completed": _l("Completed"),
    "waived": _l("Waived"),
    "not_applicable": _l("Does not apply"),
}

INCIDENT_STATES: Mapping[str, object] = {"open": _l("Open"), "closed": _l("Closed")}

DEADLINE_STATES: Mapping[str, object] = {
    "open": _l("Open"),
    "met": _l("Met"),
    "met_late": _l("Met late"),
    "missed": _l("Missed"),
    "overdue": _l("Overdue"),
    "waived": _l("Waived"),
    "not_applicable": _l("Does not apply"),
}

# how a deadline went, as an oversight body reads it (protocol.oversight.DeadlineOutcome)
DEADLINE_OUTCOMES: Mapping[str, object] = {
    "met_on_time": _l("Met on time"),
    "met_late": _l("Met late"),
    "missed": _l("Missed"),
    "open": _l("Open"),
    "waived": _l("Waived"),
    "not_applicable": _l("Does not apply"),
}

APPROVAL_STATES: Mapping[str, object] = {
    "pending": _l("Waiting for a decision"),
    "granted": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}

STEP_ACTIONS: Mapping[str, object] = {"start": _l("Start"), "complete": _l("Complete"), "waive": _l("Waive")}

EVENT_TYPES: Mapping[str, object] = {
    "IncidentReported": _l("Signal reported"),
    "StepStarted": _l("Step started"),
    "StepCompleted": _l("Step completed"),
    "StepWaived": _l("Step waived"),
    "StepReopened": _l("Step reopened"),
    "StepNotApplicable": _l("Step does not apply"),
    "StepApplicable": _l("Step applies again"),
    "FactsChanged": _l("Facts changed"),
    "ApprovalRequested": _l("Second signature requested"),
    "ApprovalGranted": _l("Second signature given"),
    "ApprovalRejected": _l("Request rejected or withdrawn"),
    "InvestigatorAssigned": _l("Investigator assigned"),
    "OwnerAssigned": _l("Owner changed"),
    "AlgorithmSuspended": _l("Algorithm suspended"),
    "AlgorithmResumed": _l("Algorithm resumed"),
    "AffectedPersonsImported": _l("Affected persons imported"),
    "LetterCampaignStarted": _l("Letters started"),
    "LetterQueued": _l("Letter queued"),
    "LetterSent": _l("Letter sent"),
    "LetterDelivered": _l("Letter delivered"),
    "LetterFailed": _l("Letter failed"),
    "LettersBatchRecorded": _l("Letters recorded (batch)"),
    "DeadlineSet": _l("Deadline set"),
    "DeadlineApproaching": _l("Deadline approaching"),
    "DeadlineMissed": _l("Deadline missed"),
    "DeadlineMet": _l("Deadline met"),
    "DeadlineWithdrawn": _l("Deadline withdrawn"),
    "DeadlineWaived": _l("Deadline waived with its step"),
    "DeadlineEscalated": _l("Deadline escalated"),
    "CitizenResponded": _l("A citizen responded"),
    "CitizenResponseAnswered": _l("Citizen's response answered"),
    "CitizenResponseAssigned": _l("Citizen's response assigned"),
    "CitizenObjectionDecided": _l("Decision on an objection"),
    "DocumentAdded": _l("Document added"),
    "IncidentClosed": _l("Incident closed"),
    "IncidentReopened": _l("Incident reopened"),
}

DECISION_OUTCOMES: Mapping[str, object] = {
    "upheld": _l("upheld"),
    "partly_upheld": _l("partly upheld"),
    "dismissed": _l("dismissed"),
}

NOTICE_KINDS: Mapping[str, object] = {
    "approval": _l("A second signature is needed"),
    "deadline_missed": _l("A deadline was missed"),
}

# What each refusal rule means, in plain words; the engine's own message is shown beside it.
RULES: Mapping[str, object] = {
    "version": _l("Someone else changed this incident after you opened it."),
    "four-eyes": _l("Four eyes: the second signature must come from someone other than the one who asked."),
    "four-eyes-role": _l("Four eyes: only a coordinator can decide on this request."),
    "waiver-forbidden": _l("This step may not be waived in this situation."),
    "waiver-not-allowed": _l("This step can never be waived."),
    "requires": _l("An earlier step must be completed or waived first."),
    "applies": _l("This step does not apply to this incident."),
    "transition": _l("This action is not possible in the step's current state."),
    "system-completion": _l("This step completes itself when its work is done."),
    "approval-pending": _l("A request for a second signature is already waiting."),
    "approval-decided": _l("This request has been decided already."),
    "close-requires-steps": _l("Every step that applies must be completed or waived before closing."),
    "close-requires-decisions": _l("A request for a second signature is still waiting."),
    "incident-closed": _l("The incident is closed."),
    "reopen-closed": _l("Only a closed incident can be reopened."),
    "permission": _l("Your role does not allow this."),
    "permission-assigned": _l("You may do this only on incidents assigned to you."),
    "permission-step": _l("Your role allows this only for some steps."),
    "evidence": _l("Some fields are missing or not valid."),
    "duplicate": _l("That exists already."),
}

# The validation messages of protocol.evidence and the services, as patterns with a translation.
_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^required$"), lambda m: _("Fill in this field.")),
    (re.compile(r"^must be text$"), lambda m: _("Enter text.")),
    (re.compile(r"^must be a whole number$"), lambda m: _("Enter a whole number.")),
    (re.compile(r"^must be at least (-?\d+)$"), lambda m: _("Enter at least %(n)s.", n=m[1])),
    (re.compile(r"^must be at most (-?\d+)$"), lambda m: _("Enter at most %(n)s.", n=m[1])),
    (re.compile(r"^at most (\d+) characters$"), lambda m: _("Use at most %(n)s characters.", n=m[1])),
    (re.compile(r"^must be one of: "), lambda m: _("Choose one of the options.")),
    (re.compile(r"^must be true or false$"), lambda m: _("Choose yes or no.")),
    (re.compile(r"^must be a date \(YYYY-MM-DD\)$"), lambda m: _("Enter a date, for example 2026-12-01.")),
    (re.compile(r"^must be a date and time"), lambda m: _("Enter a date and a time.")),
    (re.compile(r"^needs a time zone"), lambda m: _("Enter a date and a time.")),
    (re.compile(r"^lies in the future$"), lambda m: _("This moment lies in the future.")),
    (re.compile(r"^must be an id \(UUID\)$"), lambda m: _("Choose one of the options.")),
    (
        re.compile(r"^must be an Algoritmekader measure id"),
        lambda m: _("Enter an Algoritmekader measure, for example owk-02."),
    ),
    (
        re.compile(r"^needs at least (\d+) item\(s\)$"),
        lambda m: ngettext("Fill in at least %(num)d row.", "Fill in at least %(num)d rows.", int(m[1])),
    ),
    (re.compile(r"^at most (\d+) items$"), lambda m: _("Fill in at most %(n)s rows.", n=m[1])),
    (re.compile(r"^give at least one of: "), lambda m: _("Fill in at least one of these fields.")),
    (re.compile(r"^no such document on this incident$"), lambda m: _("Choose a document of this incident.")),
    (re.compile(r"^no such user in this organisation$"), lambda m: _("Choose a colleague of this organisation.")),
    (re.compile(r"^the user does not have the (\w+) role$"), lambda m: _("This person does not have the right role.")),
    (re.compile(r"^no such algorithm in your organisation$"), lambda m: _("Choose an algorithm from the list.")),
    (re.compile(r"^unknown: "), lambda m: _("Choose from the options.")),
    (re.compile(r"^not a valid LARS code"), lambda m: _("A LARS code has 8 digits, the last a check digit.")),
    (re.compile(r"^the file is empty$"), lambda m: _("The file is empty.")),
    (re.compile(r"^the content is not "), lambda m: _("The file's content does not match its type.")),
    (re.compile(r"^plain text must be UTF-8$"), lambda m: _("A text file must be in UTF-8.")),
)


def humanise(key: str) -> str:
    """`market_surveillance_authority` → `Market surveillance authority`, for keys no table knows."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else key


def label(table: Mapping[str, object], key: str | None) -> str:
    """The translated word for `key` in one of the tables above, or the key humanised."""
    if key is None:
        return ""
    found = table.get(key)
    return str(found) if found is not None else humanise(key)


def choice(value: object) -> str:
    return label(CHOICES, str(value))


def field_message(message: str) -> str:
    """A validation message of the protocol in the page's language (unknown ones as they are)."""
    for pattern, translate in _MESSAGES:
        match = pattern.search(message)
        if match:
            return translate(match)
    return message


def rule_explanation(rule: str | None) -> str:
    return label(RULES, rule) if rule and rule in RULES else ""


def period(text: str | None) -> str:
    """A definition's period ("15 days", "2 working days", "72 hours") in the page's language."""
    match = re.fullmatch(r"(\d+) (hours|days|working days|weeks)", text or "")
    if not match:
        return text or ""
    n, unit = int(match[1]), match[2]
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", n)
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", n)
    if unit == "working days":
        return ngettext("%(num)d working day", "%(num)d working days", n)
    return ngettext("%(num)d week", "%(num)d weeks", n)
