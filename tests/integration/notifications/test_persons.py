"""Importing persons into an incident, the reporter's contact, and who may see identities."""

from __future__ import annotations

import json

import pytest

from notifications.demo import fictitious_bsns
from notifications.services import (
    get_case_status,
    import_persons,
    list_persons,
    open_citizen_session,
    open_person,
    open_vault,
    record_citizen_response,
    record_reporter,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import (
    Forbidden,
    InvalidEvidence,
    NotFound,
    get_oversight_timeline,
    get_timeline,
    register_algorithm,
)
from tests.integration.notifications.conftest import (
    CODE,
    assessed_incident,
    list_readers,
    people,
    persons_file,
    run_letters,
)


def test_import_merges_against_the_incident_and_records_counts_only(herstel, officer, incident):
    everyone = people(6)
    first = import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=persons_file(everyone[:4]),
    )
    assert first == {"imported": 4, "merged": 0, "rows": 4}
    moved = [dict(p, email="nieuw@example.nl") if i == 0 else p for i, p in enumerate(everyone[2:] + everyone[:1])]
    second = import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=persons_file(moved),
    )
    assert second == {"imported": 2, "merged": 3, "rows": 5}

    listed = list_readers(herstel, officer, incident["id"], per_page=100)
    assert listed["total"] == 6
    assert listed["identity_visible"] is True
    emails = {p["identity"]["name"]: p["identity"]["email"] for p in listed["items"]}
    assert emails[everyone[2]["name"]] == "nieuw@example.nl"
    assert emails[everyone[0]["name"]] == everyone[0]["email"]
    assert {p["identity"]["bsn"] for p in listed["items"]} == {"******" + p["bsn"][-3:] for p in everyone}

    events = get_timeline(uow=herstel.uow(), principal=officer, incident_id=incident["id"], limit=100)["events"]
    imported = [e["payload"] for e in events if e["type"] == "AffectedPersonsImported"]
    assert [(p["imported"], p["merged"], p["persons"]) for p in imported] == [(4, 0, 4), (2, 3, 6)]
    assert imported[0]["file_digest"].startswith("sha256:")
    text = json.dumps(imported)
    for person in everyone:
        assert person["bsn"] not in text
        assert person["email"] not in text


def test_persons_of_another_organisation_or_role_are_not_reachable(herstel, officer, incident, make_user):
    oversight = make_user("oversight")
    with pytest.raises(NotFound):
        list_persons(
            uow=unit_of_work(herstel),
            vault=open_vault(herstel.settings),
            principal=oversight,
            incident_id=incident["id"],
        )
    with pytest.raises(NotFound):
        import_persons(
            uow=unit_of_work(herstel),
            vault=open_vault(herstel.settings),
            max_bytes=herstel.settings.max_body_bytes,
            principal=oversight,
            incident_id=incident["id"],
            data=persons_file(people(1)),
        )


def test_the_reporter_of_an_unfounded_signal_is_told(mailing, officer, smtp_server, dispatched, clock):
    algorithm = register_algorithm(uow=mailing.uow(), principal=officer, name="Toeslagencheck", lars="31415923")
    incident = assessed_incident(mailing, officer, algorithm, "unfounded")
    with pytest.raises(InvalidEvidence) as caught:
        record_reporter(
            uow=unit_of_work(mailing),
            vault=open_vault(mailing.settings),
            principal=officer,
            incident_id=incident["id"],
            name="Melder",
            email="m@x.nl",
        )
    assert "address" in caught.value.errors  # an email address without consent reaches nobody
    record_reporter(
        uow=unit_of_work(mailing),
        vault=open_vault(mailing.settings),
        principal=officer,
        incident_id=incident["id"],
        name="Melder Jansen",
        email="melder@example.nl",
        consent_electronic=True,
    )
    campaign = start_campaign(
        uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="unfounded"
    )
    assert campaign["letters"] == 1
    run_letters(mailing, dispatched, clock)
    (message,) = smtp_server.messages()
    assert str(message["To"]) == "melder@example.nl"
    text = " ".join(message.get_body(("plain",)).get_content().split())
    assert "ongegrond" in text
    assert "Deze brief is geen besluit." in text  # no objection lies against it
    # the reporter may ask or complain; there is no decision about them to review, nor to object to
    uows, vault = unit_of_work_factory(mailing), open_vault(mailing.settings)
    session = open_citizen_session(uow_factory=uows, vault=vault, access_code=CODE.search(text).group(1))
    assert get_case_status(uow_factory=uows, vault=vault, token=session.token)["replies"] == ["question", "complaint"]
    for kind in ("review", "objection", "harm"):
        with pytest.raises(InvalidEvidence) as caught:
            record_citizen_response(uow_factory=uows, vault=vault, token=session.token, kind=kind, text="Nee.")
        assert set(caught.value.errors) == {"kind"}
    complaint = record_citizen_response(
        uow_factory=uows, vault=vault, token=session.token, kind="complaint", text="U keek niet goed."
    )
    assert "9:11" in complaint["legal_basis"]


