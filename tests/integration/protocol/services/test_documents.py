"""Documents on an incident: stored with their digest, recorded on the chain, usable as evidence."""

from __future__ import annotations

import hashlib
import json

import pytest

from installation import Herstel
from protocol.services import (
    InvalidEvidence,
    Principal,
    complete_step,
    get_incident,
    get_timeline,
    start_step,
    upload_document,
    verify_incident,
)
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People


def test_a_document_is_recorded_on_the_chain_by_digest_not_by_name(
    herstel: Herstel, people: People, algorithm_id: object, clock: Clock
) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    content = b"%PDF-1.7 rapport van het onderzoeksbureau"

    document = upload_document(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident["id"],
        filename="rapport-J.Jansen.pdf",
        content_type="application/pdf",
        content=content,
    )

    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["size"] == len(content)
    events = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"])["events"]
    added = [e for e in events if e["type"] == "DocumentAdded"]
    assert [e["payload"]["sha256"] for e in added] == [document["sha256"]]
    assert "Jansen" not in json.dumps([e["payload"] for e in events])
    # adding a file does not change the protocol state, so nobody's version goes stale
    assert get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"])["version"] == 1
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident["id"]).valid


def test_evidence_can_name_only_a_document_of_the_same_incident(
    herstel: Herstel, people: People, algorithm_id: object, clock: Clock
) -> None:
    other = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    foreign = upload_document(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=other["id"],
        filename="ander.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.7 x",
    )
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    incident = start_step(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident["id"],
        step="investigate",
        version=incident["version"],
        evidence={"investigator": str(people.investigator.user_id)},
    )

    with pytest.raises(InvalidEvidence) as refused:
        complete_step(
            uow=herstel.uow(),
            principal=people.investigator,
            incident_id=incident["id"],
            step="investigate",
            version=incident["version"],
            evidence={"report_document": str(foreign["id"]), "conclusion": "established"},
        )
    assert refused.value.errors == {"report_document": ["no such document on this incident"]}


def test_invalid_uploads_name_the_field(herstel: Herstel, people: People, algorithm_id: object, clock: Clock) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    with pytest.raises(InvalidEvidence) as refused:
        upload_document(
            uow=herstel.uow(),
            principal=people.officer,
            incident_id=incident["id"],
            filename=" ",
            content_type="application/pdf",
            content=b"",
        )
    assert set(refused.value.errors) == {"filename", "file"}
