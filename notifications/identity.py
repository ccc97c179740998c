"""Sealing and opening a person's identity: which fields, bound to which row.

The place a value is sealed for is ``affected_persons/<id>/<field>``, so a ciphertext moved to
another person or field does not open.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from notifications.crypto import Vault
from notifications.decisions import DecisionMade, decode_decisions, encode_decisions
from notifications.letters import Recipient
from notifications.tables import AffectedPersonRow

# json.dumps(address, sort_keys=True) without building an encoder per call
_ADDRESS_JSON = json.JSONEncoder(sort_keys=True)


def place(person_id: uuid.UUID, field: str) -> str:
    return f"affected_persons/{person_id}/{field}"


def seal_identity(
    vault: Vault,
    person_id: uuid.UUID,
    *,
    bsn: str | None,
    name: str,
    address: dict[str, str] | None,
    email: str | None,
    decisions: Sequence[DecisionMade] = (),
    bsn_hash: str | None = None,
) -> dict[str, Any]:
    """The sealed columns of a person row (with the key id that sealed them).

    `decisions`: those made about them with the algorithm, sealed together as one JSON list (none: NULL).
    `bsn_hash`: the BSN's keyed hash when the caller has it already (else it is computed here).
    """
    return {
        "key_id": vault.key_id,
        "bsn_hash": (bsn_hash or vault.bsn_hash(bsn)) if bsn else None,
        "bsn_sealed": vault.seal(bsn, place=place(person_id, "bsn")) if bsn else None,
        "name_sealed": vault.seal(name, place=place(person_id, "name")),
        "address_sealed": (
            vault.seal(_ADDRESS_JSON.encode(address), place=place(person_id, "address")) if address else None
        ),
        "email_sealed": vault.seal(email, place=place(person_id, "email")) if email else None,
        "decisions_sealed": (
            vault.seal(encode_decisions(decisions), place=place(person_id, "decisions")) if decisions else None
        ),
        "has_email": bool(email),
        "has_address": bool(address),
    }


def _opened(vault: Vault, row: AffectedPersonRow, field: str) -> Any:
    """One identity field of a person, decrypted (the address as its dict), or None."""
    sealed = getattr(row, f"{field}_sealed")
    if sealed is None:
        return None
    text = vault.open(sealed, key_id=row.key_id, place=place(row.id, field))
    return (json.loads(text) if text else None) if field == "address" else text


def open_decisions(vault: Vault, row: AffectedPersonRow) -> tuple[DecisionMade, ...]:
    """The decisions made about a person with the algorithm; none for a row imported without them."""
    return decode_decisions(_opened(vault, row, "decisions"))


def open_identity(vault: Vault, row: AffectedPersonRow) -> dict[str, Any]:
    """Every identity field of a person, decrypted (for those allowed to see it, and for rendering)."""
    return {field: _opened(vault, row, field) for field in ("bsn", "name", "address", "email")}


def open_recipient(vault: Vault, row: AffectedPersonRow) -> Recipient:
    """What a letter needs: name, address, email and the decisions it names (the BSN stays sealed)."""
    return Recipient(
        name=_opened(vault, row, "name") or "",
        address=_opened(vault, row, "address"),
        email=_opened(vault, row, "email"),
        decisions=open_decisions(vault, row),
    )


# ------------------------------------------------------------------ many at once (an import)

# The columns `seal_identity` fills, in the order an import writes them.
SEALED_COLUMNS = (
    "key_id",
    "bsn_hash",
    "bsn_sealed",
    "name_sealed",
    "address_sealed",
    "email_sealed",
    "decisions_sealed",
    "has_email",
    "has_address",
)
# A new affected person's row as an import writes it: these, then the sealed columns.
NEW_PERSON_COLUMNS = (
    "id",
    "incident_id",
    "kind",
    "language",
    "consent_electronic",
    "created_at",
    "updated_at",
    *SEALED_COLUMNS,
)