def test_a_person_is_found_by_whole_bsn_and_opened_with_it_only_in_their_incident(
    herstel, officer, incident, algorithm, make_user
):
    everyone = people(3)
    vault = open_vault(herstel.settings)
    import_persons(
        uow=unit_of_work(herstel),
        vault=vault,
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=persons_file(everyone),
    )

    def search(bsn, principal=officer, incident_id=incident["id"]):
        return list_persons(
            uow=unit_of_work(herstel), vault=vault, principal=principal, incident_id=incident_id, bsn=bsn
        )

    found = search(" " + everyone[1]["bsn"])
    assert (found["total"], found["searched"]) == (1, True)
    (person,) = found["items"]
    assert person["identity"]["name"] == everyone[1]["name"]
    assert person["identity"]["bsn"] == "******" + everyone[1]["bsn"][-3:]
    other = next(fictitious_bsns("9996"))
    assert search(other)["total"] == 0  # a valid BSN of nobody here
    for bad, code in (
        ("123456789", "person.bsn-eleven-test"),
        ("1234567890", "person.bsn-digits"),
        ("", "field.required"),
    ):
        with pytest.raises(InvalidEvidence) as caught:
            search(bad)
        assert caught.value.errors["bsn"][0].code == code

    opened = open_person(
        uow=unit_of_work(herstel), vault=vault, principal=officer, incident_id=incident["id"], person_id=person["id"]
    )
    assert opened["identity"]["bsn"] == everyone[1]["bsn"]
    # the opening is on the incident's chain: who, when, which person id; never the BSN or the name
    events = get_timeline(uow=herstel.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    (recorded,) = [e for e in events if e["type"] == "PersonIdentityOpened"]
    assert recorded["payload"] == {"person_id": str(person["id"])}
    assert recorded["actor"] == f"user:{officer.user_id}"
    as_text = json.dumps(events, default=str)
    assert everyone[1]["bsn"] not in as_text
    assert everyone[1]["name"] not in as_text
    oversight = get_oversight_timeline(
        uow=herstel.uow(),
        principal=make_user("oversight"),
        incident_id=incident["id"],
        hash_key=herstel.settings.hash_key_bytes(),
    )
    (seen,) = [e for e in oversight["events"] if e["type"] == "PersonIdentityOpened"]
    assert seen["payload"]["person_id"].startswith("P-")  # oversight sees that it happened, by pseudonym
    assert str(person["id"]) not in json.dumps(oversight, default=str)
    second = assessed_incident(herstel, officer, algorithm, "established")
    with pytest.raises(NotFound):  # the person, asked for under another incident
        open_person(
            uow=unit_of_work(herstel), vault=vault, principal=officer, incident_id=second["id"], person_id=person["id"]
        )
    with pytest.raises(NotFound):  # another organisation's user finds no incident at all
        search(everyone[1]["bsn"], principal=make_user("oversight"))
    with pytest.raises((Forbidden, NotFound)):
        open_person(
            uow=unit_of_work(herstel),
            vault=vault,
            principal=make_user("investigator"),
            incident_id=incident["id"],
            person_id=person["id"],
        )
    after = get_timeline(uow=herstel.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    assert len([e for e in after if e["type"] == "PersonIdentityOpened"]) == 1  # a refused opening records nothing
