"""The words of the letters, persons and citizens' pages, in the page's language (B1 for citizens)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from web.pages.text import _

RESPONSE_KINDS_TEXT: Mapping[str, object] = {
    "question": _l("Ask a question"),
    "review": _l("Ask us to review a decision about you"),
    # offered only against a decision letter (notifications.citizens.REPLIES); kept for stored objections
    "objection": _l("Object to the decision (bezwaar)"),
    "complaint": _l("Make a complaint"),
    "harm": _l("Report harm you suffered"),
}
RESPONSE_HINTS: Mapping[str, object] = {
    "question": _l("You want to know more. We answer as soon as we can."),
    "review": _l(
        "You think a decision we took about you with this program is wrong. You get a decision within 8 weeks."
        " You can object to that decision."
    ),
    "objection": _l("You do not agree with a decision about you. We must decide on it within 6 weeks."),
    "complaint": _l("You are not happy with how we treated you. We answer within 6 weeks."),
    "harm": _l("You lost money or suffered in another way. We decide on it within 8 weeks."),
}
RESPONSE_NAMES: Mapping[str, object] = {
    "question": _l("Question"),
    "review": _l("Review request"),
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
    "decision-review": _l("Decision on a review request"),
    "decision-objection": _l("Decision on an objection"),
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


# Who answered a citizen on behalf of the organisation: a role, never a person's name.
ANSWER_ROLES: Mapping[str, object] = {
    "officer": _l("an incident officer"),
    "coordinator": _l("a coordinator"),
    "staff": _l("a staff member"),
}
