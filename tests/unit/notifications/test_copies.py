"""Letters as sent: the stored copy is compressed, its digest stays over the canonical JSON, and
copies kept before compression still open."""

from __future__ import annotations

import os
import uuid
import zlib

import pytest

from notifications.copies import CopyMismatch, canonical, letter_place, open_canonical, open_copy, seal_copy, sha256
from notifications.crypto import Vault
from tests.unit.notifications.test_letterhead import WITHOUT, render

VAULT = Vault([("k1", os.urandom(32))], os.urandom(32))


def test_a_copy_is_kept_compressed_and_its_digest_is_over_the_canonical_json():
    letter, letter_id = render(WITHOUT), uuid.uuid4()
    digest, sealed = seal_copy(VAULT, letter_id, 2, letter)
    data = canonical(letter)
    assert digest == sha256(data)  # the ledger line does not depend on the compressor
    stored = VAULT.open_bytes(sealed, key_id="k1", place=letter_place(letter_id, 2))
    assert zlib.decompress(stored) == data
    assert len(sealed) < len(data) / 2  # the HTML repeats the text
    assert open_canonical(VAULT, letter_id, 2, key_id="k1", sealed=sealed) == data
    assert open_copy(VAULT, letter_id, 2, key_id="k1", sealed=sealed, digest=digest) == letter


def test_a_copy_kept_before_compression_still_opens_and_is_checked():
    letter, letter_id = render(WITHOUT, language="en"), uuid.uuid4()
    data = canonical(letter)
    assert data.startswith(b"{")
    sealed = VAULT.seal_bytes(data, place=letter_place(letter_id, 1))  # as copies were kept before
    assert open_canonical(VAULT, letter_id, 1, key_id="k1", sealed=sealed) == data
    assert open_copy(VAULT, letter_id, 1, key_id="k1", sealed=sealed, digest=sha256(data)) == letter
    with pytest.raises(CopyMismatch):
        open_copy(VAULT, letter_id, 1, key_id="k1", sealed=sealed, digest=sha256(data + b" "))


def test_a_compressed_copy_that_does_not_match_its_ledger_line_is_refused():
    letter, letter_id = render(WITHOUT), uuid.uuid4()
    _, sealed = seal_copy(VAULT, letter_id, 1, letter)
    other = canonical(render(WITHOUT, kind="unfounded"))
    with pytest.raises(CopyMismatch):
        open_copy(VAULT, letter_id, 1, key_id="k1", sealed=sealed, digest=sha256(other))
