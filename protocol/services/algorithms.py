"""The algorithms incidents are about, as the algorithm register describes them."""

from __future__ import annotations

import re
import uuid
from typing import Any

from protocol import messages
from protocol.domains import ALGORITHM_DOMAINS
from protocol.errors import InvalidEvidence, NotFound, StateConflict
from protocol.identity import Principal
from protocol.permissions import organisations_for
from protocol.services.access import organisation_for
from protocol.storage.tables import AlgorithmRow
from protocol.storage.uow import UnitOfWork

REGISTER_STATUSES = ("In ontwikkeling", "In gebruik", "Buiten gebruik")
PUBLICATION_CATEGORIES = {"A": "high-risk AI system", "B": "impactful algorithm", "C": "other"}


def lars_is_valid(code: str) -> bool:
    """The Algoritmeregister's LARS code: 8 digits, the last a check digit.

    The check digit is (3 × (d1+d3+d5+d7) + (d2+d4+d6)) mod 10, as the register computes it
    (MinBZK/Algoritmeregister, backend/app/util/upc.py).
    """
    if not re.fullmatch(r"\d{8}", code):
        return False
    d = [int(c) for c in code]
    return (3 * (d[0] + d[2] + d[4] + d[6]) + d[1] + d[3] + d[5]) % 10 == d[7]


def algorithm_view(row: AlgorithmRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "organisation_id": row.organisation_id,
        "name": row.name,
        "lars": row.lars,
        "register_status": row.register_status,
        "publication_category": row.publication_category,
        "domain": row.domain,
        "suspended": row.suspended,
        "suspended_at": row.suspended_at,
        "suspended_by_incident_id": row.suspended_by_incident_id,
        "created_at": row.created_at,
    }


def register_algorithm(
    *,
    uow: UnitOfWork,
    principal: Principal,
    name: str,
    organisation_id: uuid.UUID | None = None,
    lars: str | None = None,
    register_status: str | None = None,
    publication_category: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """Record an algorithm of the organisation so that incidents can be reported about it.

    `domain`: the policy domain it decides in (protocol.domains), which gives the letters their example
    of a consequence; None keeps the letters' neutral wording.
    """
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [messages.REQUIRED()]
    elif len(name) > 200:
        errors["name"] = [messages.TOO_LONG(limit=200)]
    if lars is not None and not lars_is_valid(lars):
        errors["lars"] = [messages.LARS_INVALID()]
    if register_status is not None and register_status not in REGISTER_STATUSES:
        errors["register_status"] = [messages.ONE_OF(choices=messages.joined(REGISTER_STATUSES))]
    if publication_category is not None and publication_category not in PUBLICATION_CATEGORIES:
        errors["publication_category"] = [messages.PUBLICATION_CATEGORY()]
    if domain is not None and domain not in ALGORITHM_DOMAINS:
        errors["domain"] = [messages.ONE_OF(choices=messages.joined(ALGORITHM_DOMAINS))]
    if errors:
        raise InvalidEvidence(messages.ALGORITHM_INVALID(), errors=errors)
    with uow:
        organisation_id = organisation_for(principal, "algorithm.register", organisation_id)
        if uow.algorithms.by_name(organisation_id, name) is not None:
            raise StateConflict(messages.ALGORITHM_EXISTS(name=repr(name)), rule="duplicate")
        row = AlgorithmRow(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            name=name,
            lars=lars,
            register_status=register_status,
            publication_category=publication_category,
            domain=domain,
            suspended=False,
            created_at=uow.now(),
        )
        uow.algorithms.add(row)
        view = algorithm_view(row)
        uow.commit()
        return view


def list_algorithms(*, uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    """The algorithms of every organisation the principal may read."""
    with uow.read_only():
        orgs = organisations_for(principal, "algorithm.read")
        return [algorithm_view(r) for r in uow.algorithms.list(organisation_ids=orgs)]


def get_algorithm(*, uow: UnitOfWork, principal: Principal, algorithm_id: uuid.UUID) -> dict[str, Any]:
    with uow.read_only():
        row = uow.algorithms.get(algorithm_id, organisation_ids=organisations_for(principal, "algorithm.read"))
        if row is None:
            raise NotFound(messages.NO_ALGORITHM(algorithm_id=algorithm_id), rule="unknown-algorithm")
        return algorithm_view(row)
