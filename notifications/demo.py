"""Demo data: fictitious affected persons (test BSNs that pass the eleven-test) and a campaign.

`herstel demo` calls `seed` (`notifications.services.seed_demo_letters`) for its example incident,
so the demo shows letters going out to the in-process mail sink (email, with consent) and into a print batch (post).
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Iterator
from typing import Any

from notifications.campaigns import start_campaign
from notifications.crypto import Vault
from notifications.letterhead import set_letterhead
from notifications.persons import import_persons
from notifications.storage import UnitOfWorkFactory
from protocol.identity import Principal

FIRST = [
    "Zoë",
    "Daan",
    "Fatma",
    "Mohamed",
    "Sanne",
    "Joëlle",
    "Bram",
    "Anouk",
    "Ilse",
    "Thijs",
    "Noor",
    "Jesse",
    "Emma",
    "Ruben",
    "Priya",
    "Kofi",
    "Lotte",
    "Ahmet",
    "Marieke",
    "Sem",
    "Yasmina",
    "Jeroen",
    "Gül",
    "Chantal",
    "Wouter",
]
LAST = [
    "de Vries",
    "Bakker",
    "Yılmaz",
    "El Idrissi",
    "van den Berg",
    "Peeters",
    "Smit",
    "Meijer",
    "de Jong",
    "Mulder",
    "Visser",
    "Janssen",
    "de Boer",
    "Dekker",
    "Ramdin",
    "Mensah",
    "Hendriks",
    "Öztürk",
    "Brouwer",
    "Vos",
    "Ait Taleb",
    "van Dijk",
    "Çelik",
    "Kroon",
    "Hoekstra",
]
STREETS = ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianastraat", "Prinsengracht")
CITIES = (
    ("3511", "Utrecht"),
    ("3011", "Rotterdam"),
    ("1012", "Amsterdam"),
    ("2511", "Den Haag"),
    ("9711", "Groningen"),
)


def is_bsn(number: str) -> bool:
    """The eleven-test: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not all zeros)."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return (
        len(number) == 9
        and number != "0" * 9
        and sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 11 == 0
    )


def fictitious_bsns(prefix: str = "99999", start: int = 0) -> Iterator[str]:
    """Valid BSNs in the range RvIG keeps for testing (999990000–999999999 by default)."""
    width = 9 - len(prefix)
    for n in range(start, 10**width):
        number = f"{prefix}{n:0{width}d}"
        if is_bsn(number):
            yield number


def persons_csv(count: int = 50, *, seed: int = 7, prefix: str = "99999") -> bytes:
    """A realistic persons file as a Dutch spreadsheet writes it (semicolons, UTF-8 with a BOM)."""
    rng = random.Random(seed)  # noqa: S311 - fictitious demo data, reproducible on purpose
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["BSN", "Naam", "Straat", "Huisnummer", "Postcode", "Woonplaats", "E-mail", "Taal", "Toestemming"])
    numbers = fictitious_bsns(prefix)
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        digits, city = rng.choice(CITIES)
        with_email = rng.random() < 0.7
        email = f"{first.lower()}.{index}@example.nl".encode("ascii", "ignore").decode() if with_email else ""
        writer.writerow(
            [
                next(numbers),
                f"{first} {last}",
                rng.choice(STREETS),
                str(rng.randint(1, 240)),
                f"{digits} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}",
                city,
                email,
                "en" if rng.random() < 0.2 else "nl",
                "ja" if with_email and rng.random() < 0.8 else "nee",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def seed(
    *,
    uow_factory: UnitOfWorkFactory,
    vault: Vault,
    max_bytes: int,
    incident_id: uuid.UUID,
    officer: Principal,
    persons: int = 50,
) -> dict[str, Any]:
    """Import fictitious persons into the incident and start the notification campaign (three transactions)."""
    with uow_factory().read_only() as uow:
        organisation_id = uow.incidents.get(incident_id, lock=False).organisation_id
    set_letterhead(  # the demo's operator sets it, as `herstel organisation letterhead` would
        uow=uow_factory(),
        principal=Principal.installation(),
        organisation_id=organisation_id,
        values={
            "name": "Gemeente Voorbeeldstad",
            "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
            "phone": "14 020",
            "website": "www.voorbeeldstad.nl",
            "signatory_name": "Het college van burgemeester en wethouders van Voorbeeldstad",
        },
    )
    imported = import_persons(
        uow=uow_factory(),
        vault=vault,
        max_bytes=max_bytes,
        principal=officer,
        incident_id=incident_id,
        data=persons_csv(persons),
    )
    campaign = start_campaign(uow=uow_factory(), principal=officer, incident_id=incident_id, kind="notification")
    return {**imported, "campaign_id": campaign["campaign_id"], "letters": campaign["letters"]}
