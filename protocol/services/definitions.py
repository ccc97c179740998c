"""Protocol definitions: check a file, register a new version, keep the built-in ones in the database."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from protocol import messages
from protocol.definition import ProtocolDefinition, StepDefinition
from protocol.errors import NotFound, StateConflict
from protocol.evidence import EvidenceSchema
from protocol.loader import builtin_definition_paths, load_definition_file, load_definition_text
from protocol.storage.tables import ProtocolDefinitionRow
from protocol.storage.uow import UnitOfWork

DEFAULT_PROTOCOL = "nl-discrimination"
MAX_VERSION = 2**31 - 1


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
                    messages.DEFINITION_IMMUTABLE(definition=definition.ref),
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


def describe_definition(*, uow: UnitOfWork, key: str, version: int) -> dict[str, Any]:
    """A registered definition as data: its steps with their rules and the JSON Schema of their
    evidence, and its deadline rules. Clients build forms and requests from this, so a new
    definition needs no new code."""
    if not 1 <= version <= MAX_VERSION or len(key) > 64:  # beyond what the table can hold: not there
        raise NotFound(messages.PROTOCOL_NOT_REGISTERED(definition=f"{key}@{version}"), rule="unknown-protocol")
    definition = uow.definitions(key, version)
    return {
        "key": definition.key,
        "version": definition.version,
        "digest": definition.digest,
        "title": dict(definition.title),
        "sources": list(definition.sources),
        "incident_sources": list(definition.incident_sources),
        "protected_grounds": list(definition.protected_grounds),
        "steps": [_step_description(definition.step(k)) for k in definition.order()],
        "deadlines": [
            {
                "key": rule.key,
                "title": dict(rule.title),
                "trigger": list(rule.trigger.events),
                "period": rule.period.describe(),
                "working_days_rule": rule.calendar.value != "hours",
                "calendar_rule": rule.calendar.value,
                "runs_from": rule.runs_from_fact or rule.runs_from,
                "applies_when": rule.applies_when.describe() if rule.applies_when else None,
                "effective_from": rule.effective_from,
                "legal_basis": rule.legal_basis,
                "escalate_to": list(rule.escalate_to),
            }
            for rule in definition.deadlines
        ],
    }


def _step_description(step: StepDefinition) -> dict[str, Any]:
    waiver = step.waiver
    return {
        "key": step.key,
        "title": dict(step.title),
        "description": dict(step.description),
        "requires": list(step.requires),
        "applies_when": step.applies_when.describe() if step.applies_when else None,
        "auto_start": step.auto_start,
        "completion": step.completion,
        "waiver": {
            "allowed": waiver.allowed,
            "forbidden_when": waiver.forbidden_when.describe() if waiver.forbidden_when else None,
            "forbidden_reason": waiver.forbidden_reason or None,
            "two_person_when": waiver.two_person_when.describe() if waiver.two_person_when else None,
        },
        "start_evidence": _json_schema(step.start_evidence),
        "evidence": _json_schema(step.evidence),
        "citizen": _citizen_description(step),
    }


def _citizen_description(step: StepDefinition) -> dict[str, Any] | None:
    view = step.citizen
    if view is None:
        return None
    return {
        "title": dict(view.title),
        "role": view.role,
        "date": view.date,
        "scope": view.scope,
        "tells": view.tells,
        "item": view.item,
        "words": {choice: dict(text) for choice, text in view.words.items()},
        "lead": dict(view.lead),
        "skipped": dict(view.skipped),
    }


def _json_schema(schema: EvidenceSchema) -> dict[str, Any]:
    """The evidence as JSON Schema, with its "at least one of" groups as anyOf."""
    result = schema.to_json_schema()
    groups = [{"anyOf": [{"required": [name]} for name in group]} for group in schema.one_of]
    if groups:
        result["allOf"] = groups
    return result
