"""`herstel verify` and `herstel db status` as an administrator runs them: a real process, exit codes, output."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from protocol.services import Principal, accept_invitation, authenticate_password, create_checkpoint
from tests.conftest import Clock
from tests.integration import flows, tampering
from tests.integration.flows import People

HERSTEL = Path(sys.executable).parent / "herstel"


def herstel_cli(installation: Herstel, *args: str) -> subprocess.CompletedProcess[str]:
    settings = installation.settings
    env = {
        **os.environ,
        "HERSTEL_DATABASE_URL": settings.resolved_database_url(),
        "HERSTEL_DATA_DIR": settings.data_dir,
        "HERSTEL_SIGNING_KEY": settings.signing_key,
        "HERSTEL_ENCRYPTION_KEYS": settings.encryption_keys,
        "HERSTEL_HASH_KEY": settings.hash_key,
        "HERSTEL_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run([str(HERSTEL), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def closed(herstel: Herstel, people: People, algorithm_id: Any, clock: Clock) -> dict[str, Any]:
    return flows.run_protocol(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))


def test_verify_exits_0_for_an_intact_chain_and_1_naming_the_tampered_event(
    herstel: Herstel, closed: dict[str, Any]
) -> None:
    intact = herstel_cli(herstel, "verify", str(closed["id"]))
    assert intact.returncode == 0, intact.stderr
    assert f"{closed['id']}: valid" in intact.stdout

    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, closed["id"], 5)
        tampering.set_event(connection, row["id"], payload=row["payload"].replace('"', "'", 1))

    tampered = herstel_cli(herstel, "verify", str(closed["id"]))
    everything = herstel_cli(herstel, "verify", "--all")

    assert tampered.returncode == 1
    assert f"{closed['id']}: INVALID at event 5" in tampered.stdout
    assert everything.returncode == 1
    assert "INVALID at event 5" in everything.stdout
    assert "0 of 1 chains valid" in everything.stdout


def test_verify_against_a_kept_checkpoint_exits_1_after_a_rewrite(
    herstel: Herstel, closed: dict[str, Any], tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoint.json"
    checkpoint = create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=herstel.settings.signing_key_bytes()
    )
    kept.write_text(checkpoint.to_json(), "utf-8")
    args = ("verify", "--checkpoint", str(kept), "--public-key", checkpoint.public_key)
    assert herstel_cli(herstel, *args).returncode == 0

    with tampering.triggers_bypassed(herstel) as connection:
        row = tampering.event_row(connection, closed["id"], 2)
        tampering.rewrite_chain(connection, closed["id"], 2, row["payload"].replace("assess", "report", 1))

    # consistent on its own, but plain verify holds it to the checkpoint in the database (issue 7, item 10)
    plain = herstel_cli(herstel, "verify", str(closed["id"]))
    assert plain.returncode == 1
    assert f"{closed['id']}: INVALID at event {checkpoint.heads[0].seq}: event differs from the signed checkpoint" in (
        plain.stdout
    )
    result = herstel_cli(herstel, *args)
    assert result.returncode == 1
    assert str(closed["id"]) in result.stdout
    assert '"valid": false' in result.stdout


def test_db_status_is_clean_after_upgrade(herstel: Herstel) -> None:
    status = herstel_cli(herstel, "db", "status")

    assert status.returncode == 0, status.stdout + status.stderr
    assert '"up_to_date": true' in status.stdout
    assert '"drift": []' in status.stdout


def test_user_invite_prints_a_link_that_lets_the_invitee_choose_their_password(herstel: Herstel) -> None:
    invited = herstel_cli(herstel, "user", "invite", "nieuw@example.nl", "--role", "coordinator")

    assert invited.returncode == 0, invited.stderr
    link = invited.stdout.strip().splitlines()[-1]
    assert "/invitations/" in link
    user_id = accept_invitation(uow=herstel.uow(), secret=link.rsplit("/", 1)[1], password="chosen by me alone")
    principal = authenticate_password(uow=herstel.uow(), email="nieuw@example.nl", password="chosen by me alone")
    assert principal is not None
    assert principal.user_id == user_id
    assert {r.value for r in principal.all_roles} == {"coordinator"}
