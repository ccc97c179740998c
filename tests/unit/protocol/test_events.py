"""Domain events: only known types, aware times, and payloads the canonical encoding can carry exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from protocol.events import EVENT_TYPES, DomainEvent, PayloadError, check_payload

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_an_event_of_a_known_type_is_made() -> None:
    event = DomainEvent("StepStarted", {"step": "assess", "nested": {"list": [1, None, True, "x"]}}, "system", NOW)

    assert event.type in EVENT_TYPES
    assert event.payload["nested"]["list"] == [1, None, True, "x"]


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(PayloadError, match="unknown event type StepFinished"):
        DomainEvent("StepFinished", {}, "system", NOW)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(PayloadError, match="timezone-aware"):
        DomainEvent("StepStarted", {}, "system", NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"ratio": 0.5}, r"payload\.ratio: floats"),
        ({"list": [1, [2.0]]}, r"payload\.list\[1\]\[0\]: floats"),
        ({"blob": b"bytes"}, r"payload\.blob: bytes is not allowed"),
        ({"id": UUID(int=1)}, r"payload\.id: UUID is not allowed"),
        ({"when": NOW}, r"payload\.when: datetime is not allowed"),
        ({"set": {1, 2}}, r"payload\.set: set is not allowed"),
        ({"deep": {1: "x"}}, r"payload\.deep: keys must be strings"),
    ],
)
def test_payloads_that_cannot_be_encoded_exactly_are_refused_naming_the_path(
    payload: dict[str, Any], where: str
) -> None:
    with pytest.raises(PayloadError, match=where):
        check_payload(payload)
    with pytest.raises(PayloadError):
        DomainEvent("StepStarted", payload, "system", NOW)


def test_the_catalogue_holds_every_event_the_design_names() -> None:
    named = {
        "IncidentReported",
        "StepStarted",
        "StepCompleted",
        "StepWaived",
        "AlgorithmSuspended",
        "AffectedPersonsImported",
        "LetterQueued",
        "LetterSent",
        "LetterDelivered",
        "LetterFailed",
        "DeadlineSet",
        "DeadlineApproaching",
        "DeadlineMissed",
        "DeadlineMet",
        "CitizenResponded",
        "IncidentClosed",
        "IncidentReopened",
    }

    assert named <= EVENT_TYPES
