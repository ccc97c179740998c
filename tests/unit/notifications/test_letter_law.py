"""The law in the letters: neither letter is a decision (Awb 1:3), so neither carries an objection
clause; each offers the routes that do lie open, and the reader's forms offer exactly those.

After a notification: a review of the decisions taken about the reader with the algorithm (the
answer is a decision, open to objection), a complaint (Awb 9:1, handled within 6 weeks, 9:11), a
claim for harm, the Nationale ombudsman and the Autoriteit Persoonsgegevens. After the `unfounded`
letter, its reporter: new facts, a complaint, the ombudsman and the AP; nothing to review.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date

import pytest

from notifications.citizens import REPLIES, reply_kinds
from notifications.letters import IncidentFacts, Recipient, letter_context
from notifications.rendering import RenderedLetter, render_letter
from notifications.tables import LETTER_KINDS, RESPONSE_KINDS

SENT_ON = date(2026, 11, 30)
FACTS = IncidentFacts(
    incident_id=uuid.UUID(int=1),
    reference="HST-2026-00001",
    outcome="established",
    algorithm="Parkeerscan",  # a parking case: no letter may speak of a benefit
    grounds=("nationality",),
    suspended=True,
    suspension_scope="full",
    not_working_since=date(2024, 5, 1),
    investigation="active",
    investigation_due=date(2027, 2, 22),
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

# What each route looks like in each language: a fragment of its text that only it has.
NOT_A_DECISION = {"nl": "Deze brief is geen besluit. U kunt er dus geen bezwaar tegen maken.",
                  "en": "This letter is not a decision. So you cannot object to it (bezwaar)."}  # fmt: skip
REVIEW = {
    "nl": ["Vraag om een nieuwe beoordeling.", "Dat kan ook als die beslissing al oud is.",
           "U krijgt binnen 8 weken een besluit. Tegen dat besluit kunt u wel bezwaar maken."],
    "en": ["Ask for a new review.", "You can do this even if the decision is old.",
           "You will get a decision within 8 weeks. You can object to that decision."],
}  # fmt: skip
OBJECTION_READ_AS_REVIEW = {
    "nl": "Stuurt u ons toch een bezwaar? Dan lezen wij het als een vraag om een nieuwe beoordeling.",
    "en": "Do you send us an objection anyway? Then we will read it as a request for a new review.",
}
COMPLAINT = {"nl": ["Dien een klacht in.", "Wij handelen uw klacht binnen 6 weken af."],
             "en": ["Make a complaint.", "We will handle your complaint within 6 weeks."]}  # fmt: skip
HARM = {"nl": ["Meld schade.", "Wij beslissen binnen 8 weken."],
        "en": ["Report harm.", "We will decide within 8 weeks."]}  # fmt: skip
OMBUDSMAN = {"nl": ["Nationale ombudsman", "www.nationaleombudsman.nl", "0800 33 55 555"],
             "en": ["National Ombudsman", "www.nationaleombudsman.nl", "0800 33 55 555"]}  # fmt: skip
AP = {"nl": ["Autoriteit Persoonsgegevens", "www.autoriteitpersoonsgegevens.nl"],
      "en": ["Autoriteit Persoonsgegevens", "www.autoriteitpersoonsgegevens.nl"]}  # fmt: skip
# An objection clause: a last day, "uiterlijk op", what an objection letter must contain (Awb 6:5).
OBJECTION_CLAUSE = re.compile(
    r"uiterlijk op|no later than|bezwaar maken bij|lodge an objection with|Onderteken|Sign the letter|"
    r"\b(?:11|12) (?:januari|January) 2027"  # six weeks from the day after sending (Awb 6:7, 6:8)
)


def render(kind: str, language: str, facts: IncidentFacts = FACTS, code: str | None = "ABCD2345EFGH6789") -> str:
    letter = _letter(kind, language, facts, code)
    return " ".join(letter.text.split())


def _letter(kind: str, language: str, facts: IncidentFacts, code: str | None = None) -> RenderedLetter:
    context = letter_context(facts, letter_id=uuid.UUID(int=2), language=language, recipient=READER,
                             sent_on=SENT_ON, code=code, base_url="https://x")  # fmt: skip
    return render_letter(kind, language, context)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("outcome", ["established", "suspected"])
def test_the_notification_is_no_decision_and_offers_every_route_that_lies_open(language, outcome):
    text = render("notification", language, replace(FACTS, outcome=outcome))
    assert NOT_A_DECISION[language] in text
    for part in [*REVIEW[language], *COMPLAINT[language], *HARM[language], *OMBUDSMAN[language], *AP[language]]:
        assert part in text, part
    assert OBJECTION_READ_AS_REVIEW[language] in text  # the reading that protects the reader, said in the text
    assert not OBJECTION_CLAUSE.search(text), OBJECTION_CLAUSE.search(text)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_unfounded_letter_offers_complaint_ombudsman_and_ap_but_no_objection_or_review(language):
    text = render("unfounded", language, replace(FACTS, outcome="unfounded"))
    assert NOT_A_DECISION[language] in text
    for part in [*COMPLAINT[language], *OMBUDSMAN[language], *AP[language]]:
        assert part in text, part
    for part in [*REVIEW[language], *HARM[language]]:
        assert part not in text, part
    assert not OBJECTION_CLAUSE.search(text), OBJECTION_CLAUSE.search(text)


@pytest.mark.parametrize(
    ("language", "outcome", "subject", "body"),
    [
        ("nl", "established", "Ons computerprogramma heeft mensen ongelijk behandeld", "Wij weten nu dat"),
        ("nl", "suspected", "Ons computerprogramma heeft mensen misschien ongelijk behandeld", "Het kan zijn dat"),
        ("en", "established", "Our computer program treated people unequally", "We now know that"),
        ("en", "suspected", "Our computer program may have treated people unequally", "The program may have"),
    ],
)
def test_the_subject_says_what_the_body_says(language, outcome, subject, body):
    letter = _letter("notification", language, replace(FACTS, outcome=outcome))
    assert letter.subject == subject
    assert body in " ".join(letter.text.split())
    hedges = {"nl": ("misschien", "mogelijk"), "en": ("may ", "possibly")}[language]
    assert any(h in letter.subject for h in hedges) == (outcome == "suspected")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_letter_assumes_what_the_algorithm_decides_about(language):
    """A parking case was told about a lower benefit: the example of a consequence is neutral."""
    for kind, outcome in (("notification", "established"), ("notification", "suspected"), ("unfounded", "unfounded")):
        text = render(kind, language, replace(FACTS, outcome=outcome)).lower()
        for word in ("uitkering", "toeslag", "benefit", "controleren", "gecontroleerd", "checked more"):
            assert word not in text, (kind, outcome, word)


def test_the_forms_offer_exactly_the_routes_the_letters_name():
    assert set(REPLIES) == set(LETTER_KINDS)
    assert reply_kinds("notification") == ("question", "review", "complaint", "harm")
    assert reply_kinds("unfounded") == ("question", "complaint")
    assert all(set(kinds) <= set(RESPONSE_KINDS) for kinds in REPLIES.values())
    # only a decision on a review request opens an objection; the decision on an objection points to court
    assert [kind for kind, kinds in REPLIES.items() if "objection" in kinds] == ["decision-review"]
    assert reply_kinds("decision-review") == ("question", "objection", "complaint")
    assert reply_kinds("decision-objection") == ("question", "complaint")
    assert "objection" in RESPONSE_KINDS
    assert reply_kinds("a letter kind nobody knows") == ("question", "complaint")  # a complaint always lies open
