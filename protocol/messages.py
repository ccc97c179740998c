"""What the protocol says when it refuses: a stable code, its parameters, and an English sentence.

A refusal or a field problem is a `Text`: a `str` holding the English sentence (so logs, the CLI and
every client that reads English keep working), which also carries the `code` and `params` it was made
from. Readers in another language get the sentence from the message catalogue of the web, looked up by
the English template (`Template.english`) and filled in with the same parameters; a client of the API
gets `code` and `params` to render its own. The code is the contract, not the sentence: rewording a
template is a catalogue change, and the unit test over `TEMPLATES` fails while any code lacks a Dutch
translation.

Every template of the protocol is declared here, once; notifications declares its own in
`notifications.messages` the same way.
"""

from __future__ import annotations

from protocol.errors import Template, Text, joined, templates_of

__all__ = ["Template", "Text", "joined", "templates_of"]  # and the templates below


# ------------------------------------------------------------------ field problems (evidence, reports, forms)

REQUIRED = Template("field.required", "required")
UNKNOWN_FIELD = Template("field.unknown", "unknown field")
ONE_OF_GROUP = Template("field.one-of-group", "give at least one of: %(fields)s")
NUL_CHARACTERS = Template("field.nul", "must not contain NUL characters")
INVALID_UNICODE = Template("field.unicode", "must be valid Unicode text")
NOT_TEXT = Template("field.not-text", "must be text")
TOO_LONG = Template("field.too-long", "at most %(limit)s characters")
TOO_SHORT = Template("field.too-short", "at least %(limit)s characters")
NOT_A_CHOICE = Template("field.choice", "must be one of: %(choices)s")
NOT_AN_ID = Template("field.uuid", "must be an id (UUID)")
NOT_A_MEASURE = Template("field.measure", "must be an Algoritmekader measure id such as owk-02")
NOT_A_WHOLE_NUMBER = Template("field.integer", "must be a whole number")
INTEGER_RANGE = Template("field.integer-range", "must lie between -%(limit)s and %(limit)s")
AT_LEAST = Template("field.minimum", "must be at least %(minimum)s")
AT_MOST = Template("field.maximum", "must be at most %(maximum)s")
NOT_A_BOOLEAN = Template("field.boolean", "must be true or false")
NOT_A_DATE = Template("field.date", "must be a date (YYYY-MM-DD)")
YEAR_RANGE = Template("field.year-range", "must lie between %(earliest)s and %(latest)s")
NOT_A_LIST = Template("field.list", "must be a list")
TOO_FEW_ITEMS = Template("field.min-items", "needs at least %(minimum)s item(s)")
TOO_MANY_ITEMS = Template("field.max-items", "at most %(maximum)s items")
NOT_AN_OBJECT = Template("field.object", "must be an object")
NOT_AN_INSTANT = Template("field.datetime", "must be a date and time (ISO 8601 with time zone)")
NO_TIME_ZONE_EXAMPLE = Template("field.time-zone-example", "needs a time zone, e.g. 2026-03-01T09:30:00+01:00")
NO_TIME_ZONE = Template("field.time-zone", "needs a time zone")
IN_THE_FUTURE = Template("field.future", "lies in the future")
UNKNOWN_CHOICES = Template("field.unknown-choices", "unknown: %(unknown)s; known: %(known)s")

# ------------------------------------------------------------------ refusals of the incident

