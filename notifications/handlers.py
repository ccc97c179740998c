"""What the workers do when a letters event is published: fan a campaign out in batches.

The composition root (`installation`) registers `HANDLERS`; nothing registers on import."""

from __future__ import annotations

import json
import logging
import uuid

from notifications.storage import NotificationsUnitOfWork
from protocol.services import Handler, StoredEvent

log = logging.getLogger(__name__)


def fan_out_campaign(uow: NotificationsUnitOfWork, event: StoredEvent) -> None:
    """Enqueue every queued letter of a new campaign, `dispatch.BATCH` letters per message.

    Runs once per event (the handled-events ledger); if the broker refuses, the transaction rolls
    back and the outbox delivers the event again. A message sent twice is harmless: a letter is
    claimed by compare-and-set, so only one worker ever sends it.
    """
    campaign_id = uuid.UUID(json.loads(event.payload_json)["campaign_id"])
    letter_ids = uow.letters.queued_ids(campaign_id)
    uow.letters.mark_dispatched(letter_ids, uow.now())
    messages = uow.dispatch(letter_ids)
    log.info("campaign %s: %d letter(s) in %d message(s)", campaign_id, len(letter_ids), messages)


# (event type, name keying the handled-events ledger, handler)
HANDLERS: tuple[tuple[str, str, Handler], ...] = (("LetterCampaignStarted", "letters.fan_out", fan_out_campaign),)
