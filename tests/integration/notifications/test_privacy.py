"""No BSN, name, address or email in plain text anywhere in the database, the events, or the logs."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from notifications.services import (
    open_citizen_session,
    open_vault,
    record_citizen_response,
    record_reporter,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from tests.integration.notifications.conftest import CODE, import_readers, people, run_letters

SECRET_WORDS = "Mijn buurman Hendrik Puk weet ervan"


def dump_database(herstel) -> list[bytes]:
    """Every value of every row of every table, as bytes (text as UTF-8; binary as stored)."""
    values: list[bytes] = []
    with herstel.db.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if value is None:
                        continue
                    values.append(bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode())
    return values


def test_identity_is_sealed_everywhere(mailing, officer, incident, smtp_server, dispatched, clock, caplog):
    caplog.set_level(logging.DEBUG)
    everyone = people(6, consent=lambda i: i % 2 == 0, email=lambda i: f"geheim{i:05d}@example.nl")
    import_readers(mailing, officer, incident["id"], everyone)
    record_reporter(
        uow=unit_of_work(mailing),
        vault=open_vault(mailing.settings),
        principal=officer,
        incident_id=incident["id"],
        name="Melder Geheimnaam",
        address={"street": "Melderlaan", "house_number": "4", "postal_code": "3511 AB", "city": "Utrecht"},
        email="melder.geheim@example.nl",
    )
    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification")
    run_letters(mailing, dispatched, clock)
    message = smtp_server.messages()[0]
    code = CODE.search(message.get_body(("plain",)).get_content()).group(1)
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=code
    )
    record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        token=session.token,
        kind="harm",
        text=SECRET_WORDS,
    )

    needles = [SECRET_WORDS, "Melder Geheimnaam", "Melderlaan", "melder.geheim@example.nl", code, code.replace("-", "")]
    for person in everyone:
        needles += [person["bsn"], person["name"], person["street"], person["email"]]
    stored = dump_database(mailing)
    assert len(stored) > 500  # the dump really covers the tables
    leaks = [needle for needle in needles if any(needle.encode() in value for value in stored)]
    assert leaks == []
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert [needle for needle in needles if needle in logged] == []
