"""The composition root: builds an installation of Herstel in plain code.

Everything the entry points (web, workers, CLI) need is made here, once per process: the settings,
the database, the legal calendars, the definitions cache, the unit of work (the notifications' one,
which declares `persons`, `letters`, `responses` and `senders` beside the protocol's repositories),
the vault of personal-data keys, the letter dispatch and the event handlers. This package sits
above `protocol` and `notifications`; neither imports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from installation.settings import Settings, load_settings
from notifications.services import HANDLERS as LETTER_HANDLERS
from notifications.services import Dispatcher, LetterDispatch, NotificationsUnitOfWork, Vault, open_vault
from protocol import messages
from protocol.calendar import Calendars
from protocol.calendars import load_calendars
from protocol.checkpoint import public_key_of
from protocol.definition import ProtocolDefinition
from protocol.errors import NotFound
from protocol.events import StoredEvent
from protocol.files import private_dir
from protocol.loader import load_definition_text
from protocol.services import INBOX_HANDLERS, NOTICE_HANDLERS, register_handler
from protocol.storage.algorithms import DefinitionRepository
from protocol.storage.database import Database


def utcnow() -> datetime:
    return datetime.now(UTC)


class DefinitionCache:
    """Parsed protocol definitions by (key, version), read from the database once per process."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[tuple[str, int], ProtocolDefinition] = {}
        self._lock = threading.Lock()

    def __call__(self, key: str, version: int) -> ProtocolDefinition:
        found = self._cache.get((key, version))
        if found is not None:
            return found
        with self._lock, self.db.session(read_only=True) as session:
            row = DefinitionRepository(session).get(key, version)
            if row is None:
                raise NotFound(messages.PROTOCOL_NOT_REGISTERED(definition=f"{key}@{version}"), rule="unknown-protocol")
            definition = load_definition_text(row.source_text, source=f"{key}@{version} (database)")
            self._cache[(key, version)] = definition
            return definition


@dataclass
class Herstel:
    """A configured installation: what every entry point needs to call the services."""

    settings: Settings
    db: Database
    calendar: Calendars
    definitions: DefinitionCache
    vault: Vault
    dispatch: LetterDispatch = field(default_factory=LetterDispatch)
    clock: Callable[[], datetime] = utcnow
    on_commit: list[Callable[[list[StoredEvent]], None]] = field(default_factory=list)

    def uow(self) -> NotificationsUnitOfWork:
        """A fresh unit of work (one transaction) over the protocol's and the notifications' repositories."""
        return NotificationsUnitOfWork(
            self.db,
            definitions=self.definitions,
            calendar=self.calendar,
            clock=self.clock,
            dispatch=self.dispatch,
            on_commit=self.on_commit,
        )

    def checkpoint_public_key(self) -> str | None:
        """The public half of the key this installation signs checkpoints with (None: no key is set)."""
        if not self.settings.signing_key:
            return None
        return public_key_of(self.settings.signing_key_bytes())

    def close(self) -> None:
        self.db.dispose()


def register_handlers() -> None:
    """The event handlers: the protocol's staff notices and the letters' campaign fan-out.

    Registering twice replaces a handler by its name, so every bootstrap of a process may call it."""
    for event_type, name, handler in (*NOTICE_HANDLERS, *INBOX_HANDLERS, *LETTER_HANDLERS):
        register_handler(event_type, name, handler)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    dispatcher: Dispatcher | None = None,
) -> Herstel:
    """Wire an installation from its settings (read from the environment when not given).

    `dispatcher` enqueues letters for the workers (`workers.letters.dispatch`); a process that
    runs the workers connects it (`workers.runtime.configure`) when it was not given here.
    """
    settings = settings or load_settings()
    if Path(settings.data_dir).is_dir():
        private_dir(settings.data_dir)  # one made by an older version (0755): narrow it; new ones are made 0700
    db = Database(settings.resolved_database_url())
    register_handlers()
    return Herstel(
        settings=settings,
        db=db,
        calendar=load_calendars(),
        definitions=DefinitionCache(db),
        vault=open_vault(settings),
        dispatch=LetterDispatch(dispatcher),
        clock=clock or utcnow,
    )
