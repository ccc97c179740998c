"""Herstel's files are private to the account that runs it: directories 0700, files 0600.

The data directory holds personal data in plain text: the SQLite database and its -wal/-shm,
captured mail with access codes, print zips with names and addresses, the development keys.
Two measures, so that neither alone has to be perfect:

- every process `herstel` starts runs with umask 077 (`make_process_private`, called once in the
  CLI's entry point), so what it, its libraries and its child processes (dramatiq's workers,
  gunicorn's) create is private;
- the writers of the data directory create their folders and files with these modes themselves
  (`private_dir`, `write_private`), so a process started otherwise is no less private.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def make_process_private() -> None:
    """From now on this process (and what it starts) creates files 0600 and directories 0700."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: str | Path) -> Path:
    """The folder, created 0700 with any missing parents; an existing one is narrowed to 0700."""
    folder = Path(path)
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for component in reversed(missing):
        component.mkdir(mode=DIR_MODE, exist_ok=True)
    restrict(folder, DIR_MODE)
    return folder


def restrict(path: str | Path, mode: int = FILE_MODE) -> None:
    """Narrow an existing file or folder of ours to `mode`; one we do not own is left as it is."""
    try:
        if stat.S_IMODE(os.stat(path).st_mode) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
    except PermissionError:  # not ours (a shared parent such as /tmp): nothing to narrow
        pass


def create_private(path: str | Path) -> None:
    """Create an empty file 0600 if there is none (so what opens it later keeps that mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    restrict(path)


def write_private(path: str | Path, data: bytes) -> Path:
    """Write a whole file 0600 under a temporary name, then rename it: readers never see half of it."""
    target = Path(path)
    private_dir(target.parent)
    staging = target.with_name(f".{target.name}.part")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # a leftover staging file may have had another mode
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(staging, target)
    return target
