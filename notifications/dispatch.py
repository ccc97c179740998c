"""How letters reach the workers, without this package knowing the broker.

`workers.letters` registers the function that enqueues a batch of letter ids (dramatiq); the
services and event handlers here only call `dispatch_letters`. Messages carry ids, never content.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence

BATCH = 500  # letters per message: one claim, one print batch and one ledger record each

Dispatcher = Callable[[Sequence[uuid.UUID], float], None]  # (letter ids, delay in seconds)
_lock = threading.Lock()
_dispatcher: Dispatcher | None = None


def set_letter_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Called by the workers on import: how to enqueue letters for delivery."""
    global _dispatcher
    with _lock:
        _dispatcher = dispatcher


def dispatch_letters(letter_ids: Sequence[uuid.UUID], *, delay: float = 0.0, batch: int = BATCH) -> int:
    """Enqueue the letters in batches; returns the number of messages. Raises if no worker side is set up."""
    with _lock:
        dispatcher = _dispatcher
    if dispatcher is None:
        raise RuntimeError("no letter dispatcher: import workers.letters in this process")
    messages = 0
    for start in range(0, len(letter_ids), batch):
        dispatcher(letter_ids[start : start + batch], delay)
        messages += 1
    return messages
