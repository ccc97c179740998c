"""`[steps.<key>.citizen]`: what the citizen reads about a step and what a letter may say, as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocol.errors import DefinitionError
from protocol.loader import builtin_definition_paths, load_definition_file, load_definition_text
from tests.unit.protocol.test_loader import bad

LETTERS = """\
[protocol]
key = "letters-mini"
version = 1

[steps.weigh]
auto_start = true

[steps.weigh.evidence.outcome]
type = "enum"
choices = ["established", "unfounded"]
fact = true

[steps.weigh.citizen]
title = { nl = "Wegen", en = "Weighing" }

[steps.halt]
requires = ["weigh"]

[steps.halt.evidence.extent]
type = "enum"
choices = ["full", "partial"]

[steps.halt.evidence.broken_since]
type = "datetime"

[steps.halt.citizen]
title = { nl = "Stilleggen", en = "Halting" }
role = "suspension"
date = "broken_since"
scope = "extent"

[steps.tell]
requires = ["weigh"]
completion = "system"

[steps.tell.evidence.letters]
type = "integer"

[steps.tell.citizen]
title = { nl = "Brieven", en = "Letters" }
role = "letters"
"""


def test_the_citizen_tables_load_with_their_roles() -> None:
    loaded = load_definition_text(LETTERS, source="inline")

    halt = loaded.citizen_step("suspension")
    assert halt is not None
    assert halt.key == "halt"
    assert halt.citizen is not None
    assert (halt.citizen.date, halt.citizen.scope) == ("broken_since", "extent")
    assert loaded.citizen_step("letters").key == "tell"  # type: ignore[union-attr]
    assert loaded.citizen_step("investigation") is None
    assert loaded.step("weigh").citizen_title("nl") == "Wegen"


def test_the_default_definition_says_what_the_citizen_reads() -> None:
    three = load_definition_file(next(p for p in builtin_definition_paths() if p.name == "nl-discrimination-3.toml"))
    two = load_definition_file(next(p for p in builtin_definition_paths() if p.name == "nl-discrimination-2.toml"))

    assert three.ref == "nl-discrimination@3"
    assert three.step("inform").citizen_title("nl") == "Iedereen informeren die het raakt"
    assert three.citizen_step("investigation").citizen.date == "due_date"  # type: ignore[union-attr]
    # the rules are version 2's: only the citizen tables were added
    assert [s.key for s in three.steps.values()] == [s.key for s in two.steps.values()]
    # v3 also corrects one rule: an objection's deadline is met by the decision on it, not by any answer
    changed = {"objection-decision"}
    assert [d for d in three.deadlines if d.key not in changed] == [d for d in two.deadlines if d.key not in changed]
    (decision,) = [d for d in three.deadlines if d.key in changed]
    assert decision.met_by.events == ("CitizenObjectionDecided",)
    # version 2, as published, has no citizen tables: its incidents borrow version 3's words, step by step
    assert not two.declares_citizen
    borrowed = two.with_citizen_words(three)
    assert borrowed.step("suspend").citizen_title("en") == "Stopping the computer program"
    assert borrowed.citizen_step("suspension").key == "suspend"  # type: ignore[union-attr]
    assert borrowed.digest == two.digest
    assert borrowed.version == 2


def test_a_done_step_tells_its_conclusion_in_the_readers_words() -> None:
    three = load_definition_file(next(p for p in builtin_definition_paths() if p.name == "nl-discrimination-3.toml"))
    investigate, sanction = three.step("investigate").citizen, three.step("sanction").citizen
    assert investigate is not None
    assert sanction is not None

    assert investigate.conclusion({"conclusion": "inconclusive"}, "en") == (
        "The investigator could not establish whether the program treated people unequally."
    )
    assert sanction.conclusion({"none_reason": "Niemand verwijtbaar."}, "nl") == (
        "Wij hebben niemand een sanctie gegeven. De reden: Niemand verwijtbaar."
    )
    assert sanction.conclusion({"sanctions": [{"kind": "warning"}]}, "nl") is None
    safeguard = three.step("safeguard").citizen
    assert safeguard is not None
    given = {"safeguards": [{"measure": "owk-02", "description": "Jaarlijkse toets."}, {"description": "Uitleg."}]}
    assert safeguard.conclusion(given, "en") == "This is what we arranged: Jaarlijkse toets.; Uitleg."


def test_without_citizen_tables_the_one_system_step_is_the_letters_step() -> None:
    plain = LETTERS.replace('role = "letters"\n', "")
    assert load_definition_text(plain, source="inline").citizen_step("letters").key == "tell"  # type: ignore[union-attr]
    two_system = plain + '\n[steps.also]\ncompletion = "system"\n'
    assert load_definition_text(two_system, source="inline").citizen_step("letters") is None


CASES = {
    "unknown key": (
        ('scope = "extent"\n', 'scope = "extent"\nwording = "x"\n'),
        "steps.halt.citizen.wording",
        "unknown key",
    ),
    "no title": (('title = { nl = "Wegen", en = "Weighing" }\n', ""), "steps.weigh.citizen.title", "required"),
    "unknown role": (('role = "letters"', 'role = "sanction"'), "steps.tell.citizen.role", "unknown role"),
    "date not a date": (('date = "broken_since"', 'date = "extent"'), "steps.halt.citizen.date", "no date"),
    "date unknown": (('date = "broken_since"', 'date = "since"'), "steps.halt.citizen.date", "no date"),
    "scope not enum": (('scope = "extent"', 'scope = "broken_since"'), "steps.halt.citizen.scope", "'partial'"),
    "date on a letters step": (
        ('role = "letters"\n', 'role = "letters"\ndate = "letters"\n'),
        "steps.tell.citizen.date",
        "only a suspension or investigation",
    ),
    "letters by hand": (('completion = "system"\n', ""), "steps.tell.citizen.role", "completion = 'system'"),
    "letters step wants more": (
        (
            '[steps.tell.evidence.letters]\ntype = "integer"\n',
            '[steps.tell.evidence.letters]\ntype = "integer"\n\n[steps.tell.evidence.why]\ntype = "text"\n',
        ),
        "steps.tell.citizen.role",
        "cannot give why",
    ),
    "tells an unknown field": (
        ('role = "letters"\n', 'role = "letters"\ntells = "why"\n'),
        "steps.tell.citizen.tells",
        "no enum, text, string or list evidence field 'why'",
    ),
    "an enum without words for a choice": (
        (
            'title = { nl = "Wegen", en = "Weighing" }\n',
            'title = { nl = "Wegen", en = "Weighing" }\ntells = "outcome"\nwords = { established = "Vastgesteld." }\n',
        ),
        "steps.weigh.citizen.words.unfounded",
        "required",
    ),
    "words for no choice": (
        (
            'title = { nl = "Wegen", en = "Weighing" }\n',
            'title = { nl = "Wegen", en = "Weighing" }\ntells = "outcome"\nwords = { established = "a", '
            'unfounded = "b", maybe = "c" }\n',
        ),
        "steps.weigh.citizen.words.maybe",
        "not a choice",
    ),
    "role twice": (
        (
            'title = { nl = "Wegen", en = "Weighing" }\n',
            'title = { nl = "Wegen", en = "Weighing" }\nrole = "suspension"\n',
        ),
        "steps.halt.citizen.role",
        "plays the role 'suspension' already",
    ),
}


@pytest.mark.parametrize(("change", "key", "problem"), CASES.values(), ids=list(CASES))
def test_a_bad_citizen_table_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    old, new = change
    assert old in LETTERS, old
    error: DefinitionError = bad(tmp_path / "letters.toml", LETTERS.replace(old, new, 1))

    assert error.key == key, error
    assert problem in error.problem, error
