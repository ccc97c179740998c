"""GET /incidents/{id} from the read model answers exactly what the aggregate answers.

The read model (protocol.storage.incident_views) keeps each incident's document in the transaction
that saves it, and the API finishes it per caller (actions, overdue, algorithm, owner). At every
stage of an incident's life, for every kind of reader, the bytes it answers are compared with the
answer read from the aggregate (the document removed, so the API falls back to `get_incident`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel, downgrade_database, upgrade_database
from protocol.services import SYSTEM, reject_approval, reopen_incident
from protocol.storage.tables import IncidentViewRow
from tests.conftest import Clock
from tests.integration.flows import (
    REPORTING,
    SAFEGUARD,
    SANCTION,
    SUSPENSION,
    People,
    assess,
    close_incident,
    do_step,
    inform_by_system,
    investigate,
    report,
    request_waiver,
)
from tests.integration.web.conftest import Api

VIEWS: sa.Table = IncidentViewRow.__table__  # type: ignore[assignment]


def stored_version(herstel: Herstel, incident_id: uuid.UUID) -> int | None:
    with herstel.db.engine.connect() as connection:
        found = connection.execute(
            sa.select(VIEWS.c.version).where(VIEWS.c.incident_id == incident_id)
        ).scalar_one_or_none()
    return int(found) if found is not None else None


def forget(herstel: Herstel, incident_id: uuid.UUID) -> None:
    with herstel.db.engine.begin() as connection:
        connection.execute(sa.delete(VIEWS).where(VIEWS.c.incident_id == incident_id))


@pytest.fixture
def readers(as_user: Callable[..., Api], people: People, make_user: Callable[..., Any]) -> list[Api]:
    """The officer, both coordinators, the investigator (once assigned) and an oversight reader."""
    return [
        as_user(principal=people.officer),
        as_user(principal=people.coordinator),
        as_user(principal=people.second_coordinator),
        as_user(principal=people.investigator),
        as_user("oversight"),
    ]


def same_answers(herstel: Herstel, readers: list[Api], incident: dict[str, Any]) -> dict[str, Any]:
    """Each reader's answer from the read model equals the one from the aggregate; the incident as stored."""
    path = f"/incidents/{incident['id']}"
    assert stored_version(herstel, incident["id"]) == incident["version"]  # written with the action
    from_view = [(api.get(path).status_code, api.get(path).get_data()) for api in readers]
    forget(herstel, incident["id"])
    from_aggregate = [(api.get(path).status_code, api.get(path).get_data()) for api in readers]
    assert from_view == from_aggregate
    assert from_view[0][0] == 200
    body: dict[str, Any] = readers[0].ok(readers[0].get(path))
    return body


def test_every_stage_reads_the_same_from_the_view_as_from_the_aggregate(
    herstel: Herstel, people: People, algorithm: dict[str, Any], readers: list[Api], clock: Clock
) -> None:
    incident = report(herstel, people, algorithm["id"], detected_at=clock())
    same_answers(herstel, readers, incident)
    incident = assess(herstel, people, incident)
    same_answers(herstel, readers, incident)
    waiting = request_waiver(herstel, people, incident, "suspend")  # a pending approval: no waive for anyone
    same_answers(herstel, readers, waiting)
    incident = reject_approval(
        uow=herstel.uow(),
        principal=people.second_coordinator,
        incident_id=incident["id"],
        approval_id=waiting["approval_id"],
        version=waiting["version"],
        note="Niet nu.",
    )
    same_answers(herstel, readers, incident)
    incident = do_step(herstel, people.officer, incident, "suspend", SUSPENSION)
    incident = do_step(herstel, people.officer, incident, "report", REPORTING)
    same_answers(herstel, readers, incident)
    incident = investigate(herstel, people, incident)  # assigned: the investigator reads it too
    same_answers(herstel, readers, incident)
    clock.advance(days=400)  # every open deadline overdue now, though nothing was written since
    incident = inform_by_system(herstel, people, incident["id"])
    body = same_answers(herstel, readers, incident)
    assert any(deadline["overdue"] for deadline in body["deadlines"])
    incident = do_step(herstel, people.officer, incident, "sanction", SANCTION)
    incident = do_step(herstel, people.officer, incident, "safeguard", SAFEGUARD)
    incident = close_incident(
        uow=herstel.uow(), principal=people.coordinator, incident_id=incident["id"], version=incident["version"]
    )
    same_answers(herstel, readers, incident)
    incident = reopen_incident(
        uow=herstel.uow(),
        principal=people.coordinator,
        incident_id=incident["id"],
        version=incident["version"],
        justification="Nieuwe signalen.",
        steps=["safeguard"],
    )
    same_answers(herstel, readers, incident)


