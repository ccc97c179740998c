"""Four eyes cannot be faked with a second account (issue 7, item 2), with two organisations.

The attack: a coordinator asks to waive a step, makes themselves a second coordinator account,
signs in as it and approves. Now accounts are invited (the invitee sets the password), only an
administrator grants the coordinator role, and a signature from an account made after the
request is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from installation import Herstel
from protocol.services import (
    Principal,
    accept_invitation,
    create_organisation,
    create_token,
    create_user,
    ensure_default_organisation,
    get_principal,
    invite_user,
    register_algorithm,
)
from tests.conftest import Clock
from tests.integration.web.conftest import ASSESSMENT, Api

JUSTIFICATION = "Continued use: the fallback procedure is not ready yet."


def user(herstel: Herstel, client: Any, email: str, roles: list[str], organisation: Any) -> Api:
    user_id = create_user(
        uow=herstel.uow(), by=Principal.installation(), email=email, roles=roles, organisation_id=organisation
    )
    token = create_token(uow=herstel.uow(), by=Principal.installation(), email=email).secret
    return Api(client, token, get_principal(uow=herstel.uow(), user_id=user_id))


@pytest.fixture
def orgs(herstel: Herstel, client: Any) -> dict[str, Any]:
    a = ensure_default_organisation(uow=herstel.uow())
    b = create_organisation(uow=herstel.uow(), slug="orgb", name="Organisatie B", reference_prefix="ORB")
    return {
        "a": a,
        "b": b,
        "coordinator_a": user(herstel, client, "coordinator@a.nl", ["officer", "coordinator"], a),
        "admin_a": user(herstel, client, "admin@a.nl", ["admin"], a),
        "colleague_a": user(herstel, client, "collega@a.nl", ["coordinator"], a),  # from before any request
        "coordinator_b": user(herstel, client, "coordinator@b.nl", ["coordinator"], b),
        "admin_b": user(herstel, client, "admin@b.nl", ["admin"], b),
    }


@pytest.fixture
def requested(herstel: Herstel, orgs: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """Coordinator A reported and assessed an incident and asked to waive `suspend`."""
    coordinator: Api = orgs["coordinator_a"]
    algorithm = register_algorithm(uow=herstel.uow(), principal=coordinator.principal, name="Model", lars="12345670")
    incident = coordinator.report(str(algorithm["id"]))
    assessed = coordinator.act(incident, "steps/assess/complete", **ASSESSMENT)
    clock.advance(minutes=1)
    return coordinator.act(assessed, "steps/suspend/waive", status=202, justification=JUSTIFICATION)


def approve(api: Api, requested: dict[str, Any]) -> Any:
    return api.post(
        f"/incidents/{requested['id']}/approvals/{requested['approval_id']}/approve", {"version": requested["version"]}
    )


def test_a_coordinator_cannot_make_their_own_second_coordinator(
    orgs: dict[str, Any], requested: dict[str, Any]
) -> None:
    coordinator: Api = orgs["coordinator_a"]

    with_password = coordinator.post(
        "/users", {"email": "ik-nog-een-keer@a.nl", "roles": ["coordinator"], "password": "I know this one"}
    )
    invited = coordinator.post("/users", {"email": "ik-nog-een-keer@a.nl", "roles": ["coordinator"]})

    assert with_password.status_code == 422
    assert (invited.status_code, invited.get_json()["rule"]) == (403, "grant-admin")
    assert approve(coordinator, requested).get_json()["rule"] == "four-eyes"


def test_an_account_made_after_the_request_cannot_approve_it(
    herstel: Herstel, client: Any, orgs: dict[str, Any], requested: dict[str, Any], clock: Clock
) -> None:
    clock.advance(minutes=5)
    # even an administrator's genuine invitation, accepted after the request, gives no valid second signature
    invitation = invite_user(
        uow=herstel.uow(),
        principal=orgs["admin_a"].principal,
        email="nieuw@a.nl",
        roles=["coordinator"],
        organisation_id=orgs["a"],
    )
    user_id = accept_invitation(uow=herstel.uow(), secret=invitation.secret, password="a password of my own")
    newcomer = Api(
        client,
        create_token(uow=herstel.uow(), by=Principal.installation(), email="nieuw@a.nl").secret,
        get_principal(uow=herstel.uow(), user_id=user_id),
    )

    refused = approve(newcomer, requested)

    assert (refused.status_code, refused.get_json()["rule"]) == (409, "four-eyes-account-age")
    assert approve(orgs["coordinator_b"], requested).status_code == 404  # another organisation's coordinator
    colleague: Api = orgs["colleague_a"]
    assert colleague.ok(approve(colleague, requested))["steps"]["suspend"]["state"] == "waived"


def test_a_coordinator_of_one_organisation_cannot_be_made_one_by_another(orgs: dict[str, Any]) -> None:
    admin_b: Api = orgs["admin_b"]
    user_a = orgs["coordinator_a"].principal.user_id

    response = admin_b.post(f"/users/{user_a}/roles", {"role": "coordinator", "organisation_id": str(orgs["b"])})

    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-user")
