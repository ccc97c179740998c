"""Actor modules of other capabilities, imported wherever the actors are (worker processes, embedded)."""

from __future__ import annotations

import importlib

MODULES = ("workers.letters", "workers.inbox")

for _module in MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise
