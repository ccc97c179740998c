"""What a staff notification says, in Dutch and English: one text for the inbox page and the mail.

The inbox page and the mail call the same function, so a notification never reads one way on
screen and another in the mail. Titles of steps and deadlines come from the protocol definition
(stored on the notification in both languages when it is made); nothing here is a raw key.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocol.calendar import LEGAL_TIMEZONE, local_date, long_date

LANGUAGES = ("nl", "en")


# one headline and one sentence per kind; {reference}, {title}, {rule}, {step}, {due}, {what} filled in
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "deadline_approaching": {
        "nl": ("Termijn loopt bijna af", "De termijn ‘{rule}’ van {reference} loopt af op {due}."),
        "en": ("Deadline approaching", "The deadline ‘{rule}’ of {reference} ends on {due}."),
    },
    "deadline_missed": {
        "nl": (
            "Termijn verstreken",
            "De termijn ‘{rule}’ van {reference} is verstreken op {due}. "
            "Zorg dat de stap zo snel mogelijk wordt afgerond.",
        ),
        "en": (
            "Deadline missed",
            "The deadline ‘{rule}’ of {reference} passed on {due}. See that the step is completed as soon as possible.",
        ),
    },
    "approval_waiting": {
        "nl": (
            "Uw goedkeuring wordt gevraagd",
            "Een collega vraagt uw tweede handtekening om de stap ‘{step}’ van {reference} over te slaan.",
        ),
        "en": (
            "Your approval is waiting",
            "A colleague asks for your second signature to waive the step ‘{step}’ of {reference}.",
        ),
    },
    "citizen_responded": {
        "nl": ("Reactie van een betrokkene", "Een betrokkene heeft gereageerd op {reference}: {what}."),
        "en": ("A citizen responded", "An affected person responded about {reference}: {what}."),
    },
    "investigation_reported": {
        "nl": (
            "Onderzoeksrapport ontvangen",
            "Het onafhankelijk onderzoek van {reference} is afgerond en het rapport is toegevoegd. Conclusie: {what}.",
        ),
        "en": (
            "Investigation report received",
            "The independent investigation of {reference} is complete and its report was added. Conclusion: {what}.",
        ),
    },
}

WHAT = {
    "nl": {
        "question": "een vraag",
        "review": "een verzoek om nieuwe beoordeling",
        "objection": "een bezwaar",
        "complaint": "een klacht",
        "harm": "een melding van schade",
        "established": "discriminatie vastgesteld",
        "not_established": "discriminatie niet vastgesteld",
        "inconclusive": "geen eenduidige conclusie",
    },
    "en": {
        "question": "a question",
        "review": "a request for review",
        "objection": "an objection",
        "complaint": "a complaint",
        "harm": "a report of harm",
        "established": "discrimination established",
        "not_established": "discrimination not established",
        "inconclusive": "no clear conclusion",
    },
}

UNKNOWN = {"nl": "onbekend", "en": "unknown"}

MAIL = {
    "nl": {
        "open": "Bekijken: {link}",
        "footer": (
            "U ontvangt dit bericht van Herstel omdat u bij dit incident betrokken bent. "
            "In Herstel kiest u onder ‘Meldingen’ of u elk bericht apart wilt ontvangen of één overzicht per dag."
        ),
        "digest_subject": "Herstel: uw meldingen van {day} ({count})",
        "digest_intro": "Dit zijn uw meldingen in Herstel sinds het vorige overzicht:",
        "inbox": "Alle meldingen: {link}",
    },
    "en": {
        "open": "Open: {link}",
        "footer": (
            "You receive this message from Herstel because you are involved in this incident. "
            "In Herstel, under ‘Notifications’, you choose between a mail for each notification and one summary a day."
        ),
        "digest_subject": "Herstel: your notifications of {day} ({count})",
        "digest_intro": "These are your notifications in Herstel since the last summary:",
        "inbox": "All notifications: {link}",
    },
}


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "nl"


def long_moment(moment: datetime, language: str) -> str:
    """``11 december 2026, 17:00`` in Dutch legal time: as an officer reads a deadline."""
    local = moment.astimezone(LEGAL_TIMEZONE)
    return f"{long_date(local.date(), language)}, {local:%H:%M}"


def long_day(moment: datetime, language: str) -> str:
    return long_date(local_date(moment), language)


def _title(titles: Any, language: str) -> str:
    if isinstance(titles, Mapping):
        return str(titles.get(language) or titles.get("nl") or titles.get("en") or UNKNOWN[language])
    return UNKNOWN[language]


def describe(kind: str, details: Mapping[str, Any], *, reference: str, language: str) -> tuple[str, str]:
    """The headline and sentence of one notification in `language` (Dutch when unknown)."""
    language = language_of(language)
    headline, sentence = TEXTS.get(kind, TEXTS["deadline_missed"])[language]
    due = details.get("due_at")
    values = {
        "reference": reference,
        "rule": _title(details.get("rule_title"), language),
        "step": _title(details.get("step_title"), language),
        "due": long_moment(datetime.fromisoformat(str(due).replace("Z", "+00:00")), language) if due else "",
        "what": WHAT[language].get(str(details.get("what")), UNKNOWN[language]),
    }
    return headline, sentence.format(**values)


@dataclass(frozen=True)
class NotificationLine:
    """One notification as a mail lists it."""

    kind: str
    details: Mapping[str, Any]
    reference: str
    title: str
    link: str
    created_at: datetime


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str
    html: str


def _html(paragraphs: Sequence[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'


def single_mail(line: NotificationLine, *, language: str) -> MailText:
    """The mail for one notification."""
    language = language_of(language)
    headline, sentence = describe(line.kind, line.details, reference=line.reference, language=language)
    paragraphs = [sentence, f"{line.reference} — {line.title}", MAIL[language]["open"].format(link=line.link)]
    footer = MAIL[language]["footer"]
    text = "\n\n".join([*paragraphs, "-- ", footer]) + "\n"
    return MailText(f"Herstel: {headline} ({line.reference})", text, _html([*paragraphs, footer]))


def digest_mail(lines: Sequence[NotificationLine], *, language: str, day: datetime, inbox_link: str) -> MailText:
    """The day's summary: every notification no mail has carried yet, oldest first."""
    language = language_of(language)
    words = MAIL[language]
    items = []
    for line in lines:
        headline, sentence = describe(line.kind, line.details, reference=line.reference, language=language)
        items.append(f"{long_moment(line.created_at, language)} · {headline}\n{sentence}\n{line.link}")
    paragraphs = [words["digest_intro"], *items, words["inbox"].format(link=inbox_link)]
    text = "\n\n".join([*paragraphs, "-- ", words["footer"]]) + "\n"
    subject = words["digest_subject"].format(day=long_day(day, language), count=len(lines))
    return MailText(subject, text, _html([*paragraphs, words["footer"]]))
