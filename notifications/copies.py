"""Letters as sent: each attempt's letter is kept exactly as it was rendered for sending.

What was sent is a legal fact, so the citizen's page and PDF show the stored letter, never a new
rendering from today's state of the case. At the moment a letter is rendered for sending, its
`RenderedLetter` (subject, blocks, plain text, HTML, address and sender blocks, reference, date
line; the access code printed in it included) is written as canonical JSON. That JSON is

- hashed: its SHA-256 is the attempt's `letter_sha256`, which is part of the attempt's ledger line,
  so the `LettersBatchRecorded` digest on the incident's chain covers it (docs/notifications.md);
- compressed (zlib: the HTML repeats the text, ~10 KB becomes ~2.6 KB), sealed with the vault
  (AES-GCM, bound to `letter_copies/<letter id>/<attempt>/letter`) and stored in `letter_copies`,
  like the rest of a person's data. The digest is over the uncompressed canonical JSON, so the
  ledger does not depend on the compressor. Copies kept before compression hold the JSON itself;
  the first byte tells the two apart (canonical JSON starts with ``{``, a zlib stream with ``x``).

The PDF is not rendered per letter at sending time (one letter alone costs about 200 ms, a
100,000-letter campaign would take hours; post letters are printed in batches): it is rendered
from the stored copy the first time it is asked for, then sealed and kept with its own SHA-256,
so every later download returns the same bytes.

The letterhead is part of the letter: its sender lines, and its logo by SHA-256, media type and
size (the image itself is kept once, by that digest, in `letterhead_logos`, never changed; a copy
of the bytes in every letter would cost 100,000 times the logo). A later letterhead therefore
changes no letter sent before it. A letter without a logo has no `logo` key, so copies kept
before logos existed still hash as they did.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from notifications.crypto import Vault
from notifications.rendering import Block, Logo, RenderedLetter

FORMAT = 1  # of the canonical JSON; part of what the digest covers
_LEVEL = 1  # zlib: 2.6 KB at ~45 µs a letter; level 6 saves 8 % more at twice the time
_PLAIN = b"{"  # what an uncompressed copy (kept before compression) starts with


class CopyMismatch(RuntimeError):
    """A stored copy does not hash to the digest on its attempt's ledger line. Names no data."""


def canonical(letter: RenderedLetter) -> bytes:
    """The letter as the digest covers it: sorted keys, no spaces, UTF-8."""
    document = {
        "format": FORMAT,
        "kind": letter.kind,
        "language": letter.language,
        "subject": letter.subject,
        "blocks": [[block.kind, [[bold, text] for bold, text in block.runs]] for block in letter.blocks],
        "text": letter.text,
        "html": letter.html,
        "recipient_lines": list(letter.recipient_lines),
        "sender_lines": list(letter.sender_lines),
        "reference": letter.reference,
        "date_line": letter.date_line,
    }
    if letter.logo is not None:
        logo = letter.logo
        document["logo"] = {"sha256": logo.sha256, "media_type": logo.media_type, "size": [logo.width, logo.height]}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def from_canonical(data: bytes) -> RenderedLetter:
    document: dict[str, Any] = json.loads(data)
    logo = document.get("logo")
    return RenderedLetter(
        kind=document["kind"],
        language=document["language"],
        subject=document["subject"],
        blocks=tuple(
            Block(kind, tuple((bool(bold), str(text)) for bold, text in runs)) for kind, runs in document["blocks"]
        ),
        text=document["text"],
        html=document["html"],
        recipient_lines=tuple(document["recipient_lines"]),
        sender_lines=tuple(document["sender_lines"]),
        reference=document["reference"],
        date_line=document["date_line"],
        logo=Logo(logo["media_type"], logo["sha256"], *logo["size"]) if logo else None,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def letter_place(letter_id: uuid.UUID, number: int) -> str:
    return f"letter_copies/{letter_id}/{number}/letter"


def pdf_place(letter_id: uuid.UUID, number: int) -> str:
    return f"letter_copies/{letter_id}/{number}/pdf"


def seal_copy(vault: Vault, letter_id: uuid.UUID, number: int, letter: RenderedLetter) -> tuple[str, bytes]:
    """(SHA-256 of the canonical letter, the letter compressed and sealed for its place)."""
    data = canonical(letter)
    return sha256(data), vault.seal_bytes(zlib.compress(data, _LEVEL), place=letter_place(letter_id, number))


def open_canonical(vault: Vault, letter_id: uuid.UUID, number: int, *, key_id: str, sealed: bytes) -> bytes:
    """The canonical JSON of a stored copy (what its digest covers), compressed or not when it was kept."""
    stored = vault.open_bytes(sealed, key_id=key_id, place=letter_place(letter_id, number))
    return stored if stored.startswith(_PLAIN) else zlib.decompress(stored)


def open_copy(
    vault: Vault,
    letter_id: uuid.UUID,
    number: int,
    *,
    key_id: str,
    sealed: bytes,
    digest: str | None,
    logos: Callable[[str], Logo | None] | None = None,
) -> RenderedLetter:
    """The stored letter, checked against the digest its ledger line carries; its logo's image
    fetched by digest from `logos` (which checks the image against it)."""
    data = open_canonical(vault, letter_id, number, key_id=key_id, sealed=sealed)
    if digest is None or sha256(data) != digest:
        raise CopyMismatch(f"the stored copy of letter {letter_id} attempt {number} does not match its ledger line")
    letter = from_canonical(data)
    if letter.logo is not None and logos is not None:
        found = logos(letter.logo.sha256)
        if found is None:
            raise CopyMismatch(f"the logo of letter {letter_id} attempt {number} is missing or does not match")
        letter = replace(letter, logo=replace(letter.logo, content=found.content))
    return letter


CODE_HIDDEN = "••••-••••-••••-••••"


def without_code(letter: RenderedLetter) -> RenderedLetter:
    """The letter with its access code hidden: what staff are shown of a letter as sent. The code
    opens the reader's case; it is theirs alone (it is kept only as a keyed hash, and in their copy)."""
    codes = [block.plain for block in letter.blocks if block.kind == "code" and block.plain]
    if not codes:
        return letter
    text, page = letter.text, letter.html
    for code in codes:
        text, page = text.replace(code, CODE_HIDDEN), page.replace(code, CODE_HIDDEN)
    blocks = tuple(Block(b.kind, ((False, CODE_HIDDEN),)) if b.kind == "code" else b for b in letter.blocks)
    return replace(letter, blocks=blocks, text=text, html=page)
