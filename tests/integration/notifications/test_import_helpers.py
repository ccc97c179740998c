"""A large persons file is checked and sealed in helper processes: the same report, rows and merges as in one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from notifications import csvimport, workpool
from notifications.bulk import copy_text_row
from notifications.errors import PersonsFileRejected
from notifications.services import import_persons, list_persons, open_person, open_vault, unit_of_work
from tests.integration.notifications.conftest import people, persons_file

pytestmark = pytest.mark.skipif(workpool.processes() < 2, reason="helper processes need more than one core")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers for any file, and chunks of a few rows, so a small file crosses many chunk borders."""
    monkeypatch.setattr(workpool, "POOL_FROM", 1)
    monkeypatch.setattr(workpool, "CHUNK", 4)
    monkeypatch.setattr(csvimport, "CHECK_CHUNK", 3)


def _import(herstel, officer, incident, data):
    return import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=data,
    )


def _refusal(herstel, officer, incident, data):
    with pytest.raises(PersonsFileRejected) as refused:
        _import(herstel, officer, incident, data)
    return [(r.row, r.field, r.message, getattr(r.message, "code", None)) for r in refused.value.rows]


def test_helpers_import_merge_and_seal_as_one_process_does(herstel, officer, incident, small_chunks):
    everyone = people(20)
    everyone[7]["name"] = r"Back\slash \N van 't Hof"  # COPY's escape character and its NULL, in a name
    everyone[7]["street"] = r"Dorp\tstraat"
    twice = [*everyone, dict(everyone[13], email="later@example.nl"), dict(everyone[14], lang="en")]
    assert _import(herstel, officer, incident, persons_file(twice)) == {"imported": 20, "merged": 2, "rows": 22}
    # again, with new emails for some: merged against the incident, re-sealed in the helpers
    newcomers = [dict(p, name=f"Nieuw {i}") for i, p in enumerate(people(3, prefix="9998"))]
    again = [dict(p, email=f"nieuw{i}@example.nl") if i % 5 == 0 else p for i, p in enumerate(everyone[:12])]
    assert _import(herstel, officer, incident, persons_file(again + newcomers)) == {
        "imported": 3,
        "merged": 12,
        "rows": 15,
    }
    listed = list_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        principal=officer,
        incident_id=incident["id"],
        per_page=100,
    )
    assert listed["total"] == 23
    emails = {p["identity"]["name"]: p["identity"]["email"] for p in listed["items"]}
    assert emails[everyone[0]["name"]] == "nieuw0@example.nl"
    assert emails[everyone[13]["name"]] == "later@example.nl"  # the later row of the first file, kept
    assert emails[everyone[4]["name"]] == everyone[4]["email"]
    assert emails[everyone[15]["name"]] == everyone[15]["email"]
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


def test_helpers_report_a_bad_file_as_one_process_does(herstel, officer, incident, monkeypatch):
    rows = people(14)
    rows[2]["bsn"] = "123456789"  # fails the eleven-test
    rows[5]["postcode"] = "12345"
    rows[6]["email"] = "no-address"
    rows[9]["lang"] = "fr"
    rows[13]["bsn"] = "12a"
    data = persons_file([*rows, dict(rows[0], name="")])
    here = _refusal(herstel, officer, incident, data)
    monkeypatch.setattr(workpool, "POOL_FROM", 1)
    monkeypatch.setattr(csvimport, "CHECK_CHUNK", 2)
    helped = _refusal(herstel, officer, incident, data)
    assert helped == here
    assert [(row, name) for row, name, *_ in here] == [
        (4, "bsn"),
        (7, "postal_code"),
        (8, "email"),
        (11, "language"),
        (15, "bsn"),
        (16, "name"),
    ]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_copy_text_rows_read_back_as_written(herstel):
    values = (
        uuid.uuid4(),
        "b1\\key\twith\nall\rescapes \\N",
        None,
        b"\x00\\\xff\n",
        True,
        False,
        datetime(2026, 12, 5, 9, 30, 1, 123456, tzinfo=UTC),
    )
    with herstel.db.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TEMP TABLE copied (a uuid, b text, c text, d bytea, e boolean, f boolean, g timestamptz)"
        )
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy("COPY copied FROM STDIN") as copy:
                copy.write(copy_text_row(values) * 2)
            cursor.execute("SELECT * FROM copied")
            assert cursor.fetchall() == [values, values]
