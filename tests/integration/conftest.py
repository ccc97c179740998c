"""Fixtures of the integration tier: the staff of an incident, and ways to reach the database directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from protocol.services import Principal
from tests.integration.flows import People


@pytest.fixture
def people(make_user: Callable[..., Principal]) -> People:
    return People(
        officer=make_user("officer"),
        coordinator=make_user("coordinator"),
        second_coordinator=make_user("coordinator"),
        investigator=make_user("investigator"),
    )


@pytest.fixture
def algorithm_id(algorithm: dict[str, Any]) -> Any:
    return algorithm["id"]
