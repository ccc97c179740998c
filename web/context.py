"""What a view needs from the app: the installation and a fresh unit of work per service call."""

from __future__ import annotations

from typing import cast

from flask import current_app, g

from notifications.services import (
    NotificationsUnitOfWork,
    UnitOfWorkFactory,
    Vault,
    open_vault,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import Herstel, Principal


def herstel() -> Herstel:
    """The installation this app serves (bootstrapped once, in create_app)."""
    return cast(Herstel, current_app.extensions["herstel"])


def principal() -> Principal:
    """The authenticated user of this request; the guard has made sure there is one."""
    found = g.get("principal")
    if found is None:  # a view for signed-in users reached without the guard: a programming error
        raise RuntimeError("no principal on a route that needs one; is it declared in web.access.ROUTES?")
    return cast(Principal, found)


def notifications_uow() -> NotificationsUnitOfWork:
    """A fresh unit of work with the notifications' repositories, for one service call."""
    return unit_of_work(herstel())


def notifications_uows() -> UnitOfWorkFactory:
    """Fresh units of work with the notifications' repositories, for a service that runs several transactions."""
    return unit_of_work_factory(herstel())


def vault() -> Vault:
    """The installation's keys for personal data, built on first use and kept with the app."""
    found = current_app.extensions.get("vault")
    if found is None:
        found = current_app.extensions["vault"] = open_vault(herstel().settings)
    return cast(Vault, found)