REPORT_INVALID = Template("incident.report-invalid", "the report is incomplete or invalid")
EVIDENCE_INVALID = Template("evidence.invalid", "the evidence is incomplete or invalid")
EVIDENCE_FUTURE = Template("evidence.future", "the evidence is invalid")
NOTE_INVALID = Template("approval.note-invalid", "the note cannot be recorded")
JUSTIFICATION_INVALID = Template("justification.invalid", "the justification cannot be recorded")
JUSTIFICATION_MISSING = Template("justification.missing", "a written justification is required")
JUSTIFICATION_TOO_LONG = Template("justification.too-long", "the justification is too long")
FOUR_EYES = Template(
    "approval.four-eyes", "four eyes: the approval must come from a different person than the one who asked"
)
FOUR_EYES_ROLE = Template("approval.four-eyes-role", "four eyes: only a coordinator can decide on this request")
APPROVAL_UNKNOWN = Template("approval.unknown", "no approval %(approval_id)s on incident %(reference)s")
APPROVAL_DECIDED = Template("approval.decided", "approval %(approval_id)s is already %(state)s")
CLOSE_STEPS_OPEN = Template("incident.close-steps", "cannot close: steps not completed or waived: %(steps)s")
CLOSE_APPROVAL_PENDING = Template("incident.close-approval", "cannot close: an approval is still pending")
REOPEN_NOT_CLOSED = Template("incident.reopen-not-closed", "only a closed incident can be reopened")
REOPEN_COORDINATOR = Template("incident.reopen-coordinator", "only a coordinator can reopen an incident")
REOPEN_NOT_ENDED = Template("step.reopen-not-ended", "step %(step)s is %(state)s: only an ended step can be reopened")
STEP_UNKNOWN = Template("step.unknown", "no step %(step)s in %(definition)s")
STEP_SYSTEM_COMPLETION = Template(
    "step.system-completion", "step %(step)s completes itself when its work is done; nobody can complete it by hand"
)
WAIVER_PENDING = Template("step.waiver-pending", "a waiver of step %(step)s already waits for approval")
STALE_VERSION = Template(
    "incident.stale", "the incident changed since version %(expected)s; it is now at version %(actual)s"
)
INCIDENT_CLOSED = Template("incident.closed", "incident %(reference)s is closed")
STEP_REQUIRES = Template("step.requires", "step %(step)s requires %(blockers)s to be completed or waived first")
STEP_APPLIES_UNKNOWN = Template(
    "step.applies-unknown", "whether step %(step)s applies is not known yet (%(condition)s)"
)
STEP_DOES_NOT_APPLY = Template("step.does-not-apply", "step %(step)s does not apply to this incident")
WAIVER_NOT_ALLOWED = Template("step.waiver-not-allowed", "step %(step)s cannot be waived")
WAIVER_FORBIDDEN = Template("step.waiver-forbidden", "step %(step)s cannot be waived when %(condition)s")
ILLEGAL_MOVE = Template("step.transition", "step %(step)s is %(state)s: cannot %(action)s")
ILLEGAL_MOVE_POSSIBLE = Template(
    "step.transition-possible", "step %(step)s is %(state)s: cannot %(action)s (possible: %(possible)s)"
)

# ------------------------------------------------------------------ refusals of the services

