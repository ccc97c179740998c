"""Letters for the page tests: readers imported, their letters sent to a real SMTP server, the codes read back."""

from __future__ import annotations

from typing import Any

from installation import Herstel
from protocol.services import Principal
from tests.integration.notifications.conftest import CODE, Dispatched, people, run_letters, start_notification


def deliver(
    installation: Herstel,
    officer: Principal,
    incident_id: Any,
    broker: Dispatched,
    clock: Any,
    smtp: Any,
    count: int = 2,
) -> dict[str, str]:
    """Import `count` readers (alternately Dutch and English), send their letters; {email: code}."""
    readers = people(count, language=lambda i: ["nl", "en"][i % 2])
    start_notification(installation, officer, incident_id, readers)
    run_letters(installation, broker, clock)
    codes = {}
    for message in smtp.messages():
        found = CODE.search(message.get_body(("plain",)).get_content())
        assert found
        codes[str(message["To"])] = found.group(1)
    assert len(codes) == count
    return codes
