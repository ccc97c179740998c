"""A protocol with other step and evidence names sends letters: what the letters say about each step,
the citizen's titles and the step that letters complete all come from its [steps.<key>.citizen] tables."""

from __future__ import annotations

from pathlib import Path

from notifications.services import (
    get_case_status,
    open_citizen_session,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import complete_step, get_incident, register_definition, report_incident, start_step
from tests.integration.notifications.conftest import CODE, import_readers, people, run_letters, start_notification

OTHER = (Path(__file__).parent / "other-protocol.toml").read_text("utf-8")


def test_a_definition_with_other_step_names_sends_letters(mailing, officer, algorithm, smtp_server, dispatched, clock):
    register_definition(uow=mailing.uow(), text=OTHER, source="other-protocol.toml")
    incident = report_incident(
        uow=mailing.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Hogere risicoscores",
        description="Een journalist meldt een patroon.",
        source="journalist",
        detected_at=mailing.clock(),
        protected_grounds=["nationality"],
        protocol=("test-letters", 1),
    )
    assert incident["protocol"]["key"] == "test-letters"
    incident = complete_step(
        uow=mailing.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="triage",
        version=incident["version"],
        evidence={"outcome": "established"},
    )
    incident = start_step(
        uow=mailing.uow(), principal=officer, incident_id=incident["id"], step="halt", version=incident["version"]
    )
    incident = complete_step(
        uow=mailing.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="halt",
        version=incident["version"],
        evidence={"extent": "partial", "broken_since": "2026-06-01T08:00:00+00:00"},
    )
    incident = start_step(
        uow=mailing.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="inquiry",
        version=incident["version"],
        evidence={"report_due": "2027-02-15"},
    )
    import_readers(mailing, officer, incident["id"], people(2, language=lambda i: ["nl", "en"][i]))

    started = start_campaign(
        uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification"
    )
    assert started["letters"] == 2
    after_start = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])
    assert after_start["steps"]["notify"]["state"] == "active"  # the campaign starts it
    run_letters(mailing, dispatched, clock)

    bodies = {str(m["To"]): m.get_body(("plain",)).get_content() for m in smtp_server.messages()}
    dutch, english = bodies["lezer00000@example.nl"], bodies["lezer00001@example.nl"]
    # the dates the definition lets a letter quote, from the evidence fields it names
    assert "werkte sinds 1 juni 2026 niet zoals het hoort" in " ".join(dutch.split())
    assert "Wij zijn gestopt met het programma voor het deel dat fout ging" in " ".join(dutch.split())
    assert "Het onderzoek is uiterlijk 15 februari 2027 klaar" in " ".join(dutch.split())
    assert "has not worked as it should since 1 June 2026" in " ".join(english.split())
    assert "finished by 15 February 2027" in " ".join(english.split())

    # delivery completes the step the definition names for letters, with the counts it declares
    after = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])
    notify = after["steps"]["notify"]
    assert notify["state"] == "completed"
    assert notify["evidence"] == {"letters": 2, "delivered": 2}

    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        access_code=CODE.search(dutch).group(1),
    )
    status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=session.token)
    steps = {s["key"]: s for s in status["steps"]}
    assert list(steps) == ["triage", "halt", "inquiry", "notify"]
    assert steps["notify"]["title"] == "Iedereen een brief sturen"
    assert steps["notify"]["state"] == "completed"
    assert steps["halt"]["titles"] == {"nl": "Het programma stilleggen", "en": "Halting the program"}
    assert steps["inquiry"]["state"] == "active"


def test_an_incident_under_version_2_takes_the_citizens_words_from_version_3(
    mailing, officer, algorithm, smtp_server, dispatched, clock
):
    incident = report_incident(
        uow=mailing.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Hogere risicoscores",
        description="Een journalist meldt een patroon.",
        source="journalist",
        detected_at=mailing.clock(),
        protected_grounds=["nationality"],
        protocol=("nl-discrimination", 2),  # published before the citizen tables, never changed since
    )
    incident = complete_step(
        uow=mailing.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={
            "outcome": "established",
            "severity": 3,
            "estimated_affected": 2,
            "high_risk_ai": False,
            "personal_data_breach": False,
            "widespread": False,
            "summary": "Nationaliteit werkt door in de score.",
        },
    )
    incident = start_step(
        uow=mailing.uow(), principal=officer, incident_id=incident["id"], step="suspend", version=incident["version"]
    )
    complete_step(
        uow=mailing.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="suspend",
        version=incident["version"],
        evidence={
            "scope": "full",
            "fallback_procedure": "Handmatig.",
            "not_working_since": "2026-06-01T08:00:00+00:00",
            "confirmed_by_owner": True,
        },
    )
    start_notification(mailing, officer, incident["id"], people(1, language=lambda i: "nl"))
    run_letters(mailing, dispatched, clock)

    (message,) = smtp_server.messages()
    body = " ".join(message.get_body(("plain",)).get_content().split())
    assert "werkte sinds 1 juni 2026 niet zoals het hoort" in body
    assert "Wij zijn gestopt met het programma." in body
    after = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])
    assert after["protocol"]["version"] == 2
    assert after["steps"]["inform"]["state"] == "completed"
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        access_code=CODE.search(body).group(1),
    )
    steps = {
        s["key"]: s
        for s in get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=session.token)[
            "steps"
        ]
    }
    assert steps["suspend"]["title"] == "Het computerprogramma stoppen"  # version 3's words
