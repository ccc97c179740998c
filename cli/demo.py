"""The demo's example data: users of every role and two incidents at realistic points in the protocol."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import click

from installation import Herstel
from notifications.services import seed_demo_letters, unit_of_work_factory
from protocol.services import (
    Principal,
    complete_step,
    create_user,
    ensure_default_organisation,
    get_principal,
    list_algorithms,
    register_algorithm,
    report_incident,
    start_step,
    waive_step,
)

DOMAIN = "demo.herstel.nl"
USERS = [
    ("officer", "Fatima El Amrani"),
    ("coordinator", "Joost de Wit"),
    ("coordinator2", "Ingrid Bakker"),
    ("investigator", "Prof. Sanne Visser"),
    ("oversight", "Auditdienst Rijk"),
    ("admin", "Beheerder"),
]


def seed_demo(herstel: Herstel, url: str) -> None:
    """Create the demo users (new passwords every start) and, once, the example incidents."""
    if herstel.settings.production:
        raise click.UsageError("the demo refuses to seed a production installation")
    organisation_id = ensure_default_organisation(uow=herstel.uow())
    logins = []
    ids: dict[str, Any] = {}
    for key, name in USERS:
        role = key.rstrip("2")
        password = "demo-" + secrets.token_urlsafe(9)
        email = f"{key}@{DOMAIN}"
        ids[key] = create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email=email,
            roles=[role],
            organisation_id=organisation_id,
            display_name=name,
            password=password,
        )
        logins.append((email, password, role))
    officer = get_principal(uow=herstel.uow(), user_id=ids["officer"])
    if not list_algorithms(uow=herstel.uow(), principal=officer):
        _seed_incidents(herstel, officer, ids)
    click.echo(f"\nDemo at {url}  — log in with one of:")
    for email, password, role in logins:
        click.echo(f"  {role:<13} {email:<32} {password}")
    click.echo(f"The letters the demo sent are in its mailbox, {url}/mailbox (as officer or coordinator);")
    click.echo(f"a citizen opens theirs at {url}/citizen with the code printed in it.")
    click.echo("")


def _seed_incidents(herstel: Herstel, officer: Principal, ids: dict[str, Any]) -> None:
    uow = herstel.uow
    now = herstel.clock()
    welfare = register_algorithm(
        uow=uow(),
        principal=officer,
        name="Risicoscoringsmodel bijstand",
        lars="12345670",
        register_status="In gebruik",
        publication_category="B",
        domain="benefits",
    )
    grants = register_algorithm(
        uow=uow(),
        principal=officer,
        name="Controle uitwonendenbeurs",
        lars="31415923",
        register_status="In gebruik",
        publication_category="B",
        domain="student_finance",
    )
    first = report_incident(
        uow=uow(),
        principal=officer,
        algorithm_id=welfare["id"],
        title="Hogere risicoscores voor bijstandsontvangers met een migratieachtergrond",
        description=(
            "Een journalist meldt dat het risicomodel ontvangers met een niet-Nederlandse nationaliteit "
            "vaker selecteert voor heronderzoek. Een eerste analyse van de selecties 2021–2025 bevestigt het patroon."
        ),
        source="journalist",
        detected_at=now - timedelta(days=3),
        protected_grounds=["nationality", "ethnicity"],
    )
    incident = complete_step(
        uow=uow(),
        principal=officer,
        incident_id=first["id"],
        step="assess",
        version=first["version"],
        evidence={
            "outcome": "established",
            "severity": 3,
            "estimated_affected": 30_000,
            "high_risk_ai": False,
            "personal_data_breach": False,
            "widespread": False,
            "summary": (
                "Nationaliteit werkt via postcode en taalvariabelen door in de score; het verschil is significant."
            ),
        },
    )
    incident = start_step(
        uow=uow(), principal=officer, incident_id=first["id"], step="suspend", version=incident["version"]
    )
    incident = complete_step(
        uow=uow(),
        principal=officer,
        incident_id=first["id"],
        step="suspend",
        version=incident["version"],
        evidence={
            "scope": "full",
            "fallback_procedure": "Aselecte steekproef van 5% voor heronderzoek.",
            "not_working_since": (now - timedelta(days=900)).isoformat(),
            "confirmed_by_owner": True,
        },
    )
    incident = start_step(
        uow=uow(), principal=officer, incident_id=first["id"], step="report", version=incident["version"]
    )
    incident = complete_step(
        uow=uow(),
        principal=officer,
        incident_id=first["id"],
        step="report",
        version=incident["version"],
        evidence={
            "bodies": [
                {"body": "internal_supervisor", "informed_at": (now - timedelta(days=1)).isoformat()},
                {
                    "body": "council",
                    "informed_at": (now - timedelta(hours=20)).isoformat(),
                    "reference": "RIS-2026-114",
                },
            ]
        },
    )
    incident = start_step(
        uow=uow(),
        principal=officer,
        incident_id=first["id"],
        step="investigate",
        version=incident["version"],
        evidence={
            "investigator": str(ids["investigator"]),
            "due_date": (now + timedelta(weeks=12)).date().isoformat(),
        },
    )
    second = report_incident(
        uow=uow(),
        principal=officer,
        algorithm_id=grants["id"],
        title="Meer controles bij studenten met een niet-westerse achtergrond",
        description=(
            "Een studentenorganisatie meldt dat controles op de uitwonendenbeurs vaker bepaalde groepen treffen."
        ),
        source="citizen",
        detected_at=now - timedelta(days=1),
        protected_grounds=["ethnicity"],
    )
    second = complete_step(
        uow=uow(),
        principal=officer,
        incident_id=second["id"],
        step="assess",
        version=second["version"],
        evidence={
            "outcome": "suspected",
            "severity": 2,
            "estimated_affected": 10_000,
            "high_risk_ai": False,
            "personal_data_breach": False,
            "widespread": False,
            "summary": "Het patroon is zichtbaar maar nog niet verklaard; nader onderzoek nodig.",
        },
    )
    waive_step(
        uow=uow(),
        principal=officer,
        incident_id=second["id"],
        step="suspend",
        version=second["version"],
        justification="Voortgezet gebruik met menselijke toets op elke selectie tot het onderzoek klaar is.",
    )
    seed_demo_letters(  # affected persons and a letters campaign
        uow_factory=unit_of_work_factory(herstel),
        vault=herstel.vault,
        max_bytes=herstel.settings.max_body_bytes,
        incident_id=first["id"],
        officer=officer,
    )
