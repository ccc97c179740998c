"""/me, /me/notices, /tokens, /users, /investigators."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from installation import Herstel
from protocol.services import (
    Principal,
    accept_invitation,
    ensure_default_organisation,
    handle_event,
    handlers_for,
    invite_user,
    relay_once,
    set_user_active,
)
from tests.integration.web.conftest import Api


def test_me(officer_api: Api) -> None:
    me = officer_api.ok(officer_api.get("/me"))
    assert me["user_id"] == str(officer_api.principal.user_id)
    assert me["email"] == officer_api.principal.email
    assert [m["roles"] for m in me["memberships"]] == [["officer"]]


def test_tokens_create_list_revoke(officer_api: Api) -> None:
    issued = officer_api.ok(officer_api.post("/tokens", {"name": "laptop"}), 201)
    assert issued["token"].startswith("hst_")
    assert issued["prefix"] == issued["token"][:12]
    mine = officer_api.ok(officer_api.get("/tokens"))
    assert "laptop" in [t["name"] for t in mine]
    assert all("token" not in t and "token_hash" not in t for t in mine)
    second = Api(officer_api.client, issued["token"])
    assert second.get("/me").status_code == 200
    assert officer_api.delete(f"/tokens/{issued['id']}").status_code == 204
    revoked = second.get("/me")
    assert (revoked.status_code, revoked.get_json()["rule"]) == (401, "authentication")
    listed = {t["id"]: t for t in officer_api.ok(officer_api.get("/tokens"))}
    assert listed[issued["id"]]["revoked_at"] is not None


def test_an_expired_token_does_not_work(officer_api: Api) -> None:
    issued = officer_api.ok(officer_api.post("/tokens", {"name": "old", "expires_at": "2026-11-01T00:00:00Z"}), 201)
    assert Api(officer_api.client, issued["token"]).get("/me").status_code == 401


def test_tokens_of_others(officer_api: Api, as_user: Callable[..., Api]) -> None:
    admin = as_user("admin")
    other = as_user("officer")
    assert other.delete(f"/tokens/{uuid.uuid4()}").status_code == 404
    own = officer_api.ok(officer_api.get("/tokens"))[0]
    assert other.delete(f"/tokens/{own['id']}").status_code == 404  # not theirs: as if it did not exist
    # a token is its user's identity: nobody names another user to mint one for (issue 7, item 1)
    assert other.post("/tokens", {"email": officer_api.principal.email}).status_code == 422
    every = admin.ok(admin.get("/tokens/all"))
    assert own["id"] in [t["id"] for t in every]
    assert other.get("/tokens/all").status_code == 403
    minted = admin.post("/tokens", {"name": "service", "email": officer_api.principal.email})
    assert (minted.status_code, "email" in minted.get_json()["errors"]) == (422, True)
    assert admin.delete(f"/tokens/{own['id']}").status_code == 204
    assert officer_api.get("/me").status_code == 401


def test_a_deactivated_users_tokens_stop_working(herstel: Herstel, officer_api: Api) -> None:
    assert officer_api.get("/me").status_code == 200
    set_user_active(uow=herstel.uow(), by=Principal.installation(), email=officer_api.principal.email, active=False)
    assert officer_api.get("/me").status_code == 401


def test_user_management(as_user: Callable[..., Api], herstel: Herstel) -> None:
    admin, coordinator = as_user("admin"), as_user("coordinator")
    invited = coordinator.ok(
        coordinator.post(
            "/users",
            {"email": "Onderzoeker@Bureau.nl", "display_name": "Dr. Onderzoeker", "roles": ["investigator"]},
        ),
        201,
    )
    assert invited["email"] == "onderzoeker@bureau.nl"
    assert invited["roles"] == ["investigator"]
    assert not {"token", "secret", "link"} & set(invited)
    assert coordinator.ok(coordinator.get("/users?role=investigator")) == []  # nothing until accepted
    user_id = accept(herstel, "onderzoeker@bureau.nl", ["investigator"])
    listed = coordinator.ok(coordinator.get("/users?role=investigator"))
    assert [u["email"] for u in listed] == ["onderzoeker@bureau.nl"]
    granted = coordinator.ok(coordinator.post(f"/users/{user_id}/roles", {"role": "officer"}))
    assert sorted(r["role"] for r in granted["roles"]) == ["investigator", "officer"]
    promote = coordinator.post(f"/users/{coordinator.principal.user_id}/roles", {"role": "admin"})
    assert (promote.status_code, promote.get_json()["rule"]) == (403, "grant-admin")
    assert coordinator.post("/users", {"email": "boss@x.nl", "roles": ["admin"]}).status_code == 403
    assert admin.ok(admin.post(f"/users/{user_id}/roles", {"role": "admin"}))
    takeover = coordinator.post(
        "/users", {"email": admin.principal.email, "roles": ["officer"], "password": "a new password here"}
    )
    assert takeover.status_code == 422
    assert "password" in takeover.get_json()["errors"]
    bad = coordinator.post("/users", {"email": "not-an-email", "roles": ["wizard"]})
    assert bad.status_code == 422
    assert {"email", "roles[0]"} <= set(bad.get_json()["errors"])
    assert coordinator.post(f"/users/{uuid.uuid4()}/roles", {"role": "officer"}).status_code == 404
    officer = as_user("officer")
    assert officer.get("/users").status_code == 403


def accept(herstel: Herstel, email: str, roles: list[str]) -> uuid.UUID:
    """The invitee's side, as the link does it: a fresh invitation from the installation, accepted."""
    invitation = invite_user(
        uow=herstel.uow(),
        principal=Principal.installation(),
        email=email,
        roles=roles,
        organisation_id=ensure_default_organisation(uow=herstel.uow()),
    )
    return accept_invitation(uow=herstel.uow(), secret=invitation.secret, password="a password of my own")


def test_notices_show_what_waits_for_my_roles(
    herstel: Herstel, officer_api: Api, coordinator_api: Api, assessed: dict[str, Any]
) -> None:
    officer_api.act(assessed, "steps/suspend/waive", status=202, justification="Continued use is necessary for now.")

    published: list[int] = []  # what the relay hands the workers; handled after it commits, as workers do
    while relay_once(
        uow=herstel.uow(), publish=published.extend, has_handlers=lambda t: bool(handlers_for(t))
    ).published:
        pass
    for event_id in published:
        handle_event(uow_factory=herstel.uow, event_id=event_id, handlers_for=handlers_for)
    notices = coordinator_api.ok(coordinator_api.get("/me/notices"))
    assert [(n["kind"], n["incident_id"]) for n in notices] == [("approval", assessed["id"])]
    assert officer_api.ok(officer_api.get("/me/notices")) == []
