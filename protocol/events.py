"""Domain events: the timeline of an incident, one past-tense fact at a time.

Payloads are JSON objects of strings, integers, booleans, null, lists and objects — no floats,
so that the canonical encoding is exact — and never carry personal data: persons and users are
referred to by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

# The catalogue of event types. Definitions may only refer to these.
EVENT_TYPES = frozenset(
    {
        "IncidentReported",
        "StepStarted",
        "StepCompleted",
        "StepWaived",
        "DeadlineWaived",
        "StepReopened",
        "StepNotApplicable",
        "StepApplicable",
        "FactsChanged",
        "ApprovalRequested",
        "ApprovalGranted",
        "ApprovalRejected",
        "InvestigatorAssigned",
        "OwnerAssigned",
        "AlgorithmSuspended",
        "AffectedPersonsImported",
        "PersonIdentityOpened",  # staff opened one person's whole identity (BSN): the person id, never the BSN
        "LetterCampaignStarted",
        "LetterQueued",
        "LetterSent",
        "LetterDelivered",
        "LetterFailed",
        "LettersBatchRecorded",
        "DeadlineSet",
        "DeadlineApproaching",
        "DeadlineMissed",
        "DeadlineMet",
        "DeadlineWithdrawn",
        "DeadlineEscalated",
        "DeadlineMissAccounted",
        "CitizenResponded",
        "CitizenResponseAnswered",
        "CitizenResponseAssigned",
        "CitizenObjectionDecided",
        "DocumentAdded",
        "IncidentClosed",
        "IncidentReopened",
    }
)


class PayloadError(ValueError):
    """A payload value cannot be encoded canonically."""


@dataclass(frozen=True)
class DomainEvent:
    """An event recorded by the domain, not yet placed on the chain."""

    type: str
    payload: Mapping[str, Any]
    actor: str
    at: datetime

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise PayloadError(f"unknown event type {self.type}")
        if self.at.tzinfo is None:
            raise PayloadError("event time must be timezone-aware")
        check_payload(self.payload)


@dataclass(frozen=True)
class StoredEvent:
    """An event as it stands on an incident's chain."""

    incident_id: UUID
    seq: int
    type: str
    at: datetime
    actor: str
    payload_json: str  # canonical JSON text of the payload
    prev_hash: str
    hash: str
    id: int | None = None


# I-JSON (RFC 7493) and JCS (RFC 8785) read numbers as IEEE doubles: beyond this an integer
# would be rewritten by any other canonicaliser, and an outside verifier's hash would differ.
SAFE_INTEGER = 2**53 - 1


def check_payload(value: Any, path: str = "payload") -> None:
    """Refuse values the canonical encoding cannot represent exactly (floats, huge integers, bytes, objects)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > SAFE_INTEGER:
        raise PayloadError(f"{path}: integers beyond ±{SAFE_INTEGER} are not exact in JSON")
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise PayloadError(f"{path}: floats are not allowed in event payloads")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(f"{path}: keys must be strings")
            check_payload(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_payload(item, f"{path}[{index}]")
        return
    raise PayloadError(f"{path}: {type(value).__name__} is not allowed in event payloads")
