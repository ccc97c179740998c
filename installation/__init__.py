"""The composition root of Herstel: one installation, built in plain code above `protocol` and `notifications`.

Entry points (web, workers, CLI) call `bootstrap()` once per process and then `herstel.uow()` per
action; `upgrade_database` and `database_status` bring and check the schema of every package.
"""

from installation.database import database_status, downgrade_database, upgrade_database
from installation.root import DefinitionCache, Herstel, bootstrap
from installation.settings import ConfigError, Settings, load_settings

__all__ = [
    "ConfigError",
    "DefinitionCache",
    "Herstel",
    "Settings",
    "bootstrap",
    "database_status",
    "downgrade_database",
    "load_settings",
    "upgrade_database",
]
