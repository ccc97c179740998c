"""The words of the letters, persons and citizens' pages, in the page's language (B1 for citizens)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask_babel import lazy_gettext as _l

from web.pages.text import _, field_message

RESPONSE_KINDS_TEXT: Mapping[str, object] = {
    "question": _l("Ask a question"),
    "objection": _l("Object to the decision (bezwaar)"),
    "complaint": _l("Make a complaint"),
    "harm": _l("Report harm you suffered"),
}
RESPONSE_HINTS: Mapping[str, object] = {
    "question": _l("You want to know more. We answer as soon as we can."),
    "objection": _l("You do not agree with a decision about you. We must decide on it within 6 weeks."),
    "complaint": _l("You are not happy with how we treated you. We answer within 6 weeks."),
    "harm": _l("You lost money or suffered in another way. We decide on it within 8 weeks."),
}
RESPONSE_NAMES: Mapping[str, object] = {
    "question": _l("Question"),
    "objection": _l("Objection"),
    "complaint": _l("Complaint"),
    "harm": _l("Harm report"),
}
LETTER_STATUSES: Mapping[str, object] = {
    "queued": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}
CHANNELS: Mapping[str, object] = {
    "email": _l("Email"),
    "post": _l("Post"),
    "berichtenbox": _l("MijnOverheid Berichtenbox"),
}
LETTER_KINDS_TEXT: Mapping[str, object] = {
    "notification": _l("Letter to the affected persons"),
    "unfounded": _l("Letter to the reporter: the signal was unfounded"),
}


def citizen_step_text(state: str, day: str | None) -> str:
    """Where a step stands, in one plain sentence."""
    if state == "completed":
        return _("Done on %(day)s.", day=day) if day else _("Done.")
    if state == "active":
        return _("We are working on this now.")
    if state == "waived":
        return _("We skipped this step, for a reason we have recorded.")
    if state == "not_applicable":
        return _("This step was not needed after the assessment.")
    return _("Not started yet.")


def citizen_message(field: str, message: str) -> str:
    """A validation message of the response form, in plain words."""
    if field == "kind":
        return _("Choose what you want to do.")
    if message == "required":
        return _("Write your message.")
    if message.startswith("at most"):
        return _("Your message is too long. Use at most 10,000 characters.")
    return message


# The persons file's row messages (notifications' CSV reader speaks English), in the page's language.
_ROW_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^not a valid BSN: the eleven-test fails$"), lambda m: _("Not a valid BSN: the eleven-test fails.")),
    (re.compile(r"^not a valid BSN: it must be 9 digits$"), lambda m: _("Not a valid BSN: it must have 9 digits.")),
    (re.compile(r"^not a Dutch postcode"), lambda m: _("Not a Dutch postcode such as 1234 AB.")),
    (
        re.compile(r"^must start with a number"),
        lambda m: _("A house number starts with a number, e.g. 12, 12A or 12-2."),
    ),
    (re.compile(r"^not a valid email address$"), lambda m: _("Not a valid email address.")),
    (
        re.compile(r"^the part before the @ may hold only ASCII"),
        lambda m: _(
            "Not a usable email address: the part before the @ may not contain accents or other special letters."
        ),
    ),
    (
        re.compile(r"^the part after the @ is not a valid internet domain"),
        lambda m: _("Not a usable email address: the part after the @ is not a valid domain name."),
    ),
    (re.compile(r"^must be nl or en$"), lambda m: _("Write nl or en.")),
    (re.compile(r"^must be ja or nee"), lambda m: _("Write ja or nee (yes or no).")),
    (re.compile(r"^contains control characters$"), lambda m: _("Contains characters that are not text.")),
    (re.compile(r"^column missing: expected a header (.*)$"), lambda m: _("Column missing: %(names)s.", names=m[1])),
    (
        re.compile(r"^more values than the header"),
        lambda m: _("More values than columns: is a value with a ; or , not quoted?"),
    ),
)


def row_message(message: str) -> str:
    """A problem in a row of the persons file, in the page's language (unknown ones as they are)."""
    for pattern, translate in _ROW_MESSAGES:
        match = pattern.search(message)
        if match:
            return translate(match)
    return field_message(message)