NO_INCIDENT = Template("incident.unknown", "no incident %(incident_id)s")
NO_ORGANISATION = Template("organisation.unknown", "no organisation %(organisation)s")
NO_USER = Template("user.unknown", "no user %(user)s")
NO_SUCH_USER = Template("user.unknown-anonymous", "no such user")
NO_ACTIVE_USER = Template("user.not-active", "no such active user")
NO_ALGORITHM = Template("algorithm.unknown", "no algorithm %(algorithm_id)s")
NO_DOCUMENT = Template("document.unknown", "no document %(document_id)s on incident %(reference)s")
NO_TOKEN = Template("token.unknown", "no token %(token_id)s")
NO_INVITATION = Template("invitation.unknown", "no invitation %(invitation_id)s")
INVITATION_INVALID = Template("invitation.invalid", "this invitation is not valid (used, expired or unknown)")
NO_EVENT = Template("event.unknown", "no event %(event_id)s")
EVENT_NOT_IN_TREE = Template("event.not-in-tree", "event %(event_id)s is not in the tree of size %(size)s")
NO_CHECKPOINT = Template("checkpoint.unknown", "no checkpoint of tree size %(size)s")
NO_EVENT_YET = Template("incident.no-event", "incident %(incident_id)s has no event in the log yet")
NO_DEFINITION = Template("definition.unknown", "no protocol definition %(definition)s")
PROTOCOL_NOT_REGISTERED = Template("definition.not-registered", "protocol definition %(definition)s is not registered")
DEFAULT_PROTOCOL_MISSING = Template(
    "definition.default-missing", "protocol %(definition)s is not registered; run `herstel db upgrade`"
)
DEFINITION_IMMUTABLE = Template(
    "definition.immutable",
    "%(definition)s is registered already with different content; publish it as a new version",
)
ROLE_NOT_ALLOWED = Template("permission.action", "your role does not allow %(action)s")
NAME_ORGANISATION = Template(
    "permission.organisation", "you act in several organisations: name the organisation for %(action)s"
)
ROUTE_UNDECLARED = Template("permission.route-undeclared", "this route has no declared access")
ADMIN_GRANTS = Template("permission.grant-admin", "only an administrator can grant the %(role)s role")
USERS_INVITED = Template("installation.users-invited", "users are invited, not created")
ROLES_ON_PAGES = Template("installation.roles-on-pages", "signed-in users remove roles through the user pages")
INSTALLATION_LISTS_USERS = Template("installation.list-users", "only the installation lists every user")
INSTALLATION_SWITCHES_ACCOUNTS = Template("installation.switch-accounts", "only the installation switches accounts off")
INSTALLATION_VERIFIES = Template("installation.verify-chains", "only the installation verifies every chain")
APPROVER_TOO_NEW = Template(
    "approval.approver-too-new",
    "four eyes: the approving account was made after the request; it cannot be the second pair of eyes",
)
USER_INVALID = Template("user.invalid", "invalid user")
USER_EXISTS = Template("user.exists", "the user exists already")
OWN_PASSWORD_ONLY = Template("user.own-password", "only the user can change their own password")
NAME_TAKEN = Template("user.name-taken", "a colleague in this organisation has this name already: add an initial")
NOT_AN_EMAIL = Template("user.email", "not an email address")
EMAIL_MIXED_SCRIPTS = Template(
    "user.email-scripts", "mixes letters of different scripts (a look-alike of another address)"
)
EMAIL_INVISIBLE = Template("user.email-invisible", "contains invisible formatting characters")
PASSWORD_INVALID = Template("user.password-invalid", "invalid password")
WRONG_PASSWORD = Template("invitation.wrong-password", "wrong password")
NOT_THIS_PASSWORD = Template("invitation.not-this-password", "not the password of this account")
ROLES_ONE_OR_MORE = Template("field.roles", "one or more of: %(choices)s")
ONE_OF = Template("field.one-of", "one of: %(choices)s")
ROLE_INVALID = Template("user.role-invalid", "invalid role")
LAST_ADMIN = Template(
    "user.last-admin", "the last administrator of an organisation keeps the role until another one has it"
)
INVITATION_INVALID_INPUT = Template("invitation.input-invalid", "invalid invitation")
ORGANISATION_INVALID = Template("organisation.invalid", "invalid organisation")
ORGANISATION_EXISTS = Template("organisation.exists", "organisation %(slug)s exists already")
SLUG_FORMAT = Template("organisation.slug", "lowercase letters, digits and dashes")
PREFIX_FORMAT = Template("organisation.prefix", "2 to 8 capital letters")
ALGORITHM_INVALID = Template("algorithm.invalid", "invalid algorithm")
ALGORITHM_EXISTS = Template("algorithm.exists", "an algorithm named %(name)s exists already")
LARS_INVALID = Template("algorithm.lars", "not a valid LARS code (8 digits, the last a check digit)")
PUBLICATION_CATEGORY = Template(
    "algorithm.publication-category", "one of: A (high-risk AI system), B (impactful algorithm), C (other)"
)
UNKNOWN_ALGORITHM = Template("incident.algorithm-unknown", "unknown algorithm")
ALGORITHM_NOT_YOURS = Template("incident.algorithm-not-yours", "no such algorithm in your organisation")
EVIDENCE_REFERENCES = Template("evidence.references", "the evidence refers to something that does not exist")
DOCUMENT_NOT_HERE = Template("evidence.document", "no such document on this incident")
USER_NOT_HERE = Template("evidence.user", "no such user in this organisation")
USER_LACKS_ROLE = Template("evidence.user-role", "the user does not have the %(role)s role")
DOCUMENT_REFUSED = Template("document.refused", "the document cannot be accepted")
FILE_EMPTY = Template("file.empty", "the file is empty")
CONTENT_MISMATCH = Template("document.content", "the content is not %(content_type)s")
TEXT_NOT_UTF8 = Template("document.utf8", "plain text must be UTF-8")
FILE_TOO_LARGE = Template("file.too-large", "the file is larger than %(limit)s MB")
NO_FILE = Template("upload.no-file", "no file")
NO_FILE_PART = Template("upload.no-file-part", "required: a multipart part named file")
UNKNOWN_ORGANISATION = Template("organisation.unknown-input", "unknown organisation")
ORGANISATION_NOT_YOURS = Template("organisation.not-yours", "no such organisation of yours")
STATE_INVALID = Template("approval.state-invalid", "invalid state")
SORT_INVALID = Template("oversight.sort-invalid", "invalid sort")
PROOF_ORDER = Template("proof.order", "from is larger than to")
PROOF_FROM = Template("proof.from", "must not exceed to (%(size)s)")
SINCE_BEYOND = Template("export.since", "since is beyond the latest signed tree head")
CALCULATION_INVALID = Template("calendar.invalid", "the calculation needs a valid start, period and rule")
HOURS_NEED_MOMENT = Template("calendar.hours-moment", "a period in hours runs from a moment: give a time and a zone")
DAY_OR_MOMENT = Template("calendar.day-or-moment", "must be a day (2026-05-11) or a moment with a zone")
PERIOD_FORMAT = Template(
    "calendar.period",
    "must be an ISO 8601 duration of days, weeks, months or hours: PnD, PnW, PnM or PTnH",
)
PERIOD_RANGE = Template("calendar.period-range", "must be between 1 and %(maximum)s %(unit)s")

