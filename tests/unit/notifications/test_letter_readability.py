"""Every Dutch letter a reader can receive is easy to read: Flesch-Douma at least 65 and at most
450 words in its body, over every variant the templates can produce.

Flesch-Douma is Flesch's reading ease with Douma's (1960) coefficients for Dutch,
206.835 - 0.93 x words per sentence - 77 x syllables per word, which is what textstat computes for
`flesch_reading_ease` once `set_lang("nl")` is called (its syllables come from pyphen's Dutch
hyphenation dictionary). 65 and up reads as "fairly easy" on Douma's scale, where B1 ("Direct
Duidelijk") letters land; 450 words is about one and a half printed pages.

A variant is a letter kind x outcome x channel (email and post carry the code; the copy a reader
sees on /citizen of a letter sent before copies were kept has none) x a short and a long algorithm
name x the step states and facts that change the text (suspension, investigation, the date the
program stopped working, protected grounds, a sender with or without postal address and phone) x
the decisions the persons file named for the reader (none, one, three). Without decisions, the
letter gives an example of a consequence from the algorithm's domain (notifications.consequences):
every domain is rendered with both outcomes and names, every step state and both senders (the
channel and grounds fixed at post and three grounds: the example sentence does not depend on them).
A decision letter (`decision-review`, `decision-objection`) varies by its outcome, the channel, the
sender and the officer's reasons (a short and a long one, written as an officer would); its
remedies clause is measured with the rest.

The body is what follows the subject. Each block is a unit to the reader, so a heading, bullet or
code line without closing punctuation (or ending in a comma or colon) is measured as a sentence of
its own (textstat splits sentences only on . ! ?); else a heading would be glued to the sentence after it.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from notifications.consequences import CONSEQUENCES
from notifications.decision_letters import OUTCOME_WORDS, Decision, decision_context
from notifications.decisions import DecisionMade
from notifications.letters import IncidentFacts, Recipient, letter_context
from notifications.rendering import RenderedLetter, render_letter
from tests.services import unavailable

try:
    import textstat
except ImportError:  # a dev dependency (pyproject.toml): skipped where it is missing, failed in CI
    textstat = None

MINIMUM_EASE = 65.0
MAXIMUM_WORDS = 450
SHORT_NAME = "Parkeerscan"
LONG_NAME = "Risicoscoringsmodel voor heronderzoeken van bijstandsuitkeringen en inkomensondersteunende toeslagen"
FULL_SENDER = {
    "name": "Gemeente Voorbeeldstad",
    "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
    "phone": "14 020",
    "email": "brieven@voorbeeldstad.nl",
    "website": "www.voorbeeldstad.nl",
    "signatory": "Het college van burgemeester en wethouders",
}
BARE_SENDER = {"name": "Gemeente Voorbeeldstad", "postal_address": "", "phone": "", "email": "", "website": "",
               "signatory": "Gemeente Voorbeeldstad"}  # fmt: skip
CHANNELS = {"email": "ABCD2345EFGH6789", "post": "ABCD2345EFGH6789", "citizen copy": None}
READER = Recipient(
    name="Zoë Öztürk",
    address={"street": "Kerkstraat", "house_number": "1", "postal_code": "1234 AB", "city": "Voorbeeldstad"},
    email="zoe@example.nl",
)
# as a municipality's case system names them: subject, date, reference (kenmerk)
DECISIONS = {
    0: (),
    1: (DecisionMade("Z/24/012345", date(2024, 3, 15), "Bijzondere bijstand"),),
    3: (
        DecisionMade("Z/24/012345", date(2024, 3, 15), "Bijzondere bijstand"),
        DecisionMade("Z/24/012399", date(2024, 6, 1), "Terugvordering van bijstand"),
        DecisionMade("2023-BB-7781", date(2023, 11, 2), "Heronderzoek van uw uitkering"),
    ),
}
SUSPENSIONS = {  # (suspended, scope, the definition has a suspension step)
    "stopped": (True, "full", True),
    "stopped in part": (True, "partial", True),
    "checked by hand": (False, None, True),
    "no suspension step": (False, None, False),
}
# Reasons as an officer writes them: the letter quotes them; a long one in two paragraphs.
REASONS = {
    "short": "Wij hebben uw dossier opnieuw bekeken. Het programma speelde geen rol bij de beslissing over u.",
    "long": (
        "Wij hebben uw dossier opnieuw bekeken, zonder het programma. Wij keken naar uw inkomen, uw woonsituatie en "
        "de stukken die u ons stuurde. Daaruit blijkt dat u in 2024 recht had op het volle bedrag.\n\n"
        "U krijgt het bedrag dat wij te weinig betaalden binnen zes weken terug. Ook betalen wij de rente. "
        "Heeft u nog andere kosten gehad? Meld die dan bij ons."
    ),
}
DECISION_KINDS = {"decision-review": "review", "decision-objection": "objection"}
INVESTIGATIONS = {  # (state, due date)
    "running, due date": ("active", date(2027, 2, 22)),
    "running": ("active", None),
    "done": ("completed", None),
    "not started": ("none", None),
    "no investigation step": ("absent", None),
}


@dataclass(frozen=True)
class Variant:
    kind: str
    outcome: str
    channel: str
    algorithm: str
    suspension: str
    investigation: str
    since: bool
    grounds: bool
    sender: str
    reasons: str = "short"
    decisions: int = 0
    domain: str | None = None

    @property
    def reader(self) -> Recipient:
        return Recipient(READER.name, READER.address, READER.email, DECISIONS[self.decisions])

    def render(self, language: str = "nl") -> RenderedLetter:
        suspended, scope, has_suspension = SUSPENSIONS[self.suspension]
        state, due = INVESTIGATIONS[self.investigation]
        facts = IncidentFacts(
            incident_id=uuid.UUID(int=1),
            reference="HST-2026-00001",
            outcome=self.outcome,
            algorithm=self.algorithm,
            grounds=("nationality", "ethnicity", "age") if self.grounds else (),
            suspended=suspended,
            suspension_scope=scope,
            not_working_since=date(2024, 5, 1) if self.since else None,
            investigation=state,
            investigation_due=due,
            sender=FULL_SENDER if self.sender == "full" else BARE_SENDER,
            has_suspension=has_suspension,
            domain=self.domain,
        )
        context = letter_context(
            facts,
            letter_id=uuid.UUID(int=2),
            language=language,
            recipient=self.reader,
            sent_on=date(2026, 11, 30),
            code=CHANNELS[self.channel],
            base_url="https://herstel.voorbeeldstad.nl",
        )
        if self.kind in DECISION_KINDS:
            decision = Decision(
                uuid.UUID(int=3), DECISION_KINDS[self.kind], self.outcome, REASONS[self.reasons], date(2026, 10, 1)
            )
            context |= decision_context(decision, language=language, last_day=date(2027, 1, 11))
        return render_letter(self.kind, language, context)


def variants() -> Iterator[Variant]:
    """Every combination that changes a letter's words (see the module's docstring)."""
    for kind, outcomes in (("notification", ("established", "suspected")), ("unfounded", ("unfounded",))):
        states = (
            itertools.product(SUSPENSIONS, INVESTIGATIONS, (True, False))
            if kind == "notification"
            else [("no suspension step", "no investigation step", False)]  # the unfounded letter names none
        )
        decisions = DECISIONS if kind == "notification" else (0,)  # the reporter's letter names none
        for outcome, channel, name, (suspension, investigation, since), grounds, sender, count in itertools.product(
            outcomes, CHANNELS, (SHORT_NAME, LONG_NAME), list(states), (True, False), ("full", "bare"), decisions
        ):
            yield Variant(
                kind, outcome, channel, name, suspension, investigation, since, grounds, sender, decisions=count
            )
    for domain, outcome, name, (suspension, investigation, since), sender in itertools.product(
        CONSEQUENCES,
        ("established", "suspected"),
        (SHORT_NAME, LONG_NAME),
        list(itertools.product(SUSPENSIONS, INVESTIGATIONS, (True, False))),
        ("full", "bare"),
    ):
        yield Variant(
            "notification", outcome, "post", name, suspension, investigation, since, True, sender, domain=domain
        )
    for kind, response in DECISION_KINDS.items():  # the incident's facts are not in a decision letter
        for outcome, channel, sender, reasons in itertools.product(
            OUTCOME_WORDS[response]["nl"], CHANNELS, ("full", "bare"), REASONS
        ):
            yield Variant(kind, outcome, channel, SHORT_NAME, "stopped", "done", False, False, sender, reasons)


def body(letter: RenderedLetter) -> str:
    """What follows the subject, one block a line, each closed as a sentence (see the docstring)."""
    lines = []
    for block in letter.blocks:
        if block.kind == "title":
            continue
        text = block.plain.strip().rstrip(",:")
        lines.append(text if text[-1] in ".?!" else text + ".")
    return "\n".join(lines)


@pytest.fixture
def measured() -> None:
    """textstat is there (it is what measures)."""
    if textstat is None:
        unavailable("textstat", "pip install -e '.[dev]' installs it")


def measure(letter: RenderedLetter) -> tuple[float, int]:
    textstat.set_lang("nl")
    text = body(letter)
    return textstat.flesch_reading_ease(text), textstat.lexicon_count(text, removepunct=True)


ALL = list(variants())


def test_the_variants_cover_every_kind_outcome_channel_and_name():
    assert {(v.kind, v.outcome) for v in ALL} == {
        ("notification", "established"),
        ("notification", "suspected"),
        ("unfounded", "unfounded"),
        *(("decision-review", o) for o in ("granted", "partly_granted", "refused")),
        *(("decision-objection", o) for o in ("upheld", "partly_upheld", "dismissed")),
    }
    assert {v.channel for v in ALL} == set(CHANNELS)
    assert {v.algorithm for v in ALL} == {SHORT_NAME, LONG_NAME}
    assert {v.decisions for v in ALL if v.kind == "notification"} == {0, 1, 3}
    three = next(v for v in ALL if v.decisions == 3).render().text
    assert "kenmerk 2023-BB-7781" in three  # the decisions are in the measured text
    assert "2 november 2023" in three
    assert {v.domain for v in ALL} == {None, *CONSEQUENCES}
    parking = next(v for v in ALL if v.domain == "parking_traffic").render().text
    assert "naheffingsaanslag of boete" in parking  # the domain's example is in the measured text
    assert len({v.render().text for v in ALL[:50]}) > 10  # the states really change the text


def test_every_dutch_letter_is_easy_to_read_and_short(measured):
    too_hard, too_long = [], []
    for variant in ALL:
        ease, words = measure(variant.render())
        if ease < MINIMUM_EASE:
            too_hard.append((round(ease, 1), variant))
        if words > MAXIMUM_WORDS:
            too_long.append((words, variant))
    assert not too_hard, f"{len(too_hard)} of {len(ALL)} below Flesch-Douma {MINIMUM_EASE}: {min(too_hard)}"
    assert not too_long, f"{len(too_long)} of {len(ALL)} over {MAXIMUM_WORDS} words: {max(too_long)}"


def test_the_measure_tells_an_easy_text_from_a_hard_one(measured):
    """The threshold can fail: officialese scores far below it, the letters' own sentences above."""
    textstat.set_lang("nl")
    hard = (
        "Belanghebbende wordt hierbij geïnformeerd omtrent de omstandigheid dat het door het bestuursorgaan "
        "gehanteerde geautomatiseerde risicoselectie-instrumentarium mogelijkerwijs discriminatoire "
        "uitkomsten heeft gegenereerd, hetgeen nader onderzoek noodzakelijk maakt."
    )
    easy = "Wij hebben een fout gemaakt. Die fout raakt ook u. Het spijt ons. Wij zoeken uit hoe dit kon gebeuren."
    assert textstat.flesch_reading_ease(hard) < MINIMUM_EASE < textstat.flesch_reading_ease(easy)
