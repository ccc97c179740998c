"""Who sees an incident: an incident outside a principal's reach is not found, never forbidden."""

from __future__ import annotations

import pytest

from installation import Herstel
from protocol.services import Forbidden, NotFound, Principal, get_incident, start_step, upload_document, verify_incident
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People


def test_an_unassigned_investigator_does_not_learn_that_an_incident_exists(
    herstel: Herstel, people: People, algorithm_id: object, clock: Clock
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))

    with pytest.raises(NotFound):
        get_incident(uow=herstel.uow(), principal=people.investigator, incident_id=incident["id"])

    start_step(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident["id"],
        step="investigate",
        version=incident["version"],
        evidence={"investigator": str(people.investigator.user_id)},
    )
    seen = get_incident(uow=herstel.uow(), principal=people.investigator, incident_id=incident["id"])
    assert seen["id"] == incident["id"]
    # assigned, but still not allowed to act outside their step
    with pytest.raises(Forbidden):
        start_step(
            uow=herstel.uow(),
            principal=people.investigator,
            incident_id=incident["id"],
            step="report",
            version=seen["version"],
        )


def test_oversight_verifies_without_reading_the_incident(
    herstel: Herstel, people: People, algorithm_id: object, clock: Clock, make_user: object
) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    oversight: Principal = make_user("oversight")  # type: ignore[operator]

    report = verify_incident(uow=herstel.uow(), incident_id=incident["id"], principal=oversight)

    assert report.valid
    with pytest.raises(NotFound):  # oversight sees pseudonymised views only, never the incident itself
        get_incident(uow=herstel.uow(), principal=oversight, incident_id=incident["id"])


def test_an_investigator_uploads_only_to_incidents_assigned_to_them(
    herstel: Herstel, people: People, algorithm_id: object, clock: Clock
) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    with pytest.raises(NotFound):
        upload_document(
            uow=herstel.uow(),
            principal=people.investigator,
            incident_id=incident["id"],
            filename="rapport.pdf",
            content_type="application/pdf",
            content=b"%PDF-1.7 x",
        )
