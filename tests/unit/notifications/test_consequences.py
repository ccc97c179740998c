"""The example of a consequence comes from the algorithm's domain: one sentence per domain and language,
the neutral wording without a domain (or for `other`); the register refuses a domain not on the list."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest

from notifications.consequences import CONSEQUENCES, NEUTRAL, consequence
from notifications.decisions import DecisionMade
from notifications.letters import IncidentFacts, Recipient, letter_context
from notifications.rendering import render_letter
from protocol.domains import ALGORITHM_DOMAINS, is_domain
from protocol.identity import Principal
from protocol.services import InvalidEvidence, register_algorithm
from web.pages.text import ALGORITHM_DOMAINS as DOMAIN_WORDS

FACTS = IncidentFacts(
    incident_id=uuid.UUID(int=1),
    reference="HST-2026-00001",
    outcome="suspected",
    algorithm="Parkeerscan",
    grounds=("ethnicity",),
    suspended=False,
    suspension_scope=None,
    not_working_since=None,
    investigation="active",
    investigation_due=None,
    sender={
        "name": "Gemeente Voorbeeldstad",
        "postal_address": "Postbus 1",
        "phone": "14 020",
        "email": "",
        "website": "",
    },
)
READER = Recipient(name="Zoë Öztürk", address=None, email="zoe@example.nl")


def letter_text(domain: str | None, language: str, reader: Recipient = READER) -> str:
    context = letter_context(
        dataclasses.replace(FACTS, domain=domain),
        letter_id=uuid.UUID(int=2),
        language=language,
        recipient=reader,
        sent_on=date(2026, 11, 30),
        code="ABCD2345EFGH6789",
        base_url="https://herstel.example.nl",
    )
    return " ".join(render_letter("notification", language, context).text.split())


def test_the_list_is_closed_and_every_domain_but_other_has_an_example_in_both_languages():
    assert set(CONSEQUENCES) == set(ALGORITHM_DOMAINS) - {"other"}
    for domain, sentences in CONSEQUENCES.items():
        assert set(sentences) == {"nl", "en"}, domain
        assert sentences["nl"] != sentences["en"]
    assert len(set(ALGORITHM_DOMAINS)) == len(ALGORITHM_DOMAINS)
    assert is_domain("parking_traffic")
    assert not is_domain("parking")
    assert not is_domain("")


def test_every_domain_has_a_label_on_the_pages():
    assert set(DOMAIN_WORDS) == set(ALGORITHM_DOMAINS)


@pytest.mark.parametrize("domain", sorted(CONSEQUENCES))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_letter_gives_the_example_of_its_domain(domain: str, language: str) -> None:
    text = letter_text(domain, language)
    assert CONSEQUENCES[domain][language] in text
    assert NEUTRAL[language] not in text
    others = [s[language] for d, s in CONSEQUENCES.items() if d != domain]
    assert not any(other in text for other in others)  # one example, its own


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("domain", [None, "other"])
def test_without_a_domain_the_letter_keeps_the_neutral_wording(domain: str | None, language: str) -> None:
    text = letter_text(domain, language)
    assert NEUTRAL[language] in text
    assert not any(s[language] in text for s in CONSEQUENCES.values())
    assert consequence(domain, language) == NEUTRAL[language]


def test_a_parking_case_is_not_told_about_a_benefit():
    dutch = letter_text("parking_traffic", "nl")
    assert "een naheffingsaanslag of boete die u niet had moeten krijgen" in dutch
    assert "uitkering" not in dutch
    english = letter_text("parking_traffic", "en")
    assert "a parking charge or a fine you should not have received" in english
    assert "benefit" not in english


def test_with_decisions_from_the_file_the_list_says_it_and_no_example_is_added():
    reader = dataclasses.replace(READER, decisions=(DecisionMade("NH-2024-1", date(2024, 3, 15), "Naheffing"),))
    text = letter_text("parking_traffic", "nl", reader)
    assert "kenmerk NH-2024-1" in text
    assert CONSEQUENCES["parking_traffic"]["nl"] not in text


@pytest.mark.parametrize("bad", ["parking", "Uitkeringen", "other ", "x" * 41])
def test_the_register_refuses_a_domain_not_on_the_list_by_field(bad: str) -> None:
    # refused before any storage is touched: the unit of work is never entered
    with pytest.raises(InvalidEvidence) as refused:
        register_algorithm(
            uow=None,  # type: ignore[arg-type]
            principal=Principal(user_id=uuid.uuid4(), memberships={}),
            name="Parkeerscan",
            domain=bad,
        )
    assert set(refused.value.errors) == {"domain"}
    assert "parking_traffic" in str(refused.value.errors["domain"][0])
