"""Names people read: display names without invisible characters, e-mail addresses without look-alikes.

A display name is how colleagues recognise who did what on a timeline, so characters that change
how text is shown without being seen (Unicode format characters, category Cf: bidi overrides,
zero-width joiners) are removed, and two colleagues in one organisation may not share a name. An
e-mail local part that mixes scripts (a Cyrillic "о" among Latin letters) is the classic way to
make one account look like another; it is refused.
"""

from __future__ import annotations

import unicodedata


def strip_format_characters(text: str) -> str:
    """`text` without Unicode format and bidi control characters (category Cf), whitespace collapsed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


def name_key(name: str) -> str:
    """What two display names are compared by: compatibility-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", strip_format_characters(name)).casefold().split())


def scripts_of(text: str) -> set[str]:
    """The scripts of the letters in `text` (LATIN, CYRILLIC, GREEK, ...); digits and signs have none."""
    found = set()
    for ch in text:
        if unicodedata.category(ch).startswith("L"):
            found.add(unicodedata.name(ch, "UNKNOWN").split(" ")[0])
    return found


def mixes_scripts(text: str) -> bool:
    """True when the letters of `text` come from more than one script."""
    return len(scripts_of(text)) > 1
