"""Splitting "Dorpsstraat 12 A" into street, house number, huisletter and toevoeging by the BAG's rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.addresses import MAX_NUMBER, AddressRefused, SplitAddress, split_address


@pytest.mark.parametrize(
    ("text", "street", "number", "letter", "addition"),
    [
        ("Dorpsstraat 12 A", "Dorpsstraat", 12, "A", ""),
        ("Laan van Meerdervoort 1023-bis", "Laan van Meerdervoort", 1023, "", "bis"),
        ("2e Hugo de Grootstraat 5 hs", "2e Hugo de Grootstraat", 5, "", "hs"),
        ("Kerkstraat 7a", "Kerkstraat", 7, "a", ""),
        ("Hoofdweg 12-II", "Hoofdweg", 12, "", "II"),
        ("Oosterstraat 3 bis", "Oosterstraat", 3, "", "bis"),
        ("Kade 3 A-2", "Kade", 3, "A", "2"),
        ("Kade 3A 2", "Kade", 3, "A", "2"),
        ("Kade 3 A 2", "Kade", 3, "A", "2"),
        ("Kade 3 - 2", "Kade", 3, "", "2"),
        ("Kade 3/2", "Kade", 3, "", "2"),
        ("Plein 1944 3 A", "Plein 1944", 3, "A", ""),  # a letter after a number cannot be a toevoeging's start
        ("Plein 1944 3-II", "Plein 1944", 3, "", "II"),
        ("Plein 1944-3", "Plein", 1944, "", "3"),  # the dash says: toevoeging
        ("Laan 1940-1945 12", "Laan 1940-1945", 12, "", ""),
        ("  Kerkstraat \t 99999 ", "Kerkstraat", 99999, "", ""),
        ("Weg naar ’s-Gravenzande 1", "Weg naar ’s-Gravenzande", 1, "", ""),
        ("Ĳsselkade 4 H", "Ĳsselkade", 4, "H", ""),
    ],
)
def test_the_forms_municipalities_write(text: str, street: str, number: int, letter: str, addition: str) -> None:
    assert split_address(text) == SplitAddress(street, number, letter, addition)


def test_the_suffix_is_what_an_address_line_prints_after_the_number() -> None:
    assert [split_address(t).suffix for t in ("Kade 3", "Kade 3 A", "Kade 3-bis", "Kade 3 A-2")] == [
        "",
        "A",
        "bis",
        "A-2",
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Van Goghstraat 2 t/m 4", "address.range"),
        ("Van Goghstraat 2 T/M 4", "address.range"),
        ("Van Goghstraat 2 tot en met 4", "address.range"),
        ("Van Goghstraat 2tm4", "address.range"),
        ("Van Goghstraat 2 en 4", "address.range"),
        ("Van Goghstraat 2, 4", "address.range"),
        ("Kerkstraat", "address.no-number"),
        ("2e Hugo de Grootstraat", "address.no-number"),
        ("", "address.no-number"),
        ("12", "address.no-street"),
        ("Kerkstraat 0", "address.number-range"),
        ("Kerkstraat 012", "address.number-range"),
        ("Kerkstraat 100000", "address.number-range"),
        ("Kerkstraat 12 achter", "address.suffix"),  # a toevoeging has at most 4 characters
        ("Kerkstraat 12 A B C", "address.suffix"),
        ("Kerkstraat 12.", "address.suffix"),
        ("Kerkstraat 12-", "address.suffix"),
        ("Plein 1944 3", "address.ambiguous"),  # "Plein 1944" 3, or "Plein" 1944 toevoeging 3
        ("Hoofdweg 12 2", "address.ambiguous"),
        ("Hoofdweg 12 2a", "address.ambiguous"),
    ],
)
def test_what_is_refused_and_why(text: str, code: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        split_address(text)
    assert refused.value.reason.code == code


def test_a_refusal_never_repeats_the_address() -> None:
    """The reason goes into a row report and maybe a log: it names the rule, not the person's street."""
    for text in ("Geheimstraat 2 t/m 4", "Geheimstraat", "Geheimstraat 0", "Geheimstraat 12 achter", "Geheim 1 2"):
        with pytest.raises(AddressRefused) as refused:
            split_address(text)
        assert "Geheim" not in str(refused.value.reason)


