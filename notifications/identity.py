"""Sealing and opening a person's identity: which fields, bound to which row.

The place a value is sealed for is ``affected_persons/<id>/<field>``, so a ciphertext moved to
another person or field does not open.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from notifications.bulk import copy_text_row
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

# The columns `seal_identity` fills, in the order `seal_rows` and `reseal_rows` give them.
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

# A new person as an import stores them: (BSN hash, BSN, name, address, email or None, decisions,
# language, consent to electronic delivery); the task of a chunk: (incident id, now, new persons).
NewPerson = tuple[str, str, str, dict[str, str], str | None, Sequence[DecisionMade], str, bool]
NewPersonsTask = tuple[uuid.UUID, datetime, Sequence[NewPerson]]
# the sealed columns of a stored person, for opening it elsewhere: (id, key_id, bsn, name, address, email, decisions)
Sealed = tuple[uuid.UUID, str, bytes | None, bytes | None, bytes | None, bytes | None, bytes | None]
# (person id, BSN hash, BSN, name, address, email if the file gave one, whether it did, decisions, as stored)
ResealJob = tuple[uuid.UUID, str, str, str, dict[str, str], str | None, bool, Sequence[DecisionMade], Sealed]


def new_person_rows(vault: Vault, task: NewPersonsTask) -> list[tuple[Any, ...]]:
    """New persons' rows (NEW_PERSON_COLUMNS), each with a new id and its identity sealed for it.

    Module-level and dependent only on its arguments and `vault`, so that a helper process of
    `notifications.workpool` can run it."""
    incident_id, now, persons = task
    out = []
    for digest, bsn, name, address, email, decisions, language, consent in persons:
        person_id = uuid.uuid4()
        sealed = seal_identity(
            vault, person_id, bsn=bsn, name=name, address=address, email=email, decisions=decisions, bsn_hash=digest
        )
        out.append(
            (person_id, incident_id, "affected", language, consent, now, now, *(sealed[c] for c in SEALED_COLUMNS))
        )
    return out


def new_person_copy_text(vault: Vault, task: NewPersonsTask) -> str:
    """`new_person_rows` in PostgreSQL's COPY text format: formatted where they are sealed (a helper
    process), so the importing process only passes the text on."""
    return "".join(copy_text_row(row) for row in new_person_rows(vault, task))


def reseal_rows(vault: Vault, jobs: Sequence[ResealJob]) -> list[tuple[Any, ...]]:
    """Known persons sealed again with what a later file says (SEALED_COLUMNS, one tuple per job).

    The file's email replaces the stored one only when it gives one; its decisions replace the
    stored list only when it names any. Every stored field must open (a tampered row refuses the import)."""
    out = []
    for person_id, digest, bsn, name, address, email, email_given, decisions, stored in jobs:
        row = _row_of(stored)
        old = open_identity(vault, row)
        sealed = seal_identity(
            vault,
            person_id,
            bsn=bsn,
            name=name,
            address=address,
            email=email if email_given else old["email"],
            decisions=decisions or open_decisions(vault, row),
            bsn_hash=digest,
        )
        out.append(tuple(sealed[column] for column in SEALED_COLUMNS))
    return out


def sealed_of(row: AffectedPersonRow) -> Sealed:
    """What `reseal_rows` needs of a stored person (plain values, to travel to a helper process)."""
    return (
        row.id,
        row.key_id,
        row.bsn_sealed,
        row.name_sealed,
        row.address_sealed,
        row.email_sealed,
        row.decisions_sealed,
    )


def _row_of(sealed: Sealed) -> AffectedPersonRow:
    person_id, key_id, bsn, name, address, email, decisions = sealed
    return AffectedPersonRow(
        id=person_id,
        key_id=key_id,
        bsn_sealed=bsn,
        name_sealed=name,
        address_sealed=address,
        email_sealed=email,
        decisions_sealed=decisions,
    )
