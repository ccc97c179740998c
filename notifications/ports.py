"""What the notifications services that still take the whole installation (`herstel=`) read from it.

The installation itself is built above this package (`installation.Herstel`); this structural type
lets those services name it without importing upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from notifications.crypto import Vault
from notifications.dispatch import LetterDispatch
from notifications.settings import NotificationsSettings
from protocol.calendar import Calendars

if TYPE_CHECKING:
    from notifications.storage import NotificationsUnitOfWork


class Installation(Protocol):
    """A configured installation, as the notifications services see it."""

    @property
    def settings(self) -> NotificationsSettings: ...
    @property
    def calendar(self) -> Calendars: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def vault(self) -> Vault: ...
    @property
    def dispatch(self) -> LetterDispatch: ...

    def uow(self) -> NotificationsUnitOfWork: ...
