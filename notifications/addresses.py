"""Splitting a street and house number written in one cell, as a municipality's file often has them.

Dutch addresses follow the BAG (Basisregistratie Adressen en Gebouwen): a *huisnummer* 1–99999, an
optional *huisletter* (one letter) and an optional *huisnummertoevoeging* (at most four letters or
digits). No library on PyPI splits them by these rules without a statistical model (libpostal needs
gigabytes of model data and guesses), so this is a small parser with rules one can read:

- The house number is a run of digits that starts a word; what follows it may be a huisletter and a
  toevoeging, separated from the number and from each other by nothing, a space, a dash or a slash:
  ``Kerkstraat 7a``, ``Dorpsstraat 12 A``, ``Hoofdweg 12-II``, ``Laan van Meerdervoort 1023-bis``,
  ``2e Hugo de Grootstraat 5 hs``, ``Kade 3 A-2``. A single letter after the number is the
  huisletter; anything longer is a toevoeging.
- Everything before the number is the street, which must contain a letter. A street may hold digits
  (``2e Hugo de Grootstraat``, ``Plein 1944``): every word that starts with a digit is tried as the
  house number, and the text is accepted when exactly one reading fits. A number inside a street is
  a year or date (``Laan 1940-1945``, ``3 Oktoberstraat``) or an ordinal (``2e``, ``1ste``), never
  followed by a lone letter, so ``Kade 3A 2`` and ``Kade 3 A 2`` read only as "Kade", 3, A, 2.
- Refused, with a reason: no house number; a number outside 1–99999 or with a leading zero; more
  than a letter and four characters after the number; a range or list of numbers (``2 t/m 4``,
  ``2 en 4``: a letter goes to one address); and text that reads two ways. ``Plein 1944 3`` reads
  as "Plein 1944", number 3, and as "Plein", number 1944, toevoeging 3 — nothing in the text tells
  which, so it is refused and the row report asks for a dash (``1944-3``) or a huisnummer column,
  rather than sending a letter to a guess. (``Plein 1944 3 A`` and ``Plein 1944 3-II`` read one way.)

`join` writes the parts back as one line; splitting that line gives the same parts again, and the
letters and digits of the original come back in the same order (tests/unit/notifications/test_addresses.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notifications import messages
from protocol.messages import Text

MAX_NUMBER = 99_999
MAX_ADDITION = 4
DIGITS = "0123456789"  # ASCII only: str.isdigit() also takes ² and other scripts' digits

# two or more numbers joined as a range or a list: "2 t/m 4", "2 tot en met 4", "2 en 4", "2 & 4", "2, 4"
_RANGE = re.compile(r"[0-9]\s*(?:t\s*/\s*m\.?|t\.\s*m\.|tm|tot\s+en\s+met|tot|en|&|\+|,)\s*[0-9]", re.IGNORECASE)
_NUMBER = re.compile(r"([0-9]+)(.*)")
_SEPARATOR = re.compile(r"\s*[-/]\s*|\s+")
_CHUNK = re.compile(r"[0-9A-Za-z]+")
# a number inside a street name: a year or date (Plein 1944, Laan 1940-1945, 3 Oktoberstraat) or an ordinal (2e, 1ste)
_STREET_NUMBER = re.compile(r"[0-9]+(?:e|de|ste)?(?:-[0-9]+)?", re.IGNORECASE)


@dataclass(frozen=True)
class SplitAddress:
    """A street and its BAG house number parts."""

    street: str
    number: int
    letter: str = ""  # huisletter
    addition: str = ""  # huisnummertoevoeging

    @property
    def suffix(self) -> str:
        """What follows the number in an address line: the letter, the toevoeging, or both (``A-2``)."""
        return "-".join(filter(None, (self.letter, self.addition)))

    def join(self) -> str:
        """The address as one line: ``Dorpsstraat 12A``, ``Hoofdweg 12-II``, ``Kade 3A-2``."""
        tail = f"{self.letter}-{self.addition}" if self.addition else self.letter
        return f"{self.street} {self.number}{tail}"


class AddressRefused(ValueError):
    """The text is not one street with one house number; `reason` says why, as a coded message."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Reading:
    parts: SplitAddress | None
    problem: Text | None


