"""The data directory is private: what Herstel writes there is 0700 (folders) and 0600 (files),
whatever the umask of the shell that started it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from notifications.channels import Outgoing, PostChannel
from notifications.mailbox import store_message
from notifications.rendering import Block, RenderedLetter
from protocol.storage.database import Database

HERSTEL = Path(sys.executable).parent / "herstel"
LETTER = RenderedLetter(
    kind="notification",
    language="nl",
    subject="Wij hebben u mogelijk ongelijk behandeld",
    blocks=(Block("paragraph", ((False, "Beste Zoë"),)),),
    text="Beste Zoë,\n",
    html="<p>Beste Zoë,</p>",
    recipient_lines=("Zoë Öztürk", "Kerkstraat 1", "1234 AB  Ĳsselstein"),
    sender_lines=("Gemeente",),
    reference="HST-1",
    date_line="30 november 2026",
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(root: Path) -> dict[str, int]:
    """Every folder and file under `root` (itself included) → its permission bits."""
    found = {".": mode(root)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = mode(path)
    return found


def private(found: dict[str, int], root: Path) -> dict[str, int]:
    """What differs from 0700 for folders and 0600 for files (empty when all is private)."""
    return {
        name: bits
        for name, bits in found.items()
        if bits != (0o700 if (root / name).is_dir() or name == "." else 0o600)
    }


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The umask of a careless shell (022): what is not made private explicitly becomes world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_cli_makes_the_data_dir_its_keys_and_database_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERSTEL_")}
    env.update({"HERSTEL_DATA_DIR": str(data), "HERSTEL_ENV": "development"})
    done = subprocess.run(
        [str(HERSTEL), "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the umask of a careless shell
    )
    assert done.returncode == 0, done.stderr
    found = modes(data)
    assert "herstel.db" in found
    assert "keys" in found
    assert private(found, data) == {}


def test_an_existing_data_dir_is_narrowed_at_start(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "old"
    data.mkdir(mode=0o755)
    (data / "herstel.db").touch(mode=0o644)
    Database(f"sqlite:///{data / 'herstel.db'}").dispose()
    assert (mode(data), mode(data / "herstel.db")) == (0o700, 0o600)


def test_sqlite_write_ahead_log_and_shared_memory_are_private(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"
    db = Database(f"sqlite:///{data / 'herstel.db'}")
    try:
        with db.engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            found = modes(data)  # while the connection is open, the -wal and -shm exist
    finally:
        db.dispose()
    assert {"herstel.db", "herstel.db-wal", "herstel.db-shm"} <= set(found)
    assert private(found, data) == {}


def test_captured_mail_and_print_zips_are_private_also_in_folders_made_later(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"  # made by the writers themselves, as a worker does on its first letter
    store_message(data / "mail", b"To: zoe@example.nl\r\nSubject: code\r\n\r\nABCD-EFGH-JKLM-NPQR\r\n")
    post = PostChannel(data)
    item = Outgoing(uuid.uuid4(), 1, LETTER, "hash", datetime(2026, 11, 30, tzinfo=UTC), postal_code="1234 AB")
    (outcome,) = post.send([item])
    assert outcome.status == "delivered"
    assert post.batch is not None
    assert post.publish(post.batch.id)
    found = modes(data)
    assert [name for name in found if name.endswith(".eml")]
    assert [name for name in found if name.startswith("print/outbox/") and name.endswith(".zip")]
    assert private(found, data) == {}
