"""Personal access codes: 80 random bits, printed in one letter, stored only as a keyed hash.

The alphabet is Crockford's base32 (no I, L, O or U), so what a reader types is forgiving: case
does not matter, dashes and spaces are ignored, and O, I and L are read as 0, 1 and 1.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: 32 symbols, 5 bits each
LENGTH = 16  # 16 × 5 = 80 bits
GROUP = 4
BITS = LENGTH * 5
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_access_code() -> str:
    """A fresh code from the operating system's CSPRNG, in its canonical (ungrouped) form."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_access_code(code: str) -> str:
    """The code as printed, grouped for reading: ``7KQ2-M9XD-4HTP-3WZB``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_access_code(typed: str) -> str | None:
    """The canonical code a reader meant, or None if it cannot be a code (the caller says no more)."""
    cleaned = re.sub(r"[\s\-_.]", "", (typed or "")[:64]).upper().translate(_TYPOS)
    return cleaned if _VALID.match(cleaned) else None