JSON_TOO_DEEP = Template("request.json-depth", "the JSON body is nested deeper than %(depth)s levels")
JSON_TOO_DEEP_FIELD = Template("request.json-depth-field", "nested deeper than %(depth)s levels")
UNIT_HOURS = Template("calendar.unit-hours", "the hours rule counts hours: give PTnH")
UNIT_WORKDAYS = Template("calendar.unit-workdays", "the workdays rule counts working days: give PnD")
UNIT_ATW = Template("calendar.unit-atw", "the atw rule counts days, weeks or months: give PnD, PnW or PnM")
UNIT_EU = Template("calendar.unit-eu", "the eu rule counts days, weeks or months: give PnD, PnW or PnM")


# ------------------------------------------------------------------ accounts of missed deadlines

ACCOUNT_INVALID = Template("deadline-account.invalid", "the account is missing or too long")
ACCOUNT_LENGTH = Template("deadline-account.length", "write 1 to %(limit)s characters")
UNKNOWN_DEADLINE = Template("deadline-account.unknown", "unknown deadline")
NO_SUCH_DEADLINE = Template("deadline-account.no-such", "no such deadline on this incident")
DEADLINE_KEPT = Template("deadline-account.kept", "this deadline was not missed: there is nothing to account for")
DEADLINE_ACCOUNTED = Template("deadline-account.done", "this deadline has been accounted for already")


# ------------------------------------------------------------------ owners

OWNER_UNCHANGED = Template("owner.unchanged", "this user owns the incident already")
NOT_STAFF_HERE = Template("owner.not-staff", "not a member of staff here")
MUST_BE_STAFF = Template(
    "owner.must-be-staff", "must be an active officer or coordinator of the incident's organisation"
)


# ------------------------------------------------------------------ the staff inbox

NO_INBOX = Template("inbox.none", "the installation has no inbox")
PREFERENCES_INVALID = Template("inbox.preferences-invalid", "the notification preferences are not valid")
