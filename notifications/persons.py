"""Affected persons and the reporter: importing a file, recording a contact, listing them."""

from __future__ import annotations

import gc
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from notifications import messages
from notifications.crypto import Vault
from notifications.csvimport import POSTCODE, Progress, normalise_bsn, normalise_email, parse_persons_csv
from notifications.identity import NEW_PERSON_COLUMNS, SEALED_COLUMNS, open_decisions, open_identity, seal_identity
from notifications.storage import NotificationsUnitOfWork
from notifications.tables import AffectedPersonRow
from protocol.calendar import local_date
from protocol.errors import InvalidEvidence, NotFound
from protocol.identity import Principal
from protocol.messages import REQUIRED
from protocol.permissions import grant_for
from protocol.services import append_to_timeline
from protocol.services.access import incident_for

STORE_STEP = 2000  # new persons between two progress reports while they are stored


def import_persons(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    data: bytes,
    max_bytes: int,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Import a CSV of affected persons, all or nothing; returns {imported, merged, rows}.

    `merged` counts rows whose BSN was already in the file or in the incident: those persons are
    updated, not added. Refusals: PersonsFileRejected (every bad row), FileTooLarge (over `max_bytes`).
    """
    with _collection_paused():
        parsed = parse_persons_csv(data, max_bytes=max_bytes, progress=progress, today=local_date(uow.now()))
        with uow:
            _incident, actor = incident_for(uow, principal, incident_id, "persons.import")
            now = uow.now()
            existing = uow.persons.hashes(incident_id)
            hashed = [(record, vault.bsn_hash(record.bsn)) for record in parsed.records]
            known = [(record, digest, existing[digest]) for record, digest in hashed if digest in existing]
            fresh = [(record, digest) for record, digest in hashed if digest not in existing]
            total = len(parsed.records)

            def new_rows() -> Iterator[tuple[Any, ...]]:
                """Each new person's row, sealed as the COPY asks for it."""
                for done, (record, digest) in enumerate(fresh, 1):
                    person_id = uuid.uuid4()
                    sealed = seal_identity(
                        vault,
                        person_id,
                        bsn=record.bsn,
                        name=record.name,
                        address=record.address(),
                        email=record.email or None,
                        decisions=record.decisions,
                        bsn_hash=digest,
                    )
                    yield (person_id, incident_id, "affected", record.language, record.consent, now, now,
                           *(sealed[column] for column in SEALED_COLUMNS))  # fmt: skip
                    if progress is not None and (done % STORE_STEP == 0 or done == len(fresh)):
                        progress("store", done, total)

            uow.persons.add_rows(NEW_PERSON_COLUMNS, new_rows())
            stored = uow.persons.many(person_id for _, _, person_id in known)
            updates = []
            for record, digest, person_id in known:
                row = stored[person_id]
                old = open_identity(vault, row)
                provided = record.provided
                email = record.email if "email" in provided else old["email"]
                # a file that names decisions for a person replaces their list; one that names none keeps it
                decisions = record.decisions or open_decisions(vault, row)
                updates.append(
                    {
                        "id": person_id,
                        "language": record.language if "language" in provided else row.language,
                        "consent_electronic": record.consent if "consent" in provided else row.consent_electronic,
                        "updated_at": now,
                        **seal_identity(
                            vault,
                            person_id,
                            bsn=record.bsn,
                            name=record.name,
                            address=record.address(),
                            email=email,
                            decisions=decisions,
                            bsn_hash=digest,
                        ),
                    }
                )
            uow.persons.update_many(updates)
            if progress is not None and updates:
                progress("store", total, total)
            result = {"imported": len(fresh), "merged": parsed.merged + len(known), "rows": parsed.rows}
            append_to_timeline(
                uow,
                incident_id=incident_id,
                event_type="AffectedPersonsImported",
                payload={
                    **result,
                    "persons": uow.persons.count(incident_id, "affected"),
                    "file_digest": "sha256:" + parsed.sha256,
                    "encoding": parsed.encoding,
                },
                actor=actor,
            )
            uow.commit()
    return result


class _CollectorPause:
    """Python's cyclic garbage collector paused while an import builds its 100,000 records: the
    collector otherwise walks them again and again as they accumulate (measured: 45 % of checking a
    file's rows). Reference counting still frees what is dropped; the collector runs again after.

    The collector is process-wide and a web worker may run two imports at once: it stays paused
    until the last of them ends, and is switched back on only if it was on before the first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._imports = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._imports == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._imports += 1
        try:
            yield
        finally:
            with self._lock:
                self._imports -= 1
                if self._imports == 0 and self._was_enabled:
                    gc.enable()


_collection_paused = _CollectorPause()


def record_reporter(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    name: str,
    email: str | None = None,
    address: dict[str, str] | None = None,
    language: str = "nl",
    consent_electronic: bool = False,
) -> uuid.UUID:
    """Record (or replace) how to reach the person who reported the signal; returns their person id.

    The reporter is told the outcome like anyone affected (the `unfounded` letter goes to them), so
    they need a postal address, or an email address with consent to electronic delivery.
    """
    clean = _check_contact(name, email, address, language, consent_electronic)
    with uow:
        incident_for(uow, principal, incident_id, "persons.import")
        now = uow.now()
        current = uow.persons.of_kind(incident_id, "reporter")
        person_id = current[0].id if current else uuid.uuid4()
        sealed = seal_identity(vault, person_id, bsn=None, **clean)
        values = {"language": language, "consent_electronic": consent_electronic, "updated_at": now, **sealed}
        if current:
            uow.persons.update_many([{"id": person_id, **values}])
        else:
            uow.persons.add_many(
                [{"id": person_id, "incident_id": incident_id, "kind": "reporter", "created_at": now, **values}]
            )
        uow.commit()
    return person_id


def _check_contact(
    name: str, email: str | None, address: dict[str, str] | None, language: str, consent: bool
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [messages.NAME_REQUIRED()]
    normalised, email_problem = normalise_email(email or "")
    email = normalised or None
    if email_problem:
        errors["email"] = [email_problem]
    clean_address = None
    if address:
        clean_address = {
            k: str(address.get(k) or "").strip() for k in ("street", "house_number", "postal_code", "city")
        }
        clean_address["addition"] = str(address.get("addition") or "").strip()
        for key in ("street", "house_number", "city"):
            if not clean_address[key]:
                errors[f"address.{key}"] = [REQUIRED()]
        match = POSTCODE.match(clean_address["postal_code"].upper())
        if not match:
            errors["address.postal_code"] = [messages.POSTCODE()]
        else:
            clean_address["postal_code"] = f"{match.group(1)} {match.group(2)}"
    if language not in ("nl", "en"):
        errors["language"] = [messages.LANGUAGE()]
    if not clean_address and not (email and consent):
        errors["address"] = [messages.ADDRESS_OR_EMAIL()]
    if errors:
        raise InvalidEvidence(messages.CONTACT_INVALID(), errors=errors)
    return {"name": name, "email": email, "address": clean_address}


def list_persons(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    page: int = 1,
    per_page: int = 50,
    bsn: str | None = None,
) -> dict[str, Any]:
    """A page of the incident's persons, the BSN masked to its last three digits (open_person shows it
    whole); identity only for roles that may see it (else None).

    `bsn` finds the person with that whole BSN, through its keyed hash: exact, and nothing is decrypted
    to find it. InvalidEvidence (field `bsn`) if it is not a BSN.
    """
    page, per_page = max(1, page), max(1, min(per_page, 500))
    digest = None
    if bsn is not None:
        number, problem = normalise_bsn(bsn.strip())
        if number is None:
            raise InvalidEvidence(messages.BSN_SEARCH_INVALID(), errors={"bsn": [problem or REQUIRED()]})
        digest = vault.bsn_hash(number)
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "persons.read", lock=False)
        visible = grant_for(principal, "persons.read_identity", incident.organisation_id) is not None
        rows, total = uow.persons.page(incident_id, page=page, per_page=per_page, bsn_hash=digest)
        items = [_person_view(vault, row, visible, uow.letters.latest_for_person(row.id)) for row in rows]
    for item in items:
        if item["identity"] is not None:
            item["identity"]["bsn"] = mask_bsn(item["identity"]["bsn"])
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "identity_visible": visible,
        "searched": digest is not None,
    }


def open_person(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    person_id: uuid.UUID,
) -> dict[str, Any]:
    """One person of the incident with their whole identity, BSN included: for who may see identities.

    NotFound for a person of another incident (or organisation), Forbidden for a role that may not see
    identities.

    Each opening is recorded on the incident's chain as `PersonIdentityOpened` — who, when, which person
    id; never the BSN or the name — in the same transaction, so no identity is shown unrecorded. The
    chain is where the incident's record already is: tamper-evident, read by its staff on the timeline
    and by oversight with the person id replaced by its pseudonym.
    """
    with uow:
        _incident, actor = incident_for(uow, principal, incident_id, "persons.read_identity")
        row = uow.persons.get(person_id)
        if row is None or row.incident_id != incident_id:
            raise NotFound(messages.PERSON_UNKNOWN(), rule="unknown-person")
        view = _person_view(vault, row, True, uow.letters.latest_for_person(row.id))
        # the decisions the persons file named for them, as their letter lists them (sealed like the identity)
        view["decisions"] = [
            {"reference": d.reference, "date": d.day, "subject": d.subject} for d in open_decisions(vault, row)
        ]
        append_to_timeline(
            uow,
            incident_id=incident_id,
            event_type="PersonIdentityOpened",
            payload={"person_id": str(row.id)},
            actor=actor,
        )
        uow.commit()
        return view


def mask_bsn(bsn: str | None) -> str | None:
    """A BSN as a list shows it: only its last three digits (``******123``)."""
    return None if bsn is None else "*" * (len(bsn) - 3) + bsn[-3:]


def _person_view(vault: Vault, row: AffectedPersonRow, visible: bool, letter: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "language": row.language,
        "consent_electronic": row.consent_electronic,
        "has_email": row.has_email,
        "has_address": row.has_address,
        "identity": open_identity(vault, row) if visible else None,
        "letter": (
            {"id": letter.id, "kind": letter.kind, "status": letter.status, "channel": letter.channel}
            if letter
            else None
        ),
    }
