"""Access codes: at least 80 bits, readable groups, forgiving input."""

from __future__ import annotations

import math
import re

from notifications.codes import ALPHABET, BITS, LENGTH, format_access_code, new_access_code, normalize_access_code


def test_a_code_carries_at_least_80_bits():
    assert len(set(ALPHABET)) == 32
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    assert BITS >= 80


def test_codes_are_random_and_use_the_whole_alphabet():
    codes = {new_access_code() for _ in range(5000)}
    assert len(codes) == 5000
    assert set("".join(codes)) == set(ALPHABET)
    assert not set("".join(codes)) & set("ILOU")


def test_printed_in_groups_of_four():
    code = new_access_code()
    assert re.fullmatch(r"([0-9A-Z]{4}-){3}[0-9A-Z]{4}", format_access_code(code))


def test_typed_codes_are_forgiven_case_spaces_dashes_and_lookalikes():
    code = "7KQ2M90D4HTP31ZB"
    assert normalize_access_code("7kq2-m9od 4htp-3iZb") == code
    assert normalize_access_code(" 7KQ2 M90D 4HTP 3LZB ") == code


def test_what_cannot_be_a_code_is_refused_without_detail():
    for typed in ("", "short", "7KQ2M90D4HTP31ZBX", "7KQ2M90D4HTP31Z!", "U" * 16, None):
        assert normalize_access_code(typed) is None  # type: ignore[arg-type]
