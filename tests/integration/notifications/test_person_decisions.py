"""The decisions a persons file names reach the reader's letter, sealed on the way, and nowhere else."""

from __future__ import annotations

import json
import logging

from notifications.identity import open_decisions
from notifications.services import import_persons, open_vault, start_campaign, unit_of_work
from notifications.tables import AffectedPersonRow
from protocol.services import get_timeline
from tests.integration.notifications.conftest import people, run_letters
from tests.integration.notifications.test_privacy import dump_database

HEADER = "bsn;naam;straat;huisnummer;postcode;woonplaats;email;taal;toestemming;besluitkenmerk;besluitdatum;onderwerp"
SUBJECTS = ("Bijzondere bijstand Geheimwoord", "Terugvordering Geheimwoord", "Heronderzoek Geheimwoord")
REFERENCES = ("Z/24/GEHEIM-1", "Z/24/GEHEIM-2", "Z/23/GEHEIM-3")


def row(person: dict[str, str], reference: str = "", day: str = "", subject: str = "") -> str:
    cells = [person[k] for k in ("bsn", "name", "street", "number", "postcode", "city", "email", "lang", "consent")]
    return ";".join([*cells, reference, day, subject])


def import_file(herstel, officer, incident, text: str) -> dict[str, int]:
    return import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=text.encode("utf-8"),
    )


def test_the_delivered_letter_lists_the_decisions_and_nothing_else_holds_them(
    mailing, officer, incident, smtp_server, dispatched, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    dutch, english, without = people(3, language=lambda i: "en" if i == 1 else "nl")
    lines = [
        HEADER,
        row(dutch, REFERENCES[0], "15-3-2024", SUBJECTS[0]),
        row(english, REFERENCES[1], "2024-06-01", SUBJECTS[1]),
        row(dutch, REFERENCES[2], "02.11.2023", SUBJECTS[2]),
        row(without),
        row(dutch, REFERENCES[0], "2024-03-15", SUBJECTS[0]),  # the same decision again: listed once
    ]
    assert import_file(mailing, officer, incident, "\r\n".join(lines) + "\r\n") == {
        "imported": 3,
        "merged": 2,
        "rows": 5,
    }
    # a later file that names no decisions for a person keeps theirs (as an empty e-mail cell keeps the address)
    assert import_file(mailing, officer, incident, f"{HEADER}\r\n{row(english)}\r\n")["merged"] == 1

    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification")
    run_letters(mailing, dispatched, clock)

    texts = {str(m["To"]): " ".join(m.get_body(("plain",)).get_content().split()) for m in smtp_server.messages()}
    assert set(texts) == {dutch["email"], english["email"], without["email"]}
    nl, en, none = texts[dutch["email"]], texts[english["email"]], texts[without["email"]]
    assert "Het programma hielp ook bij deze beslissingen:" in nl
    assert "- Bijzondere bijstand Geheimwoord, 15 maart 2024, kenmerk Z/24/GEHEIM-1." in nl
    assert "- Heronderzoek Geheimwoord, 2 november 2023, kenmerk Z/23/GEHEIM-3." in nl
    assert nl.count("Z/24/GEHEIM-1") == 1
    assert "The program helped us make this decision about you:" in en
    assert "- Terugvordering Geheimwoord, 1 June 2024, reference Z/24/GEHEIM-2." in en
    assert "Wij hebben het programma ook gebruikt bij een beslissing over u." in none  # the general words
    assert "Geheimwoord" not in none

    with mailing.uow().read_only() as uow:
        stored = {
            row.id: open_decisions(mailing.vault, row)
            for row in uow.session.query(AffectedPersonRow).filter_by(incident_id=incident["id"])
        }
    assert sorted(len(d) for d in stored.values()) == [0, 1, 2]

    needles = [*SUBJECTS, *REFERENCES, "Geheimwoord", "GEHEIM"]
    events = get_timeline(uow=mailing.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    payloads = json.dumps([e["payload"] for e in events], default=str)
    assert "AffectedPersonsImported" in {e["type"] for e in events}
    assert [n for n in needles if n in payloads] == []
    dump = dump_database(mailing)
    assert [n for n in needles if any(n.encode() in value for value in dump)] == []
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert [n for n in needles if n in logged] == []
