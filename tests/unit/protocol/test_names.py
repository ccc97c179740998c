"""Display names and e-mail addresses that look like another's (issue 7, item 13)."""

from __future__ import annotations

import pytest

from protocol.names import mixes_scripts, name_key, strip_format_characters


def test_format_and_bidi_characters_are_removed() -> None:
    assert strip_format_characters("Anna\u202e de\u200b Vries\u2066") == "Anna de Vries"
    assert strip_format_characters("  Jan   Jansen ") == "Jan Jansen"


def test_names_compare_without_case_width_or_invisible_characters() -> None:
    assert name_key("Olga  OFFICIER") == name_key("olga officier")
    assert name_key("Ｏｌｇａ") == name_key("olga")  # full-width letters
    assert name_key("Olga\u200d Officier") == name_key("Olga Officier")


@pytest.mark.parametrize(
    ("text", "mixed"),
    [
        ("officer", False),
        ("\u043efficer", True),  # Cyrillic о, then Latin
        ("\u043e\u0444\u0438\u0446\u0435\u0440", False),  # all Cyrillic
        ("jan.de-vries+2", False),
        ("ανδρέας", False),
        ("pаypal", True),  # Cyrillic а
    ],
)
def test_mixed_scripts(text: str, mixed: bool) -> None:
    assert mixes_scripts(text) is mixed
