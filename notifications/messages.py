"""What notifications says when it refuses, as codes with parameters (see `protocol.messages`).

The persons file's row problems, the reporter's contact, the citizen's response form and the letters'
refusals. The English sentence is what the API shows by default; other languages come from the web's
message catalogue, keyed by the code.
"""

from __future__ import annotations

from notifications.model import LETTER_TRANSITION, LETTER_TRANSITION_POSSIBLE
from protocol.messages import Template

__all__ = ["LETTER_TRANSITION", "LETTER_TRANSITION_POSSIBLE"]  # declared by the letter model; and the templates below

# ------------------------------------------------------------------ the persons file (CSV import)

FILE_REFUSED = Template("persons-file.refused", "the file was refused: %(reason)s")
FILE_PROBLEMS = Template(
    "persons-file.problems", "the file was refused: %(total)s problem(s); fix them and upload the whole file again"
)
FILE_HEADER_REFUSED = Template(
    "persons-file.header-refused", "the file was refused: its header does not name the columns needed"
)
FILE_SUMMARY = Template("persons-file.summary", "%(total)s problem(s) found; nothing was imported")
FILE_SUMMARY_FIRST = Template(
    "persons-file.summary-first", "%(total)s problem(s) found; nothing was imported (the first %(shown)s are listed)"
)
FILE_UTF16 = Template("persons-file.utf16", "the file is UTF-16; save it as CSV UTF-8 or as CSV (Windows)")
FILE_BAD_UTF8 = Template("persons-file.bad-utf8", "the file starts as UTF-8 but byte %(byte)s is not UTF-8")
FILE_ENCODING = Template("persons-file.encoding", "the file is neither UTF-8 nor Windows-1252 (byte %(byte)s)")
FILE_ONE_COLUMN = Template("persons-file.one-column", "the header has a single column; separate columns with ; or ,")
FILE_NOT_CSV = Template("persons-file.not-csv", "not readable as CSV: %(error)s")
FILE_NO_HEADER = Template("persons-file.no-header", "the file has no header row")
FILE_NO_PERSONS = Template("persons-file.no-persons", "the file has a header but no persons")
COLUMN_REPEATED = Template("persons-file.column-repeated", "column %(header)s repeats the %(column)s column")
COLUMN_MISSING = Template("persons-file.column-missing", "column missing: expected a header %(expected)s")
ROW_TOO_WIDE = Template(
    "persons-file.row-too-wide",
    "more values than the header's %(width)s columns: is a value with a delimiter not quoted?",
)
CONTROL_CHARACTERS = Template("persons-file.control-characters", "contains control characters")
HOUSE_NUMBER = Template("person.house-number", "must start with a number, e.g. 12, 12A or 12-2")
ADDRESS_NO_NUMBER = Template(
    "address.no-number",
    "no house number after the street: write the address as, e.g., Dorpsstraat 12 A, or give a huisnummer column",
)
ADDRESS_NO_STREET = Template("address.no-street", "no street name before the house number")
ADDRESS_NUMBER_RANGE = Template(
    "address.number-range", "the house number must be 1 to %(maximum)s, without a leading zero (BAG)"
)
ADDRESS_SUFFIX = Template(
    "address.suffix",
    "after the house number only one letter and an addition of at most %(limit)s letters or digits may follow"
    " (BAG), e.g. 12 A, 12-bis or 12 A-2",
)
ADDRESS_RANGE = Template(
    "address.range", "a range or list of house numbers (such as 2 t/m 4) is more than one address: give one address"
)
ADDRESS_AMBIGUOUS = Template(
    "address.ambiguous",
    "reads two ways: the street may end in a number, or the house number may have an addition;"
    " write the addition with a dash (12-2) or give a huisnummer column",
)
ADDRESS_TWO_ADDITIONS = Template(
    "address.two-additions", "the address already has an addition after its number, and it differs from this column"
)
POSTCODE = Template("person.postcode", "not a Dutch postcode such as 1234 AB")
LANGUAGE = Template("person.language", "must be nl or en")
CONSENT = Template("person.consent", "must be ja or nee (yes or no)")
BSN_ELEVEN_TEST = Template("person.bsn-eleven-test", "not a valid BSN: the eleven-test fails")
BSN_DIGITS = Template("person.bsn-digits", "not a valid BSN: it must be 9 digits")
EMAIL_NOT_VALID = Template("person.email", "not a valid email address")
EMAIL_LOCAL_NOT_ASCII = Template(
    "person.email-local-ascii", "the part before the @ may hold only ASCII characters (no accents)"
)
EMAIL_DOMAIN_NOT_IDNA = Template("person.email-domain", "the part after the @ is not a valid internet domain name")
DECISION_DATE = Template("decision-column.date", "not a date: write it as 15-03-2024 (day first) or 2024-03-15")
DECISION_NO_SUCH_DAY = Template("decision-column.no-such-day", "no such day in the calendar")
DECISION_DATE_RANGE = Template(
    "decision-column.date-range", "a decision already made: a date from %(earliest)s up to today"
)
DECISION_CONFLICT = Template(
    "decision-column.conflict",
    "an earlier row for this BSN gives decision reference %(reference)s another date or subject",
)
DECISION_TOO_MANY = Template(
    "decision-column.too-many", "more than %(limit)s decisions for one person: is the file joined twice?"
)
FILE_TOO_LARGE = Template(
    "upload.too-large", "the file is %(size)s bytes; the limit is %(limit)s bytes (HERSTEL_MAX_BODY_BYTES)"
)

BSN_SEARCH_INVALID = Template("person.bsn-search", "search by a whole BSN (9 digits)")
PERSON_UNKNOWN = Template("person.unknown", "no such person in this incident")

# ------------------------------------------------------------------ the reporter's contact