def test_the_view_is_what_is_read_and_only_while_the_incident_has_not_moved_on(
    herstel: Herstel, people: People, algorithm: dict[str, Any], readers: list[Api], clock: Clock
) -> None:
    incident = assess(herstel, people, report(herstel, people, algorithm["id"], detected_at=clock()))
    officer, path = readers[0], f"/incidents/{incident['id']}"
    with herstel.db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE incident_views SET document = replace(document, :title, 'Uit het leesmodel')"),
            {"title": incident["title"]},
        )
    assert officer.ok(officer.get(path))["title"] == "Uit het leesmodel"  # one statement, not the aggregate
    with herstel.db.engine.begin() as connection:  # as if written at an older version: stale
        connection.execute(sa.text("UPDATE incident_views SET version = version - 1"))
    assert officer.ok(officer.get(path))["title"] == incident["title"]
    moved = do_step(herstel, people.officer, incident, "suspend", SUSPENSION)
    assert stored_version(herstel, incident["id"]) == moved["version"]
    assert officer.ok(officer.get(path))["title"] == incident["title"]


def record_letters(herstel: Herstel, incident_id: uuid.UUID) -> None:
    """A batch of letters recorded on the incident's chain, its aggregate unchanged."""
    with herstel.uow() as uow:
        incident = uow.incidents.get(incident_id)
        batch = {"campaign_id": str(uuid.uuid4()), "batch": 1, "status": "delivered", "count": 500}
        incident.note("LettersBatchRecorded", {**batch, "ledger_digest": "0" * 64}, actor=SYSTEM, now=uow.now())
        uow.incidents.save(incident)
        uow.commit()


def stored_document(herstel: Herstel, incident_id: uuid.UUID) -> tuple[int, str]:
    with herstel.db.engine.connect() as connection:
        found = connection.execute(
            sa.select(VIEWS.c.revision, VIEWS.c.document).where(VIEWS.c.incident_id == incident_id)
        ).one()
    return int(found.revision), str(found.document)


def test_appending_alone_leaves_the_document_good_and_a_change_writes_it_again(
    herstel: Herstel, people: People, algorithm: dict[str, Any], readers: list[Api], clock: Clock
) -> None:
    """A batch of letters recorded on the chain changes nothing the document shows: it is neither
    written again nor made stale. The next change to the incident writes it again."""
    incident = assess(herstel, people, report(herstel, people, algorithm["id"], detected_at=clock()))
    officer, path = readers[0], f"/incidents/{incident['id']}"
    with herstel.db.engine.begin() as connection:  # a mark that shows whether the document was written again
        connection.execute(
            sa.text("UPDATE incident_views SET document = replace(document, :title, 'Uit het leesmodel')"),
            {"title": incident["title"]},
        )
    before = stored_document(herstel, incident["id"])

    record_letters(herstel, incident["id"])

    assert stored_document(herstel, incident["id"]) == before  # not written again
    assert officer.ok(officer.get(path))["title"] == "Uit het leesmodel"  # and still good: read from it
    moved = do_step(herstel, people.officer, incident, "suspend", SUSPENSION)
    revision, document = stored_document(herstel, incident["id"])
    assert revision > before[0]
    assert "Uit het leesmodel" not in document  # written again from the aggregate
    same_answers(herstel, readers, moved)


def test_the_migration_to_revisions_keeps_the_documents_that_were_current(
    herstel: Herstel, people: People, algorithm: dict[str, Any], readers: list[Api], clock: Clock
) -> None:
    """0019 replaces the documents' chain length by the incident's revision: a document written at
    the incident's present chain length stays good, any other is stale until the next change."""
    current, behind = (
        assess(herstel, people, report(herstel, people, algorithm["id"], detected_at=clock())) for _ in "ab"
    )
    downgrade_database(herstel=herstel, revision="0018_incident_views")  # its documents: all stale (-1)
    with herstel.db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE incident_views SET last_seq = (SELECT last_seq FROM incidents WHERE id = :id),"
                " document = replace(document, :title, 'Uit het leesmodel') WHERE incident_id = :id"
            ).bindparams(sa.bindparam("id", type_=sa.Uuid)),
            {"id": current["id"], "title": current["title"]},
        )

    upgrade_database(herstel=herstel)

    assert [stored_document(herstel, incident["id"])[0] for incident in (current, behind)] == [0, -1]
    officer = readers[0]
    assert officer.ok(officer.get(f"/incidents/{current['id']}"))["title"] == "Uit het leesmodel"
    assert officer.ok(officer.get(f"/incidents/{behind['id']}"))["title"] == behind["title"]


def test_a_reader_outside_the_incident_finds_nothing_through_the_view(
    herstel: Herstel, people: People, algorithm: dict[str, Any], as_user: Callable[..., Api], clock: Clock
) -> None:
    incident = assess(herstel, people, report(herstel, people, algorithm["id"], detected_at=clock()))
    assert stored_version(herstel, incident["id"]) == incident["version"]
    unassigned = as_user("investigator")
    assert unassigned.get(f"/incidents/{incident['id']}").status_code == 404
