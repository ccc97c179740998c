"""The import's pause of the cyclic garbage collector (notifications.persons) under overlapping imports."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from notifications.persons import _CollectorPause


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_overlapping_imports_keep_it_paused_until_the_last_ends(collector_on: None) -> None:
    pause = _CollectorPause()
    first, second = pause(), pause()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second import still builds its records
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on: None) -> None:
    gc.disable()
    with _CollectorPause()():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()


def test_an_import_that_fails_still_resumes_it(collector_on: None) -> None:
    pause = _CollectorPause()
    with pytest.raises(ValueError), pause():
        raise ValueError("bad file")
    assert gc.isenabled()
