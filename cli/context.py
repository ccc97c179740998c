"""What every command shares: the installation, bootstrapped on first use, and the operator's authority."""

from __future__ import annotations

from typing import Any

import click

from installation import Herstel, bootstrap, load_settings
from protocol.services import Principal

# the command line is the installation's operator: its authority is this explicit value, never a missing one
INSTALLATION = Principal.installation()


class Context:
    """Lazily bootstraps the installation, so `herstel --help` needs no database."""

    def __init__(self, **overrides: Any) -> None:
        self.overrides = overrides
        self._herstel: Herstel | None = None

    @property
    def herstel(self) -> Herstel:
        if self._herstel is None:
            self._herstel = bootstrap(load_settings(**self.overrides))
        return self._herstel


pass_context = click.make_pass_decorator(Context)
