"""A municipality's file with street and house number in one column, through the real import on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from installation import Herstel
from notifications.demo import fictitious_bsns
from notifications.services import PersonsFileRejected, import_persons, list_persons, open_vault, unit_of_work

pytestmark = [pytest.mark.postgres]

ACCEPTED = {
    "Dorpsstraat 12 A": ("Dorpsstraat", "12", "A"),
    "Laan van Meerdervoort 1023-bis": ("Laan van Meerdervoort", "1023", "bis"),
    "2e Hugo de Grootstraat 5 hs": ("2e Hugo de Grootstraat", "5", "hs"),
    "Kerkstraat 7a": ("Kerkstraat", "7", "a"),
    "Plein 1944 3 A": ("Plein 1944", "3", "A"),
    "Hoofdweg 12-II": ("Hoofdweg", "12", "II"),
    "Oosterstraat 3 bis": ("Oosterstraat", "3", "bis"),
    "Kade 3 A-2": ("Kade", "3", "A-2"),
}
REFUSED = {
    "Van Goghstraat 2 t/m 4": "address.range",
    "Plein 1944 3": "address.ambiguous",
    "Kerkstraat": "address.no-number",
    "Kerkstraat 100000": "address.number-range",
    "Kerkstraat 12 achter": "address.suffix",
}


def municipal_file(addresses: list[str], bsns: Any) -> tuple[bytes, list[str]]:
    numbers = [next(bsns) for _ in addresses]
    lines = ["BSN;Naam;Adres;Postcode;Woonplaats"]
    lines += [
        f"{bsn};Persoon {i};{address};1234 AB;Utrecht"
        for i, (bsn, address) in enumerate(zip(numbers, addresses, strict=True))
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), numbers


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_each_address_form_is_stored_split_and_each_refusal_reported(
    herstel: Herstel, officer: Any, incident: Any
) -> None:
    bsns = fictitious_bsns("9998")
    vault = open_vault(herstel.settings)

    def run(data: bytes) -> dict[str, int]:
        return import_persons(
            uow=unit_of_work(herstel),
            vault=vault,
            max_bytes=herstel.settings.max_body_bytes,
            principal=officer,
            incident_id=incident["id"],
            data=data,
        )

    # one file with every accepted form and every refused one: refused whole, each bad row named
    mixed, _ = municipal_file([*ACCEPTED, *REFUSED], bsns)
    with pytest.raises(PersonsFileRejected) as caught:
        run(mixed)
    first_bad = len(ACCEPTED) + 2  # the header is row 1
    assert [(e.row, e.field, e.message.code) for e in caught.value.rows] == [
        (first_bad + i, "street", code) for i, code in enumerate(REFUSED.values())
    ]
    assert caught.value.total == len(REFUSED)

    data, _ = municipal_file(list(ACCEPTED), bsns)
    assert run(data) == {"imported": len(ACCEPTED), "merged": 0, "rows": len(ACCEPTED)}
    listed = list_persons(
        uow=unit_of_work(herstel), vault=vault, principal=officer, incident_id=incident["id"], per_page=100
    )
    assert listed["total"] == len(ACCEPTED)  # nothing of the refused file was stored
    stored = {p["id"]: p["identity"]["address"] for p in listed["items"]}
    assert sorted((a["street"], a["house_number"], a["addition"]) for a in stored.values()) == sorted(ACCEPTED.values())
    assert all(a["postal_code"] == "1234 AB" and a["city"] == "Utrecht" for a in stored.values())
