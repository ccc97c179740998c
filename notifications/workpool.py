"""Checking and sealing a large persons file in helper processes, so an import uses every core.

A file of 100,000 persons costs about 40 µs of Python per row in one process (the row checks,
five AES-GCM seals and a keyed hash): most of an import's time, on one core. `helpers(rows, vault)`
gives a `map` over chunks of rows that runs them in a pool of processes for large files and in
this process for small ones (starting processes costs more than a few thousand rows).

The processes come from the `forkserver`: a clean process started once, never a copy of a
threaded web or worker process. Each helper receives the vault's key material once, as the pool's
initializer argument over a pipe of its own; it is never logged and never put in a task or
a result. The functions run in the helpers are the same ones the in-process path runs.

The forkserver imports the main module once (multiprocessing's rule): a script that imports a
large file keeps its work under ``if __name__ == "__main__":``, as every entry point here does.
Measured (bench/notify.md): the helpers take ~70 % of the work off the importing process for
~15 % more CPU in all; they pay off where cores are idle, not on a saturated machine.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from notifications.crypto import Vault

POOL_FROM = 5000  # fewer rows than this are handled in this process
MAX_PROCESSES = 4
CHUNK = 2500  # rows per task: large enough that pickling stays a small share, small enough to overlap

T = TypeVar("T")
R = TypeVar("R")


class Helpers(Protocol):
    """Runs `function(vault, chunk)` for every chunk, results in the chunks' order."""

    def __call__(self, function: Callable[[Vault, T], R], chunks: Iterable[T]) -> Iterator[R]: ...


_vault: Vault | None = None  # a helper process's vault, set by `_start`


def processes() -> int:
    """How many helper processes a large file gets: one per core, at most MAX_PROCESSES (0: none, also
    where there is no forkserver)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = min(cores, MAX_PROCESSES)
    return count if count > 1 and "forkserver" in multiprocessing.get_all_start_methods() else 0


@contextmanager
def helpers(rows: int, vault: Vault) -> Iterator[Helpers]:
    """Helpers for a file of `rows` rows: a pool of processes holding `vault`'s keys when the file is
    large and the machine has more than one core, else this process with `vault` itself.

    The functions given must be module-level (they travel to the helpers by name). The pool is shut
    down on leaving, also on error."""
    count = processes()
    if rows < POOL_FROM or not count:

        def here(function: Callable[[Vault, T], R], chunks: Iterable[T]) -> Iterator[R]:
            return (function(vault, chunk) for chunk in chunks)

        yield here
        return
    context = multiprocessing.get_context("forkserver")
    # the forkserver imports these once and every helper inherits them; `__main__` among them, or each
    # helper would import the main module anew (multiprocessing's default preload, kept)
    context.set_forkserver_preload(["__main__", "notifications.csvimport", "notifications.identity", __name__])
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=(vault.material(),))

    def there(function: Callable[[Vault, T], R], chunks: Iterable[T]) -> Iterator[R]:
        return pool.map(_run, ((function, chunk) for chunk in chunks))

    try:
        yield there
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an import builds its 100,000 records: the
    collector otherwise walks them again and again as they accumulate (measured: 45 % of checking a
    file's rows). Reference counting still frees what is dropped; the collector runs again after.
    Process-wide, so an overlapping import may find it paused; the first to pause it resumes it."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _start(material: tuple[Sequence[tuple[str, bytes]], bytes]) -> None:
    """A helper process's start: the vault it works with (keys from the pool's initializer), and no
    cyclic garbage collection (a helper lives for one import and makes no cycles worth collecting)."""
    global _vault
    gc.disable()
    keyring, hash_key = material
    _vault = Vault(keyring, hash_key)


def _run(task: tuple[Callable[[Vault, Any], Any], Any]) -> Any:
    function, chunk = task
    assert _vault is not None, "a helper process without its vault"
    return function(_vault, chunk)


def chunked(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
