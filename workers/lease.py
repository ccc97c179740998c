"""Which started scheduler is the one: a lease row in the database, or a file lock in the data dir.

Every `herstel scheduler` and `herstel up` starts a scheduler; only the one holding the lease runs
its jobs. On PostgreSQL the lease is a row (`scheduler_lease`) taken by a conditional upsert,
renewed on a heartbeat and taken over by another scheduler once it expired because its holder
died. The embedded mode on SQLite (one machine, one data dir) uses an `fcntl.flock` on a file in
the data dir, which the kernel releases when the holding process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import IO, Protocol

from installation import Herstel
from protocol.services import claim_scheduler_lease, release_scheduler_lease

log = logging.getLogger(__name__)
LOCK_FILE = "scheduler.lock"


class Lease(Protocol):
    holder: str

    def hold(self) -> bool:
        """Take or renew the lease; True while this process holds it."""

    def release(self) -> None:
        """Give it up (on a clean stop)."""


def holder_id() -> str:
    """Who this scheduler is, as the lease row and the logs name it: host, process and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DatabaseLease:
    """The lease row. `hold` is true only until the moment the lease would expire without a renewal,
    measured on this process's monotonic clock from before the claim was sent, so a holder that
    cannot reach the database stops before another may take over."""

    def __init__(self, herstel: Herstel, *, seconds: float, holder: str | None = None) -> None:
        self.herstel = herstel
        self.seconds = seconds
        self.holder = holder or holder_id()
        self._valid_until = 0.0

    def hold(self) -> bool:
        started = time.monotonic()
        try:
            held = claim_scheduler_lease(uow=self.herstel.uow(), holder=self.holder, seconds=self.seconds)
        except Exception:
            log.exception("scheduler lease: the database did not answer")
            held = False
        if held:
            self._valid_until = started + self.seconds
        return held and time.monotonic() < self._valid_until

    def release(self) -> None:
        self._valid_until = 0.0
        try:
            release_scheduler_lease(uow=self.herstel.uow(), holder=self.holder)
        except Exception:
            log.exception("scheduler lease: could not release; it expires by itself")


class FileLease:
    """An exclusive, non-blocking `flock` on `<data dir>/scheduler.lock`, held for the life of the process."""

    def __init__(self, data_dir: str | Path, *, holder: str | None = None) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self.holder = holder or holder_id()
        self._file: IO[str] | None = None

    def hold(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(self.holder + "\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lease_for(herstel: Herstel) -> Lease:
    """The database lease on PostgreSQL; the file lock for SQLite, whose schedulers share one data dir."""
    if herstel.db.is_postgres:
        return DatabaseLease(herstel, seconds=herstel.settings.scheduler_lease_seconds)
    return FileLease(herstel.settings.data_dir)
