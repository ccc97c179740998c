"""How letters reach the workers, without this package knowing the broker.

The composition root (`installation`) gives every installation one `LetterDispatch`, and the
process that runs the workers connects it to the broker (`workers.letters.dispatch`); the
services and event handlers here only call it. Messages carry ids, never content.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

BATCH = 500  # letters per message: one claim, one print batch and one ledger record each

Dispatcher = Callable[[Sequence[uuid.UUID], float], None]  # (letter ids, delay in seconds)


class LetterDispatch:
    """The installation's way to enqueue letters for delivery (`enqueue` is None until a worker side is wired)."""

    def __init__(self, enqueue: Dispatcher | None = None) -> None:
        self.enqueue = enqueue

    def connect(self, enqueue: Dispatcher | None) -> None:
        """Wire (or, with None, unwire) the worker side: the process that runs the workers calls it."""
        self.enqueue = enqueue

    @property
    def connected(self) -> bool:
        return self.enqueue is not None

    def __call__(self, letter_ids: Sequence[uuid.UUID], *, delay: float = 0.0, batch: int = BATCH) -> int:
        """Enqueue the letters in batches; returns the number of messages. Raises if no worker side is wired."""
        enqueue = self.enqueue
        if enqueue is None:
            raise RuntimeError("no letter dispatcher: this installation was built without a worker side")
        messages = 0
        for start in range(0, len(letter_ids), batch):
            enqueue(letter_ids[start : start + batch], delay)
            messages += 1
        return messages