NAME_REQUIRED = Template("person.name", "required, at most 200 characters")
ADDRESS_OR_EMAIL = Template(
    "person.address-or-email", "give a postal address, or an email address with consent to electronic delivery"
)
CONTACT_INVALID = Template("person.contact-invalid", "the reporter's contact details are incomplete or invalid")

# ------------------------------------------------------------------ citizens: access, responses, answers

ACCESS_DENIED = Template("citizen.access-denied", "this code or session does not give access")
RESPONSE_KIND = Template("citizen.response-kind", "choose what you want to do: one of %(choices)s")
RESPONSE_TEXT_REQUIRED = Template("citizen.response-text-required", "write your message")
RESPONSE_TEXT_TOO_LONG = Template(
    "citizen.response-text-too-long", "the message is too long: at most %(limit)s characters"
)
RESPONSE_INCOMPLETE = Template("citizen.response-incomplete", "the response is incomplete")
ANSWER_LENGTH = Template("response.answer-length", "1 to %(limit)s characters")
ANSWER_INVALID = Template("response.answer-invalid", "the answer is missing or too long")
RESPONSE_UNKNOWN = Template("response.unknown", "unknown response")
RESPONSE_NOT_HERE = Template("response.not-here", "no such response on this incident")
RESPONSE_ANSWERED = Template("response.answered", "this response has been answered already")
RESPONSE_NEEDS_DECISION = Template(
    "response.needs-decision", "a review request is met by a decision with reasons, not by a plain answer"
)
ATTACHMENT_PROBLEM = Template("citizen.attachment", "file %(name)s: %(problem)s")
ATTACHMENTS_TOO_MANY = Template("citizen.attachments-too-many", "at most %(limit)s files")
ATTACHMENT_UNKNOWN = Template("response.attachment-unknown", "no such attachment on this response")

# ------------------------------------------------------------------ letters and their channels

LETTER_KIND_UNKNOWN = Template("letter.kind-unknown", "unknown letter kind")
LETTER_NOT_FOR_UNFOUNDED = Template(
    "letter.not-for-unfounded",
    "the assessment found the signal unfounded: send the 'unfounded' letter to the reporter",
)
LETTER_ONLY_FOR_UNFOUNDED = Template(
    "letter.only-for-unfounded", "the 'unfounded' letter is only for an unfounded signal"
)
NO_AFFECTED_PERSONS = Template("letter.no-affected", "nobody to write to: import the affected persons first")
NO_REPORTER_CONTACT = Template("letter.no-reporter", "nobody to write to: record the reporter's contact first")
CAMPAIGN_COUNT_CHANGED = Template(
    "campaign.count-changed",
    "you confirmed %(expected)s letter(s), but the campaign would now write %(letters)s:"
    " persons were imported or letters sent meanwhile; look at the new number and confirm again",
)
PERSON_NOT_HERE = Template("letter.person-not-here", "no such person among this letter's readers on this incident")
LETTER_NOT_HERE = Template("letter.not-here", "no such letter on this incident")
SENDER_INVALID = Template("letter.sender-invalid", "the sender details are invalid")
LOGO_TOO_LARGE = Template("logo.too-large", "the logo is larger than %(limit)s KiB")
LOGO_NOT_IMAGE = Template("logo.not-image", "the logo is not a PNG or JPEG image")
LOGO_DIMENSIONS = Template("logo.dimensions", "the logo is larger than %(limit)s pixels on a side")
PHONE_FORMAT = Template("letterhead.phone", "a phone number: digits, spaces, +, - and brackets")
EMAIL_FORMAT = Template("letterhead.email", "an e-mail address such as info@example.nl")
ADDRESS_LINES = Template("letterhead.address-lines", "at most %(limit)s lines")
# a campaign needs a way back for the reader: where to send an objection (Awb 6:5) and whom to call
CAMPAIGN_NO_ADDRESS_PHONE = Template(
    "campaign.letterhead-address-phone",
    "the letterhead has no postal address and no phone number: the reader could not write or call;"
    " an administrator sets them on the letterhead page",
)
CAMPAIGN_NO_ADDRESS = Template(
    "campaign.letterhead-address",
    "the letterhead has no postal address: the reader could not send an objection by post;"
    " an administrator sets it on the letterhead page",
)
CAMPAIGN_NO_PHONE = Template(
    "campaign.letterhead-phone",
    "the letterhead has no phone number: the reader could not call with a question;"
    " an administrator sets it on the letterhead page",
)
NO_SMTP = Template("channel.no-smtp", "no SMTP server is configured (HERSTEL_SMTP_HOST)")
NO_BERICHTENBOX = Template(
    "channel.no-berichtenbox",
    "MijnOverheid Berichtenbox is not connected in this installation (no Logius endpoint or "
    "agreement); letters go by email with consent, otherwise by post",
)
NO_CHANNEL = Template("channel.unknown", "no channel %(channel)s")

NO_LETTERS_STEP = Template(
    "campaign.no-letters-step",
    "protocol %(protocol)s names no step that letters complete"
    " (a step with completion = 'system' and citizen role 'letters')",
)


# ------------------------------------------------------------------ assigning and deciding citizens' responses

DECISION_REASONS_REQUIRED = Template(
    "decision.reasons-required", "required: a decision states its reasons (Awb 3:46, 7:12)"
)
DECISION_INCOMPLETE = Template("decision.incomplete", "the decision is incomplete")
ASSIGNEE_UNCHANGED = Template("response.assignee-unchanged", "this response is assigned to this user already")
DECISION_OBJECTION_ONLY = Template(
    "decision.objection-only",
    "only a review request or an objection is decided on; this is a %(kind)s: answer it instead",
)
OBJECTION_DECIDED = Template("decision.done", "this has been decided already")