# ------------------------------------------------------------------ properties

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
WORD = st.text(alphabet=LETTERS + "éëïĳ’'.-", min_size=1, max_size=12).filter(lambda w: any(c.isalpha() for c in w))
ORDINAL = st.integers(1, 3).map(lambda n: f"{n}e")  # 2e Hugo de Grootstraat
PLAIN_STREET = st.lists(WORD, min_size=1, max_size=4).map(" ".join).filter(lambda street: street[-1] not in "-/")
NUMBERED_STREET = (
    st.lists(st.one_of(WORD, ORDINAL, st.integers(1, 2000).map(str)), min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda street: any(c.isalpha() for c in street) and street[-1] not in "-/")
    # the street rule: a number in it is not followed by a lone letter (that would be a huisletter)
    .filter(lambda street: not re.search(r"(^| )[0-9]\S* \S( |$)", street))
)
LETTER = st.sampled_from(["", "A", "b", "Z"])
ADDITION = st.one_of(st.just(""), st.text(alphabet="0123456789" + LETTERS, min_size=1, max_size=4))


def alnum(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text)


@st.composite
def written(draw: st.DrawFn, streets: st.SearchStrategy[str]) -> tuple[str, SplitAddress]:
    """An address as someone might type it, and the parts it means."""
    parts = SplitAddress(draw(streets), draw(st.integers(1, MAX_NUMBER)), draw(LETTER), draw(ADDITION))
    text = f"{parts.street} {parts.number}"
    if parts.letter:
        text += draw(st.sampled_from(["", " ", "-"])) + parts.letter
    if parts.addition:
        # after a letter, or when it starts with a digit, a toevoeging needs a separator: else it is the number's
        joined = not parts.letter and parts.addition[0].isalpha()
        separator = draw(st.sampled_from(["", " ", "-", " - ", "/"] if joined else [" ", "-", " - ", "/"]))
        text += separator + parts.addition
        if not parts.letter and separator == " " and parts.addition[0] in "123456789":
            # "Hoofdweg 12 2": the street may end in 12 (Plein 1944 3); refused, so returned as no parts
            return text, SplitAddress("", 0)
    if not parts.letter and len(parts.addition) == 1 and parts.addition.isalpha():
        parts = SplitAddress(parts.street, parts.number, parts.addition, "")  # one letter is a huisletter
    return text, parts


def outcome(text: str) -> SplitAddress | str:
    """The parts, or the code of the refusal."""
    try:
        return split_address(text)
    except AddressRefused as refused:
        return refused.reason.code


@given(written(PLAIN_STREET))
def test_a_street_of_words_and_its_number_are_split_as_written(case: tuple[str, SplitAddress]) -> None:
    text, parts = case
    found = outcome(text)
    if found == "address.range":
        # a toevoeging such as "en4" or "tm2" after the number reads as a list or range of numbers
        assert re.search(r"[0-9]\s*(en|tm|tot|t/m|t\.m\.)\s*[0-9]", text, re.IGNORECASE), text
    elif found == "address.ambiguous":
        assert parts == SplitAddress("", 0), text
    else:
        assert found == parts
        assert isinstance(found, SplitAddress)
        assert alnum(found.join()) == alnum(text)  # splitting then joining loses no letter or digit


@given(written(NUMBERED_STREET))
def test_a_street_with_numbers_is_split_as_written_or_refused_as_ambiguous(case: tuple[str, SplitAddress]) -> None:
    text, parts = case
    found = outcome(text)
    if isinstance(found, str):
        assert found in ("address.ambiguous", "address.range", "address.no-street"), (text, found)
    else:
        assert found == parts
        assert alnum(found.join()) == alnum(text)


@given(st.text(max_size=60))
def test_any_text_is_split_or_refused_and_a_split_loses_nothing(text: str) -> None:
    found = outcome(text)
    if isinstance(found, str):
        assert found.startswith("address.")
        return
    assert 1 <= found.number <= MAX_NUMBER
    assert len(found.letter) <= 1
    assert len(found.addition) <= 4
    assert any(c.isalpha() for c in found.street)
    assert alnum(found.join()) == alnum(text)
    assert split_address(found.join()) == found  # the joined line splits into the same parts
