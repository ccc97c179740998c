"""An ordinary day: 100,000 affected persons in one file, on PostgreSQL."""

from __future__ import annotations

import time

import pytest

from notifications.services import (
    import_persons,
    letters_summary,
    list_persons,
    open_vault,
    start_campaign,
    unit_of_work,
)
from tests.integration.notifications.conftest import people, persons_file

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_100000_rows_import_and_queue(herstel, officer, incident, dispatched):
    readers = people(100_000, prefix="99", consent=lambda i: i % 3 != 0)
    data = persons_file(readers)
    started = time.perf_counter()
    result = import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=data,
    )
    elapsed = time.perf_counter() - started
    print(f"\nimport of 100,000 rows ({len(data) / 1e6:.1f} MB): {elapsed:.1f} s, {100_000 / elapsed:.0f} rows/s")
    assert result == {"imported": 100_000, "merged": 0, "rows": 100_000}
    assert (
        list_persons(
            uow=unit_of_work(herstel),
            vault=open_vault(herstel.settings),
            principal=officer,
            incident_id=incident["id"],
            per_page=1,
        )["total"]
        == 100_000
    )

    again = import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident["id"],
        data=data,
    )
    assert again == {"imported": 0, "merged": 100_000, "rows": 100_000}

    started = time.perf_counter()
    campaign = start_campaign(
        uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"], kind="notification"
    )
    print(f"campaign of 100,000 letters queued in {time.perf_counter() - started:.1f} s")
    assert campaign["letters"] == 100_000
    assert campaign["channels"] == {"email": 66_666, "post": 33_334}
    summary = letters_summary(uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"queued": 100_000}
