"""Protocol definitions: check a file, register a new version, keep the built-in ones in the database."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from protocol.definition import ProtocolDefinition
from protocol.errors import StateConflict
from protocol.loader import builtin_definition_paths, load_definition_file, load_definition_text
from protocol.storage.tables import ProtocolDefinitionRow
from protocol.storage.uow import UnitOfWork

DEFAULT_PROTOCOL = "nl-discrimination"


def check_definition_file(path: str | Path) -> ProtocolDefinition:
    """Validate a definition file; raises DefinitionError naming the file and key at fault."""
    return load_definition_file(path)


def register_definition(
    *, uow: UnitOfWork, text: str, source: str, organisation_id: uuid.UUID | None = None
) -> ProtocolDefinition:
    """Store a new definition version. A version, once registered, can never change."""
    definition = load_definition_text(text, source=source)
    with uow:
        existing = uow.protocols.get(definition.key, definition.version)
        if existing is not None:
            if existing.digest != definition.digest:
                raise StateConflict(
                    f"{definition.ref} is registered already with different content; publish it as a new version",
                    rule="definition-immutable",
                )
            return definition
        uow.protocols.add(
            ProtocolDefinitionRow(
                id=uuid.uuid4(),
                key=definition.key,
                version=definition.version,
                organisation_id=organisation_id,
                digest=definition.digest,
                source_text=text,
                registered_at=uow.now(),
            )
        )
        uow.commit()
    return definition


def sync_builtin_definitions(*, uow_factory: Any) -> list[str]:
    """Register the definitions shipped with Herstel that the database does not have yet."""
    registered = []
    for path in builtin_definition_paths():
        definition = register_definition(uow=uow_factory(), text=path.read_text("utf-8"), source=str(path))
        registered.append(definition.ref)
    return registered


def list_definitions(*, uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow.read_only():
        return [
            {
                "key": r.key,
                "version": r.version,
                "digest": r.digest,
                "organisation_id": r.organisation_id,
                "registered_at": r.registered_at,
            }
            for r in uow.protocols.list()
        ]


def get_definition(*, uow: UnitOfWork, key: str, version: int) -> ProtocolDefinition:
    """A registered definition (to render step forms and evidence schemas from)."""
    return uow.definitions(key, version)
