"""A forgotten principal fails closed (issue 7, item 14): no service reads a missing one as "everything".

The installation's own authority is an explicit value, `Principal.installation()`; a user principal
never has it, and the services that once took `principal=None`/`by=None` for it now require the
argument, so leaving it out is a TypeError before anything is read or written.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from protocol import views
from protocol.identity import Principal, Role
from protocol.permissions import Forbidden, organisations_for
from protocol.services import accounts, invitations, timeline, tokens, users

SERVICES: list[tuple[Callable[..., Any], str, dict[str, Any]]] = [
    (tokens.create_token, "by", {"email": "someone@example.nl"}),
    (tokens.list_tokens, "principal", {}),
    (tokens.revoke_token, "principal", {"token_id": UUID(int=1)}),
    (timeline.verify_incident, "principal", {"incident_id": UUID(int=1)}),
    (timeline.create_checkpoint, "principal", {"private_key": b"k" * 32}),
    (timeline.verify_all, "principal", {}),
    (accounts.create_user, "by", {"email": "a@b.nl", "roles": ["officer"], "organisation_id": UUID(int=1)}),
    (accounts.set_user_active, "by", {"email": "a@b.nl", "active": False}),
    (accounts.list_users, "by", {}),
    (invitations.invite_user, "principal", {"email": "a@b.nl", "roles": ["officer"]}),
    (invitations.accept_my_invitation, "principal", {"invitation_id": UUID(int=1)}),
    (invitations.list_user_audit, "principal", {}),
    (users.grant_role, "principal", {"user_id": UUID(int=1), "role": "officer"}),
    (users.remove_role, "principal", {"user_id": UUID(int=1), "role": "officer"}),
    (views.incident_view, "principal", {"incident": None, "now": None}),
]


@pytest.mark.parametrize(("service", "parameter", "arguments"), SERVICES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_principal_is_required(service: Callable[..., Any], parameter: str, arguments: dict[str, Any]) -> None:
    declared = inspect.signature(service).parameters[parameter]
    assert declared.default is inspect.Parameter.empty, f"{service.__name__}({parameter}=...) has a default"
    assert "None" not in str(declared.annotation)


@pytest.mark.parametrize(("service", "parameter", "arguments"), SERVICES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_call_without_the_principal_fails_before_doing_anything(
    service: Callable[..., Any], parameter: str, arguments: dict[str, Any]
) -> None:
    uow_parameter = "uow_factory" if "uow_factory" in inspect.signature(service).parameters else "uow"
    no_uow = {uow_parameter: None} if service is not views.incident_view else {}

    with pytest.raises(TypeError, match=parameter):
        service(**no_uow, **arguments)  # no unit of work either: nothing may be touched


def test_the_installation_is_an_explicit_value_no_user_holds() -> None:
    installation = Principal.installation()
    someone = Principal(UUID(int=2), {UUID(int=0x100): frozenset({Role.ADMIN})})

    assert installation.is_installation
    assert installation.ref() == "installation"
    assert not someone.is_installation
    assert someone.ref() == f"user:{UUID(int=2)}"
    # within the permission matrix the installation holds nothing: it acts only where a service says so
    assert organisations_for(installation, "incident.read") == {}


def test_a_user_without_roles_cannot_grant_or_sign_a_checkpoint() -> None:
    nobody = Principal(UUID(int=9), {})

    with pytest.raises(Forbidden):
        accounts.check_may_grant(nobody, "officer", UUID(int=0x100))
    with pytest.raises(Forbidden):
        timeline.create_checkpoint(uow=None, principal=nobody, private_key=b"k" * 32)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        accounts.create_user(
            uow=None,  # type: ignore[arg-type]
            by=nobody,
            email="a@b.nl",
            roles=["officer"],
            organisation_id=UUID(int=0x100),
        )
