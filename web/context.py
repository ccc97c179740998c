"""What a view needs from the app: the installation and a fresh unit of work per service call."""

from __future__ import annotations

from typing import cast

from flask import current_app, g

from installation import Herstel
from notifications.services import NotificationsUnitOfWork, UnitOfWorkFactory, Vault
from protocol.services import Principal


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
    return herstel().uow()


def notifications_uows() -> UnitOfWorkFactory:
    """Fresh units of work with the notifications' repositories, for a service that runs several transactions."""
    return herstel().uow


def vault() -> Vault:
    """The installation's keys for personal data (built once, by the composition root)."""
    return herstel().vault
