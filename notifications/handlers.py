"""What the workers do when a letters event is published: fan a campaign out in batches, send a
single (decision) letter.

The composition root (`installation`) registers `HANDLERS`; nothing registers on import."""

from __future__ import annotations

import json
import logging
import uuid

from notifications.model import LetterStatus
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


def send_queued_letter(uow: NotificationsUnitOfWork, event: StoredEvent) -> None:
    """Enqueue the one letter a `LetterQueued` event names (a decision letter), if it still waits.

    Like the fan-out: once per event, rolled back and delivered again if the broker refuses; a letter
    already claimed or sent is left alone, and a second message cannot send it twice (compare-and-set)."""
    letter_id = uuid.UUID(json.loads(event.payload_json)["letter_id"])
    waiting = [row.id for row in uow.letters.many([letter_id]) if row.status == LetterStatus.QUEUED]
    if waiting:
        uow.letters.mark_dispatched(waiting, uow.now())
        uow.dispatch(waiting)


# (event type, name keying the handled-events ledger, handler)
HANDLERS: tuple[tuple[str, str, Handler], ...] = (
    ("LetterCampaignStarted", "letters.fan_out", fan_out_campaign),
    ("LetterQueued", "letters.send_one", send_queued_letter),
)
