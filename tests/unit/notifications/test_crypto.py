"""Sealing identity data: round trip, key rotation, and refusing anything moved or tampered with."""

from __future__ import annotations

import os

import pytest

from notifications.crypto import SealError, Vault

OLD, NEW, HASH = os.urandom(32), os.urandom(32), os.urandom(32)


def test_round_trip_and_a_fresh_nonce_every_time():
    vault = Vault([("k1", OLD)], HASH)
    first = vault.seal("Zoë de Vries", place="affected_persons/1/name")
    second = vault.seal("Zoë de Vries", place="affected_persons/1/name")
    assert first != second
    assert b"Zo" not in first
    assert vault.open(first, key_id="k1", place="affected_persons/1/name") == "Zoë de Vries"


def test_rotation_the_first_key_seals_every_key_opens():
    old_vault = Vault([("k1", OLD)], HASH)
    sealed_old = old_vault.seal("111222333", place="p/1/bsn")
    rotated = Vault([("k2", NEW), ("k1", OLD)], HASH)
    assert rotated.key_id == "k2"
    sealed_new = rotated.seal("111222333", place="p/1/bsn")
    assert rotated.open(sealed_old, key_id="k1", place="p/1/bsn") == "111222333"
    assert rotated.open(sealed_new, key_id="k2", place="p/1/bsn") == "111222333"
    with pytest.raises(SealError, match="not in the keyring"):
        old_vault.open(sealed_new, key_id="k2", place="p/1/bsn")


@pytest.mark.parametrize(
    "change",
    [
        lambda blob, place, kid: (blob[:-1] + bytes([blob[-1] ^ 1]), place, kid),  # a flipped bit
        lambda blob, place, kid: (blob, "p/2/name", kid),  # moved to another row
        lambda blob, place, kid: (blob, "p/1/email", kid),  # moved to another field
        lambda blob, place, kid: (blob, place, "k2"),  # relabelled with another key id
        lambda blob, place, kid: (blob[:20], place, kid),  # truncated
    ],
)
def test_tampered_moved_or_relabelled_values_do_not_open(change):
    vault = Vault([("k1", OLD), ("k2", NEW)], HASH)
    blob, place, kid = change(vault.seal("Jan", place="p/1/name"), "p/1/name", "k1")
    with pytest.raises(SealError) as caught:
        vault.open(blob, key_id=kid, place=place)
    assert "Jan" not in str(caught.value)


def test_keyed_hashes_match_equal_bsns_and_depend_on_the_key():
    vault, other = Vault([("k1", OLD)], HASH), Vault([("k1", OLD)], os.urandom(32))
    assert vault.bsn_hash("111222333") == vault.bsn_hash("111222333") != vault.bsn_hash("123456782")
    assert vault.bsn_hash("111222333") != other.bsn_hash("111222333")
    assert vault.code_hash("ABC") != vault.bsn_hash("ABC")  # separate domains
