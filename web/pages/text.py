"""The domain's words as people read them, in the page's language.

The protocol speaks in keys (`suspected`, `StepWaived`, `four-eyes`); its refusals and validation
messages carry a code that `web.messages` renders from the catalogue. Pages show keys through these
tables; a key the tables do not know (a new definition's choice, a new event type) is shown humanised
rather than hidden, so a new definition works without new code — translating its words is a catalogue
entry, not a template change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import flask_babel
from flask_babel import lazy_gettext as _l

from web.messages import render


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

LANGUAGES: Mapping[str, object] = {"nl": _l("Dutch"), "en": _l("English")}  # a reader's language, named

# the policy domains of protocol.domains, as the register form and the incident page name them
ALGORITHM_DOMAINS: Mapping[str, object] = {
    "benefits": _l("Social benefits"),
    "allowances": _l("Allowances"),
    "taxes": _l("Taxes"),
    "parking_traffic": _l("Parking and traffic"),
    "permits": _l("Permits"),
    "student_finance": _l("Education and student finance"),
    "care_support": _l("Care and social support"),
    "fraud": _l("Fraud investigation"),
    "enforcement": _l("Enforcement and inspection"),
    "other": _l("Other domain"),
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
    "ApprovalRequested": _l("Second signature requested"),
    "ApprovalGranted": _l("Second signature given"),
    "ApprovalRejected": _l("Request rejected or withdrawn"),
    "InvestigatorAssigned": _l("Investigator assigned"),
    "OwnerAssigned": _l("Owner changed"),
    "AlgorithmSuspended": _l("Algorithm suspended"),
    "AffectedPersonsImported": _l("Affected persons imported"),
    "LetterCampaignStarted": _l("Letters started"),
    "LetterQueued": _l("Decision letter queued"),
    "LettersBatchRecorded": _l("Letters recorded (batch)"),
    "DeadlineSet": _l("Deadline set"),
    "DeadlineApproaching": _l("Deadline approaching"),
    "DeadlineMissed": _l("Deadline missed"),
    "DeadlineMet": _l("Deadline met"),
    "DeadlineWithdrawn": _l("Deadline withdrawn"),
    "DeadlineWaived": _l("Deadline waived with its step"),
    "DeadlineEscalated": _l("Deadline escalated"),
    "DeadlineMissAccounted": _l("Account given of a deadline not kept"),
    "CitizenResponded": _l("A citizen responded"),
    "CitizenResponseAnswered": _l("Citizen's response answered"),
    "CitizenResponseAssigned": _l("Citizen's response assigned"),
    "PersonIdentityOpened": _l("Person opened with the whole BSN"),
    "CitizenObjectionDecided": _l("Decision on an objection"),
    "DocumentAdded": _l("Document added"),
    "IncidentClosed": _l("Incident closed"),
    "IncidentReopened": _l("Incident reopened"),
}

DECISION_OUTCOMES: Mapping[str, object] = {
    "upheld": _l("upheld"),
    "partly_upheld": _l("partly upheld"),
    "dismissed": _l("dismissed"),
    "granted": _l("granted"),
    "partly_granted": _l("partly granted"),
    "refused": _l("refused"),
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
    "campaign-count-changed": _l(
        "The number of letters changed after you looked. Below are the new numbers: look again and confirm."
    ),
    "no-recipients": _l("There is nobody to write to yet."),
    "grant-admin": _l("Only an administrator gives or takes away the coordinator, oversight and administrator roles."),
    "organisation": _l("You manage users in several organisations: choose one."),
}

# the roles a user can hold in an organisation (protocol.identity.Role)
ROLES: Mapping[str, object] = {
    "officer": _l("Incident officer"),
    "coordinator": _l("Coordinator"),
    "investigator": _l("Investigator"),
    "oversight": _l("Oversight body"),
    "admin": _l("Administrator"),
}

# what the user-management audit log records (protocol.services.accounts.record_change)
AUDIT_ACTIONS: Mapping[str, object] = {
    "user.created": _l("Account created"),
    "user.activated": _l("Account switched on"),
    "user.deactivated": _l("Account switched off"),
    "role.granted": _l("Role given"),
    "role.removed": _l("Role taken away"),
    "invitation.created": _l("Invited"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.withdrawn": _l("Invitation withdrawn"),
    "letterhead.changed": _l("Letterhead changed"),
}


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
    """A validation message of the protocol in the page's language, from its code (plain strings as they are)."""
    return render(message)


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
