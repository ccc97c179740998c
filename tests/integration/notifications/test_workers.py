"""End to end with the production processes: PostgreSQL, Redis, `herstel worker` processes and
`herstel scheduler` (the outbox relay and the letters recovery), mailing a real SMTP server."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from notifications.services import (
    letters_summary,
    open_citizen_session,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import (
    Principal,
    get_incident,
    verify_incident,
)
from tests.integration.notifications.conftest import CODE, import_readers, people
from tests.integration.notifications.stack import officer_and_incident, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.smtp, pytest.mark.slow]


def test_a_campaign_of_2000_through_worker_processes(production, smtp_server):
    herstel, stack = production
    officer, incident = officer_and_incident(herstel)
    readers = people(2000)
    result = import_readers(herstel, officer, incident["id"], readers)
    assert result["imported"] == 2000
    started = time.monotonic()
    start_campaign(uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"], kind="notification")

    def finished() -> bool:
        steps = get_incident(uow=herstel.uow(), principal=officer, incident_id=incident["id"])["steps"]
        return steps["inform"]["state"] == "completed"

    wait_for(finished, 300, "the inform step to complete itself")
    elapsed = time.monotonic() - started
    print(f"\n2000 letters through 2 worker processes: {elapsed:.1f} s ({2000 / elapsed:.0f} letters/s)")

    messages = smtp_server.messages()
    assert len(messages) == 2000
    assert Counter(str(m["To"]) for m in messages) == Counter(p["email"] for p in readers)
    by_email = {p["email"]: p for p in readers}
    letters = set()
    for message in messages:
        person = by_email[str(message["To"])]
        text = " ".join(message.get_body(("plain",)).get_content().split())
        assert message["Content-Language"] == person["lang"]
        assert (("Dear " if person["lang"] == "en" else "Beste ") + person["name"]) in text
        assert ("This letter is not a decision." if person["lang"] == "en" else "Deze brief is geen besluit.") in text
        letters.add(
            open_citizen_session(
                uow_factory=unit_of_work_factory(herstel),
                vault=open_vault(herstel.settings),
                access_code=CODE.search(text).group(1),
            ).letter_id
        )
    assert len(letters) == 2000

    summary = letters_summary(uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": 2000}
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident["id"]).valid
    logs = stack.logs()
    assert "letters:" in logs  # the workers did the work
    leaks = [p for p in readers[:200] for value in (p["bsn"], p["name"], p["email"]) if value in logs]
    assert leaks == []
