"""Driving incidents through the protocol with the services, the way the entry points do.

Shared by the integration tests; every action goes through `protocol.services` with a fresh unit
of work, so what is exercised is the real storage path (row locks, chain appends, the outbox).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from installation import Herstel
from protocol.services import (
    Principal,
    close_incident,
    complete_step,
    complete_step_as_system,
    get_incident,
    report_incident,
    start_step,
    upload_document,
    waive_step,
)

ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 1200,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanvragers met een tweede nationaliteit kregen vaker een hoog risicoprofiel.",
}
SUSPENSION = {
    "scope": "full",
    "fallback_procedure": "Handmatige beoordeling door twee medewerkers.",
    "not_working_since": "2026-10-01T00:00:00Z",
    "confirmed_by_owner": True,
}
REPORTING = {"bodies": [{"body": "autoriteit_persoonsgegevens", "informed_at": "2026-11-30T10:00:00Z"}]}
SANCTION = {"none_reason": "Geen individuele verwijtbaarheid vastgesteld."}
SAFEGUARD = {
    "safeguards": [{"measure": "owk-02", "description": "Jaarlijkse bias-toets.", "review_date": "2027-12-01"}]
}


@dataclass(frozen=True)
class People:
    """The staff an incident needs: an officer, two coordinators (four eyes) and an investigator."""

    officer: Principal
    coordinator: Principal
    second_coordinator: Principal
    investigator: Principal


def report(herstel: Herstel, people: People, algorithm_id: uuid.UUID, *, detected_at: datetime) -> dict[str, Any]:
    """Log a signal; the incident starts with `assess` active."""
    return report_incident(
        uow=herstel.uow(),
        principal=people.officer,
        algorithm_id=algorithm_id,
        title="Risicoprofiel benadeelt dubbele nationaliteit",
        description="Signaal van een medewerker.",
        source="employee",
        detected_at=detected_at,
        protected_grounds=["nationality"],
    )


def assess(herstel: Herstel, people: People, incident: dict[str, Any], **facts: Any) -> dict[str, Any]:
    """Complete the assessment (outcome `suspected` unless `facts` say otherwise)."""
    return complete_step(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={**ASSESSMENT, **facts},
    )


def do_step(herstel: Herstel, who: Principal, incident: dict[str, Any], step: str, evidence: Any) -> dict[str, Any]:
    """Start and complete one step."""
    incident = start_step(
        uow=herstel.uow(), principal=who, incident_id=incident["id"], step=step, version=incident["version"]
    )
    return complete_step(
        uow=herstel.uow(),
        principal=who,
        incident_id=incident["id"],
        step=step,
        version=incident["version"],
        evidence=evidence,
    )


def investigate(herstel: Herstel, people: People, incident: dict[str, Any]) -> dict[str, Any]:
    """Commission the investigator, who uploads the report and completes the step."""
    incident_id = incident["id"]
    incident = start_step(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident_id,
        step="investigate",
        version=incident["version"],
        evidence={"investigator": str(people.investigator.user_id), "due_date": "2027-03-01"},
    )
    document = upload_document(
        uow=herstel.uow(),
        principal=people.investigator,
        incident_id=incident_id,
        filename="onderzoeksrapport.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.7\n% onderzoeksrapport\n",
    )
    incident = get_incident(uow=herstel.uow(), principal=people.investigator, incident_id=incident_id)
    return complete_step(
        uow=herstel.uow(),
        principal=people.investigator,
        incident_id=incident_id,
        step="investigate",
        version=incident["version"],
        evidence={"report_document": str(document["id"]), "conclusion": "established"},
    )


def inform_by_system(herstel: Herstel, people: People, incident_id: uuid.UUID) -> dict[str, Any]:
    """What the letters capability does when the last letter is accounted for."""
    with herstel.uow() as uow:
        complete_step_as_system(
            uow, incident_id=incident_id, step="inform", evidence={"letters": 0, "delivered": 0, "failed": 0}
        )
        uow.commit()
    return get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident_id)


def request_waiver(herstel: Herstel, people: People, incident: dict[str, Any], step: str) -> dict[str, Any]:
    """Ask to waive a step that needs a second signature: records ApprovalRequested."""
    return waive_step(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident["id"],
        step=step,
        version=incident["version"],
        justification="Het algoritme blijft nodig voor de uitbetaling; compenserende maatregelen zijn getroffen.",
    )


def run_protocol(herstel: Herstel, people: People, algorithm_id: uuid.UUID, *, detected_at: datetime) -> dict[str, Any]:
    """One incident from report to close: assess, suspend, report, investigate, inform, sanction, safeguard."""
    incident = report(herstel, people, algorithm_id, detected_at=detected_at)
    incident = assess(herstel, people, incident)
    incident = do_step(herstel, people.officer, incident, "suspend", SUSPENSION)
    incident = do_step(herstel, people.officer, incident, "report", REPORTING)
    incident = investigate(herstel, people, incident)
    incident = inform_by_system(herstel, people, incident["id"])
    incident = do_step(herstel, people.officer, incident, "sanction", SANCTION)
    incident = do_step(herstel, people.officer, incident, "safeguard", SAFEGUARD)
    return close_incident(
        uow=herstel.uow(), principal=people.coordinator, incident_id=incident["id"], version=incident["version"]
    )
