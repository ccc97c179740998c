"""Organisations sharing an installation (a ministry, an agency, a municipality)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from protocol import messages
from protocol.errors import InvalidEvidence, NotFound, StateConflict
from protocol.storage.tables import DEFAULT_ORGANISATION_ID, OrganisationRow
from protocol.storage.uow import UnitOfWork


def ensure_default_organisation(*, uow: UnitOfWork) -> uuid.UUID:
    """Make sure the installation's default organisation exists (a single body needs nothing else)."""
    with uow:
        if uow.accounts.organisation(DEFAULT_ORGANISATION_ID) is None:
            uow.accounts.add_organisation(
                OrganisationRow(
                    id=DEFAULT_ORGANISATION_ID,
                    slug="default",
                    name="Standaardorganisatie",
                    reference_prefix="HST",
                    next_incident_number=1,
                    created_at=uow.now(),
                )
            )
            uow.commit()
    return DEFAULT_ORGANISATION_ID


def create_organisation(*, uow: UnitOfWork, slug: str, name: str, reference_prefix: str) -> uuid.UUID:
    """Add an organisation (a ministry, an agency, a municipality) to a shared installation."""
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", slug):
        errors["slug"] = [messages.SLUG_FORMAT()]
    if not name.strip():
        errors["name"] = [messages.REQUIRED()]
    if not re.fullmatch(r"[A-Z]{2,8}", reference_prefix):
        errors["reference_prefix"] = [messages.PREFIX_FORMAT()]
    if errors:
        raise InvalidEvidence(messages.ORGANISATION_INVALID(), errors=errors)
    with uow:
        if uow.accounts.organisation_by_slug(slug):
            raise StateConflict(messages.ORGANISATION_EXISTS(slug=slug), rule="duplicate")
        organisation_id = uuid.uuid4()
        uow.accounts.add_organisation(
            OrganisationRow(
                id=organisation_id,
                slug=slug,
                name=name.strip(),
                reference_prefix=reference_prefix,
                next_incident_number=1,
                created_at=uow.now(),
            )
        )
        uow.commit()
    return organisation_id


def organisation_id_for(*, uow: UnitOfWork, slug: str | None) -> uuid.UUID:
    """The id of an organisation by slug; the default organisation when no slug is given."""
    if slug is None:
        return ensure_default_organisation(uow=uow)
    with uow.read_only():
        row = uow.accounts.organisation_by_slug(slug)
        if row is None:
            raise NotFound(messages.NO_ORGANISATION(organisation=slug), rule="unknown-organisation")
        return row.id


def list_organisations(*, uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow.read_only():
        return [{"id": o.id, "slug": o.slug, "name": o.name} for o in uow.accounts.organisations()]