def split_address(text: str) -> SplitAddress:
    """The street and house number parts of one line such as ``Dorpsstraat 12 A``; AddressRefused if not one address."""
    words = text.split()
    line = " ".join(words)
    if _RANGE.search(line):
        raise AddressRefused(messages.ADDRESS_RANGE())
    readings = [_read(words, i) for i, word in enumerate(words) if word[0] in DIGITS]
    fitting = [r.parts for r in readings if r.parts is not None]
    if len(fitting) == 1:
        return fitting[0]
    if len(fitting) > 1:
        raise AddressRefused(messages.ADDRESS_AMBIGUOUS())
    problems = [r.problem for r in readings if r.problem is not None]
    # the reading that starts latest is the one the writer most likely meant: report its problem
    raise AddressRefused(problems[-1] if problems else messages.ADDRESS_NO_NUMBER())


def _read(words: list[str], at: int) -> _Reading:
    """Read words[at] as the start of the house number and the words before it as the street."""
    street = " ".join(words[:at])
    named = any(c.isalpha() for c in street)
    if not _street_like(words[:at]):
        return _Reading(None, None)
    match = _NUMBER.fullmatch(" ".join(words[at:]))
    if match is None:  # the word starts with a digit, so this cannot happen; keeps mypy and readers sure
        return _Reading(None, None)
    digits, rest = match.groups()
    letter, addition, problem = _suffix(rest)
    if problem is None and (digits.startswith("0") or int(digits) > MAX_NUMBER):
        problem = messages.ADDRESS_NUMBER_RANGE(maximum=MAX_NUMBER)
    if problem is None and not named:
        problem = messages.ADDRESS_NO_STREET()
    if problem is not None:
        # a reading with no street before it is no reading at all ("2e Hugo de Grootstraat" has no number)
        return _Reading(None, problem if named or problem.code == "address.no-street" else None)
    return _Reading(SplitAddress(street, int(digits), letter, addition), None)


def _street_like(words: list[str]) -> bool:
    """Whether these words can be a street: its numbers are years, dates or ordinals, none followed by a
    lone letter ("Kade 3A", "Kade 3 A" are a house number), and it does not end in a dash or slash."""
    for word, after in zip(words, [*words[1:], ""], strict=False):  # the last word has "" after it
        lone_letter = len(after) == 1 and after.isalpha()
        if word[0] in DIGITS and (lone_letter or not _STREET_NUMBER.fullmatch(word)):
            return False
    return not words or words[-1][-1] not in "-/"


def _suffix(rest: str) -> tuple[str, str, Text | None]:
    """The huisletter and toevoeging in what follows the number, or the problem with it."""
    chunks = _chunks(rest)
    too_much = messages.ADDRESS_SUFFIX(limit=MAX_ADDITION)
    if chunks is None or len(chunks) > 2:
        return "", "", too_much
    if len(chunks) == 2:  # a letter, then a toevoeging: "12 A-2"; "12 2 A" is neither
        letter, addition = chunks
        if len(letter) != 1 or not letter.isalpha():
            return "", "", too_much
    elif chunks and len(chunks[0]) == 1 and chunks[0].isalpha():
        letter, addition = chunks[0], ""
    else:
        letter, addition = "", (chunks[0] if chunks else "")
    if len(addition) > MAX_ADDITION:
        return "", "", too_much
    return letter, addition, None


def _chunks(rest: str) -> list[str] | None:
    """The letter/digit groups after the number, each after a separator (the first may be attached
    if it starts with a letter: ``7a``, ``7bis``); None if anything else is there."""
    chunks: list[str] = []
    at = 0
    while at < len(rest):
        separator = _SEPARATOR.match(rest, at)
        if separator is not None:
            at = separator.end()
        elif chunks or rest[at] in DIGITS:  # digits straight after the number are the number
            return None
        chunk = _CHUNK.match(rest, at)
        if chunk is None:
            return None
        chunks.append(chunk.group())
        at = chunk.end()
    return chunks
