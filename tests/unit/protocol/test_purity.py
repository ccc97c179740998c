"""The domain is pure: importing any module of protocol/ outside storage/ and services/
loads no web framework, broker, ORM, schema library, scheduler or database driver.

The check runs in a fresh interpreter, because this test process has long imported them all
(the shared conftest builds installations through protocol.services). Modules are imported one
after another and each is blamed for the framework modules it added.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import protocol

FRAMEWORKS = ("flask", "dramatiq", "sqlalchemy", "marshmallow", "apscheduler", "redis", "alembic")
EDGE = ("protocol.storage", "protocol.services")


def domain_modules() -> list[str]:
    found = [
        info.name
        for info in pkgutil.walk_packages(protocol.__path__, prefix="protocol.")
        if not info.name.startswith(EDGE)
    ]
    return sorted(["protocol", *found])


def test_the_domain_modules_are_found() -> None:
    modules = domain_modules()

    for expected in ("protocol.incident", "protocol.steps", "protocol.loader", "protocol.chain", "protocol.calendars"):
        assert expected in modules
    assert not [m for m in modules if m.startswith(EDGE)]


PROBE = """
import importlib, json, sys
frameworks = {frameworks!r}
loaded = {{}}
for name in sys.argv[1:]:
    importlib.import_module(name)
    found = sorted(m for m in sys.modules if m.split(".")[0] in frameworks)
    loaded[name] = [m for m in found if m not in sum(loaded.values(), [])]
print(json.dumps(loaded))
"""


def probe(modules: list[str]) -> dict[str, list[str]]:
    """Import the modules one after another in a fresh interpreter; the framework modules each one added."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(frameworks=FRAMEWORKS), *modules],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_importing_the_domain_loads_no_framework() -> None:
    modules = domain_modules()

    loaded = probe(modules)

    assert list(loaded) == modules, "every module was imported"
    assert {name: found for name, found in loaded.items() if found} == {}


def test_the_probe_would_notice_a_framework() -> None:
    loaded = probe(["protocol.steps", "protocol.storage.tables", "protocol.chain"])

    assert loaded["protocol.steps"] == []
    assert "sqlalchemy" in loaded["protocol.storage.tables"]
    assert loaded["protocol.chain"] == [], "a framework is blamed on the module that first loaded it"
