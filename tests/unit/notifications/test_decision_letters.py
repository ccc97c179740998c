"""The law in the decision letters: the outcome in words, the officer's reasons as values, and the
remedies clause of Awb 3:45 with its last day on the Atw calendar.

A decision on a review request is open to objection (Awb 7:1): to the organisation, within six weeks
from the day after sending (6:7, 6:8), with what an objection contains (6:5) and the hearing (7:2).
A decision on an objection is open to appeal at the administrative court within six weeks (8:1, 6:7),
with the court fee named but not its amount.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from notifications.decision_letters import Decision, decision_context, remedy_last_day
from notifications.letters import IncidentFacts, Recipient, letter_context
from notifications.rendering import render_letter
from protocol.calendar import LEGAL_TIMEZONE
from protocol.calendars import load_calendar

ATW = load_calendar("nl-atw")
FACTS = IncidentFacts(
    incident_id=uuid.UUID(int=1),
    reference="HST-2026-00001",
    outcome="established",
    algorithm="Parkeerscan",
    grounds=(),
    suspended=True,
    suspension_scope="full",
    not_working_since=None,
    investigation="active",
    investigation_due=None,
    sender={
        "name": "Gemeente Voorbeeldstad",
        "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
        "phone": "14 020",
        "email": "",
        "website": "",
        "signatory": "Het college",
    },
)
READER = Recipient(name="Zoë Öztürk", address=None, email="zoe@example.nl")
# Sent on Friday 13 November 2026: the six weeks run from Saturday 14 November and end on Friday
# 25 December, Christmas Day (Atw art. 3); Saturday 26 December is Boxing Day, then Sunday 27: the
# period runs to Monday 28 December 2026 (Atw art. 1). Written by hand, not computed.
SENT_AT = datetime(2026, 11, 13, 10, 30, tzinfo=LEGAL_TIMEZONE)
LAST_DAY = {"nl": "28 december 2026", "en": "28 December 2026"}
REASONS = "Het programma **speelde** geen rol.\n\n!code 0000-0000-0000-0000\n# Nep"


def letter(kind: str, outcome: str, language: str, *, code: str | None = "ABCD2345EFGH6789") -> str:
    context = letter_context(FACTS, letter_id=uuid.UUID(int=2), language=language, recipient=READER,
                             sent_on=SENT_AT.date(), code=code, base_url="https://x")  # fmt: skip
    response = "review" if kind == "decision-review" else "objection"
    decision = Decision(uuid.UUID(int=3), response, outcome, REASONS, date(2026, 10, 1))
    context |= decision_context(decision, language=language, last_day=remedy_last_day(ATW, SENT_AT))
    rendered = render_letter(kind, language, context)
    return " ".join(rendered.text.split())


def test_the_last_day_is_six_weeks_from_the_day_after_sending_past_christmas_and_a_weekend():
    assert remedy_last_day(ATW, SENT_AT) == date(2026, 12, 28)
    # sent late on the evening of the 13th (local time), it is still the 13th: the same last day
    assert remedy_last_day(ATW, datetime(2026, 11, 13, 23, 59, tzinfo=LEGAL_TIMEZONE)) == date(2026, 12, 28)
    # an ordinary week: sent on Monday 2 November 2026, the last day is Monday 14 December
    assert remedy_last_day(ATW, datetime(2026, 11, 2, 9, tzinfo=LEGAL_TIMEZONE)) == date(2026, 12, 14)


REVIEW_CLAUSE = {
    "nl": [
        "Dan kunt u bezwaar maken. Dat moet binnen 6 weken. Die tijd begint op de dag na 13 november 2026, de "
        "datum van deze brief.",
        f"Uw bezwaar moet uiterlijk {LAST_DAY['nl']} bij ons zijn.",
        "Schrijf aan Gemeente Voorbeeldstad, Postbus 1234, 1000 AB Voorbeeldstad.",
        "uw naam en adres; - de datum; - het kenmerk van dit besluit: HST-2026-00001-00000000; "
        "- waarom u het niet eens bent met dit besluit; - uw handtekening.",
        "Online kan het op https://x/citizen.",
        "Voordat wij over uw bezwaar beslissen, nodigen wij u uit voor een gesprek.",
        # where the law is unclear, the protective reading, said: a late objection is still read
        "Stuur uw bezwaar dan toch. Schrijf erbij waarom het later is.",
        "Dan is het ook op tijd als u het voor het einde van die dag verstuurt en wij het binnen een week "
        "daarna krijgen.",
    ],
    "en": [
        "Then you can lodge an objection. You have 6 weeks to do so. The period starts on the day after "
        "13 November 2026, the date of this letter.",
        f"Your objection must reach us by {LAST_DAY['en']} at the latest.",
        "You can also write to Gemeente Voorbeeldstad, Postbus 1234, 1000 AB Voorbeeldstad.",
        "your name and address; - the date; - the reference of this decision: HST-2026-00001-00000000; "
        "- why you disagree with this decision; - your signature.",
        "Online at https://x/citizen.",
        "Before we decide on your objection, we will invite you to a hearing.",
        "Send your objection anyway and say why it is late.",
        "it is also on time if you send it before the end of that day and it reaches us within a week after.",
    ],
}
APPEAL_CLAUSE = {
    "nl": [
        "Dan kunt u naar de rechter. Dat heet beroep. U kunt niet nog eens bezwaar maken bij ons.",
        "Stuur uw beroep naar de rechtbank, naar de afdeling bestuursrecht.",
        "Die tijd begint op de dag na 13 november 2026, de datum van deze brief.",
        f"Uw beroep moet uiterlijk {LAST_DAY['nl']} bij de rechtbank zijn.",
        "dat het gaat om dit besluit van Gemeente Voorbeeldstad, met kenmerk HST-2026-00001-00000000;",
        "Voor een beroep betaalt u griffierecht. Dat is een vast bedrag. De rechtbank laat u weten hoeveel het is.",
    ],
    "en": [
        "Then you can go to court. This is called an appeal (beroep). You cannot object to us again.",
        "Send your appeal to the district court (rechtbank), administrative law section.",
        "The period starts on the day after 13 November 2026, the date of this letter.",
        f"Your appeal must reach the court by {LAST_DAY['en']} at the latest.",
        "that it concerns this decision of Gemeente Voorbeeldstad, reference HST-2026-00001-00000000;",
        "An appeal costs a court fee (griffierecht). It is a fixed amount. The court will tell you how much.",
    ],
}
OUTCOMES = {
    ("decision-review", "nl"): {"granted": "Wij geven u gelijk.", "partly_granted": "Wij geven u voor een deel gelijk.",
                                "refused": "Wij geven u geen gelijk."},
    ("decision-review", "en"): {"granted": "We agree with you.", "partly_granted": "We agree with you in part.",
                                "refused": "We do not agree with you."},
    ("decision-objection", "nl"): {"upheld": "Uw bezwaar is gegrond.", "partly_upheld": "voor een deel gegrond",
                                   "dismissed": "Uw bezwaar is ongegrond."},
    ("decision-objection", "en"): {"upheld": "Your objection is upheld.", "partly_upheld": "partly upheld",
                                   "dismissed": "Your objection is dismissed."},
}  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("outcome", ["granted", "partly_granted", "refused"])
def test_a_decision_on_review_opens_an_objection_with_its_clause_and_last_day(language, outcome):
    text = letter("decision-review", outcome, language)
    for fragment in REVIEW_CLAUSE[language]:
        assert fragment in text, fragment
    assert OUTCOMES[("decision-review", language)][outcome] in text
    assert "griffierecht" not in text
    assert "rechtbank" not in text


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("outcome", ["upheld", "partly_upheld", "dismissed"])
def test_a_decision_on_objection_points_to_the_court_not_to_another_objection(language, outcome):
    text = letter("decision-objection", outcome, language)
    for fragment in APPEAL_CLAUSE[language]:
        assert fragment in text, fragment
    assert OUTCOMES[("decision-objection", language)][outcome] in text
    assert "€" not in text
    assert "euro" not in text.lower()
    assert ("Kies dan" if language == "nl" else "Then choose") not in text  # no objection form to choose


@pytest.mark.parametrize("kind", ["decision-review", "decision-objection"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_officers_reasons_are_quoted_as_values_never_as_markup(kind, language):
    outcome = "refused" if kind == "decision-review" else "dismissed"
    context = letter_context(FACTS, letter_id=uuid.UUID(int=2), language=language, recipient=READER,
                             sent_on=SENT_AT.date(), code="ABCD2345EFGH6789", base_url="https://x")  # fmt: skip
    decision = Decision(uuid.UUID(int=3), kind.removeprefix("decision-"), outcome, REASONS, date(2026, 10, 1))
    context |= decision_context(decision, language=language, last_day=date(2026, 12, 28))
    rendered = render_letter(kind, language, context)
    codes = [b.plain for b in rendered.blocks if b.kind == "code"]
    assert codes == ["ABCD-2345-EFGH-6789"]  # the reasons' "!code" line is text, not a second code
    assert [b.plain for b in rendered.blocks if b.kind == "title"] == [rendered.subject]
    plain = [b for b in rendered.blocks if "speelde" in b.plain]
    assert plain
    assert plain[0].runs == ((False, "Het programma **speelde** geen rol."),)
    assert any(b.plain == "!code 0000-0000-0000-0000 # Nep" for b in rendered.blocks)  # a paragraph of its own
