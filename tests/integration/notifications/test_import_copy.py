"""An import writes new persons by COPY on PostgreSQL (inserts elsewhere): what it wrote reads back as
the file gave it, re-imports merge, and a bad file's report lists its problems in row order."""

from __future__ import annotations

import pytest

from notifications.errors import PersonsFileRejected
from notifications.services import open_person, open_vault, unit_of_work
from tests.integration.notifications.conftest import import_readers, list_readers, people


def test_copied_rows_read_back_and_merge_on_a_later_import(herstel, officer, incident):
    everyone = people(20)
    everyone[7]["name"] = r"Back\slash \N van 't Hof"  # COPY's escape character and its NULL, in a name
    everyone[7]["street"] = r"Dorp\tstraat"
    twice = [*everyone, dict(everyone[13], email="later@example.nl"), dict(everyone[14], lang="en")]
    assert import_readers(herstel, officer, incident["id"], twice) == {"imported": 20, "merged": 2, "rows": 22}
    # again, with new emails for some: merged against the incident and sealed anew
    newcomers = [dict(p, name=f"Nieuw {i}") for i, p in enumerate(people(3, prefix="9998"))]
    again = [dict(p, email=f"nieuw{i}@example.nl") if i % 5 == 0 else p for i, p in enumerate(everyone[:12])]
    assert import_readers(herstel, officer, incident["id"], again + newcomers) == {
        "imported": 3,
        "merged": 12,
        "rows": 15,
    }
    listed = list_readers(herstel, officer, incident["id"], per_page=100)
    assert listed["total"] == 23
    emails = {p["identity"]["name"]: p["identity"]["email"] for p in listed["items"]}
    assert emails[everyone[0]["name"]] == "nieuw0@example.nl"
    assert emails[everyone[13]["name"]] == "later@example.nl"  # the later row of the first file, kept
    assert emails[everyone[4]["name"]] == everyone[4]["email"]
    assert emails[everyone[15]["name"]] == everyone[15]["email"]
    assert emails["Nieuw 1"] is not None
    languages = {p["identity"]["name"]: p["language"] for p in listed["items"]}
    assert languages[everyone[14]["name"]] == "en"
    one = next(p for p in listed["items"] if p["identity"]["name"] == everyone[7]["name"])
    opened = open_person(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        principal=officer,
        incident_id=incident["id"],
        person_id=one["id"],
    )
    assert opened["identity"]["bsn"] == everyone[7]["bsn"]
    assert opened["identity"]["address"]["street"] == everyone[7]["street"]


def test_a_bad_file_is_reported_in_row_order_and_nothing_is_stored(herstel, officer, incident):
    rows = people(14)
    rows[2]["bsn"] = "123456789"  # fails the eleven-test
    rows[5]["postcode"] = "12345"
    rows[6]["email"] = "no-address"
    rows[9]["lang"] = "fr"
    rows[13]["bsn"] = "12a"
    with pytest.raises(PersonsFileRejected) as refused:
        import_readers(herstel, officer, incident["id"], [*rows, dict(rows[0], name="")])
    assert [(r.row, r.field) for r in refused.value.rows] == [
        (4, "bsn"),
        (7, "postal_code"),
        (8, "email"),
        (11, "language"),
        (15, "bsn"),
        (16, "name"),
    ]
    listed = list_readers(herstel, officer, incident["id"], per_page=10)
    assert listed["total"] == 0
