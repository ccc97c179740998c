"""`herstel log checkpoint` and `herstel log verify` as an administrator or an oversight body runs them."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from tests.conftest import Clock
from tests.integration import flows, tampering
from tests.integration.cli.test_main import herstel_cli
from tests.integration.flows import People


@pytest.fixture
def closed(herstel: Herstel, people: People, algorithm_id: Any, clock: Clock) -> dict[str, Any]:
    return flows.run_protocol(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))


def test_log_checkpoint_then_verify_and_a_rewrite_is_named_by_its_leaf(
    herstel: Herstel, closed: dict[str, Any], tmp_path: Path
) -> None:
    kept = tmp_path / "head.json"
    made = herstel_cli(herstel, "log", "checkpoint", "--out", str(kept))
    assert made.returncode == 0, made.stderr
    head = json.loads(kept.read_text())
    assert head["format"] == "herstel-tree-head/1"
    assert head["size"] > 10

    intact = herstel_cli(herstel, "log", "verify", "--checkpoint", str(kept))
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert json.loads(intact.stdout)["valid"]

    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, closed["id"], 4)
        tampering.rewrite_chain(connection, closed["id"], 4, row["payload"].replace("}", ',"x":1}', 1))
        tampering.forget_log(connection)  # and the log rebuilt from the rewritten events

    rewritten = herstel_cli(herstel, "log", "verify", "--checkpoint", str(kept))
    other_key = base64.b64encode(secrets.token_bytes(32)).decode()
    wrong_key = herstel_cli(herstel, "log", "verify", "--checkpoint", str(kept), "--public-key", other_key)

    assert rewritten.returncode == 1
    assert "INVALID" in rewritten.stderr
    assert not json.loads(rewritten.stdout)["valid"]
    assert wrong_key.returncode == 1
    assert "not signed by this key" in wrong_key.stderr
