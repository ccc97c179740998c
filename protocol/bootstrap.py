"""The composition root: builds the database, calendar, definitions and unit-of-work factory.

Entry points (web, workers, CLI) call `bootstrap()` once and then `herstel.uow()` per action.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from protocol import messages
from protocol.calendar import Calendars
from protocol.calendars import load_calendars
from protocol.checkpoint import public_key_of
from protocol.config import Settings, load_settings
from protocol.definition import ProtocolDefinition
from protocol.errors import NotFound
from protocol.events import StoredEvent
from protocol.files import private_dir
from protocol.loader import load_definition_text
from protocol.storage.algorithms import DefinitionRepository
from protocol.storage.database import Database
from protocol.storage.uow import UnitOfWork

# Packages whose repositories join the unit of work: each names, as `UNIT_OF_WORK`, its subclass of
# `UnitOfWork` that declares them. (Loaded by name until one composition root above both wires it.)
EXTENSIONS = ("notifications.storage",)


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
    clock: Callable[[], datetime] = utcnow
    on_commit: list[Callable[[list[StoredEvent]], None]] = field(default_factory=list)
    unit_of_work: type[UnitOfWork] = UnitOfWork

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one transaction)."""
        return self.unit_of_work(
            self.db,
            definitions=self.definitions,
            calendar=self.calendar,
            clock=self.clock,
            on_commit=self.on_commit,
        )

    def checkpoint_public_key(self) -> str | None:
        """The public half of the key this installation signs checkpoints with (None: no key is set)."""
        if not self.settings.signing_key:
            return None
        return public_key_of(self.settings.signing_key_bytes())

    def close(self) -> None:
        self.db.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None) -> Herstel:
    """Wire an installation from its settings (read from the environment when not given)."""
    settings = settings or load_settings()
    unit_of_work = UnitOfWork
    for module in EXTENSIONS:
        try:
            extension = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            continue
        declared = getattr(extension, "UNIT_OF_WORK", None)
        if isinstance(declared, type) and issubclass(declared, unit_of_work):
            unit_of_work = declared
    if Path(settings.data_dir).is_dir():
        private_dir(settings.data_dir)  # one made by an older version (0755): narrow it; new ones are made 0700
    db = Database(settings.resolved_database_url())
    return Herstel(
        settings=settings,
        db=db,
        calendar=load_calendars(),
        definitions=DefinitionCache(db),
        clock=clock or utcnow,
        unit_of_work=unit_of_work,
    )
