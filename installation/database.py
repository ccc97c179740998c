"""Bringing a database to the current schema, and checking that it is there.

Here, above the protocol: the migrations know every package's tables (`migrations/env.py`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from installation.root import Herstel
from protocol.services import ensure_default_organisation, sync_builtin_definitions


def _config(*, quiet: bool = False) -> Config:
    config = Config(stdout=io.StringIO()) if quiet else Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def upgrade_database(*, herstel: Herstel, revision: str = "head") -> list[str]:
    """Migrate to `revision`, then make sure the default organisation and built-in protocols exist."""
    config = _config()
    with herstel.db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
    if revision != "head":
        return []
    ensure_default_organisation(uow=herstel.uow())
    return sync_builtin_definitions(uow_factory=herstel.uow)


def downgrade_database(*, herstel: Herstel, revision: str = "base") -> None:
    """Migrate down to `revision` (for tests of the migrations and for rollbacks)."""
    config = _config()
    with herstel.db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def database_status(*, herstel: Herstel) -> dict[str, Any]:
    """The database's revision, the code's head, and whether the schema matches the models (`alembic check`)."""
    config = _config(quiet=True)  # `alembic check` prints its verdict; we return it instead
    head = ScriptDirectory.from_config(config).get_current_head()
    with herstel.db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        drift: list[str] = []
        if current == head:
            config.attributes["connection"] = connection
            try:
                command.check(config)
            except Exception as error:
                drift = [str(d) for d in getattr(error, "diffs", [error])]
    return {"current": current, "head": head, "up_to_date": current == head, "drift": drift}
