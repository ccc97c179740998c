"""Every notifications module except the service layer is closed to the entry points (import-linter)."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import notifications


def test_the_contract_names_every_module_but_the_services():
    config = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text("utf-8"))
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"] == "Entrypoints reach notifications only through its services"
    )
    modules = {f"notifications.{m.name}" for m in pkgutil.iter_modules(notifications.__path__)}
    assert set(contract["forbidden_modules"]) == modules - {"notifications.services"}
