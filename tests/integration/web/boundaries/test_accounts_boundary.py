"""The accounts boundary with two organisations: tokens, invitations, roles, the audit log, look-alikes.

Issue 7: items 1 (tokens), 2 (accounts are invited, grants, audit), 11 (inviting an address with an
account elsewhere) and 13 (look-alike names), each driven through the API or the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from installation import Herstel
from protocol.services import (
    Principal,
    create_organisation,
    create_token,
    create_user,
    ensure_default_organisation,
    get_principal,
    list_tokens,
)
from tests.integration.web.conftest import Api
from web import create_app

PASSWORD = "correct horse battery staple"


@dataclass
class Two:
    """Organisation A (the default) and B, each with an admin and a coordinator; A also an officer."""

    a: Any
    b: Any
    admin_a: Api
    coordinator_a: Api
    officer_a: Api
    admin_b: Api
    coordinator_b: Api
    oversight_a: Api


def user(herstel: Herstel, client: FlaskClient, email: str, role: str, organisation: Any, name: str) -> Api:
    user_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email=email,
        roles=[role],
        organisation_id=organisation,
        display_name=name,
        password=PASSWORD,
    )
    token = create_token(uow=herstel.uow(), by=Principal.installation(), email=email).secret
    return Api(client, token, get_principal(uow=herstel.uow(), user_id=user_id))


@pytest.fixture
def mailing_app(herstel: Herstel, smtp_server: Any) -> Flask:
    """The app with staff mail going to the test's SMTP server."""
    settings = replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    return create_app({"TESTING": True}, herstel=replace(herstel, settings=settings))


@pytest.fixture
def two(herstel: Herstel, mailing_app: Flask) -> Two:
    client = mailing_app.test_client()
    a = ensure_default_organisation(uow=herstel.uow())
    b = create_organisation(uow=herstel.uow(), slug="orgb", name="Organisatie B", reference_prefix="ORB")
    return Two(
        a=a,
        b=b,
        admin_a=user(herstel, client, "admin@a.nl", "admin", a, "Ada Admin"),
        coordinator_a=user(herstel, client, "coordinator@a.nl", "coordinator", a, "Cor Coördinator"),
        officer_a=user(herstel, client, "officer@a.nl", "officer", a, "Olga Officier"),
        admin_b=user(herstel, client, "admin@b.nl", "admin", b, "Bram Beheer"),
        coordinator_b=user(herstel, client, "coordinator@b.nl", "coordinator", b, "Bea Coördinator"),
        oversight_a=user(herstel, client, "toezicht@a.nl", "oversight", a, "Tom Toezicht"),
    )


def mailed_secret(smtp_server: Any, email: str) -> str:
    """The secret of the last invitation link mailed to `email`."""
    bodies = [m.get_content() for m in smtp_server.messages() if m["To"] == email]
    assert bodies, f"no invitation mailed to {email}"
    found = re.findall(r"/invitations/([A-Za-z0-9_-]+)", bodies[-1])
    assert found, bodies[-1]
    return str(found[-1])


def csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def accept(client: FlaskClient, secret: str, password: str, *, confirm: str | None = None) -> Any:
    path = f"/invitations/{secret}"
    form = {"csrf_token": csrf(client, "/login"), "password": password, "password_confirm": confirm or password}
    return client.post(path, data=form)


# ---------------------------------------------------------------------- item 1: tokens


def test_an_admin_cannot_mint_a_token_for_a_user_of_another_organisation(herstel: Herstel, two: Two) -> None:
    response = two.admin_b.post("/tokens", {"name": "x", "email": "coordinator@a.nl"})

    assert response.status_code == 422
    assert "email" in response.get_json()["errors"]
    tokens = list_tokens(uow=herstel.uow(), principal=Principal.installation())
    assert [t["user_id"] for t in tokens].count(two.coordinator_a.principal.user_id) == 1  # only the fixture's


def test_an_admin_cannot_mint_a_token_for_a_user_of_their_own_organisation(two: Two) -> None:
    response = two.admin_a.post("/tokens", {"name": "x", "email": "coordinator@a.nl"})

    assert response.status_code == 422


def test_tokens_all_lists_only_the_users_of_the_admins_organisations(two: Two) -> None:
    seen_by_b = {t["user_id"] for t in two.admin_b.ok(two.admin_b.get("/tokens/all"))}
    seen_by_a = {t["user_id"] for t in two.admin_a.ok(two.admin_a.get("/tokens/all"))}

    assert seen_by_b == {str(two.admin_b.principal.user_id), str(two.coordinator_b.principal.user_id)}
    assert str(two.coordinator_a.principal.user_id) in seen_by_a
    assert not seen_by_a & seen_by_b


def test_an_admin_cannot_revoke_a_token_of_another_organisation(two: Two) -> None:
    theirs = two.coordinator_a.ok(two.coordinator_a.get("/tokens"))[0]

    response = two.admin_b.delete(f"/tokens/{theirs['id']}")

    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-token")
    assert two.coordinator_a.get("/me").status_code == 200
    assert two.admin_a.delete(f"/tokens/{theirs['id']}").status_code == 204  # their own admin may
    assert two.coordinator_a.get("/me").status_code == 401


# ---------------------------------------------------------------------- item 2: invited, not created


def test_users_are_invited_and_set_their_own_password(two: Two, mailing_app: Flask, smtp_server: Any) -> None:
    with_password = two.admin_a.post(
        "/users", {"email": "nieuw@a.nl", "roles": ["officer"], "password": "a password I chose for them"}
    )
    assert with_password.status_code == 422
    assert "password" in with_password.get_json()["errors"]

    invited = two.admin_a.ok(two.admin_a.post("/users", {"email": "nieuw@a.nl", "roles": ["officer"]}), 201)

    assert invited["mailed"] is True
    assert set(invited) == {"id", "email", "organisation_id", "roles", "expires_at", "mailed"}
    assert [u["email"] for u in two.admin_a.ok(two.admin_a.get("/users"))].count("nieuw@a.nl") == 0
    browser = mailing_app.test_client()
    secret = mailed_secret(smtp_server, "nieuw@a.nl")
    page = browser.get(f"/invitations/{secret}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Choose a password" in page.get_data(as_text=True)
    assert "Kies een wachtwoord" in browser.get(f"/invitations/{secret}").get_data(as_text=True)  # Dutch by default
    assert accept(browser, secret, "short").status_code == 422
    assert accept(browser, secret, "my own long password", confirm="another one").status_code == 422
    done = accept(browser, secret, "my own long password")
    assert (done.status_code, done.headers["Location"]) == (302, "/login")
    assert [u["email"] for u in two.admin_a.ok(two.admin_a.get("/users"))].count("nieuw@a.nl") == 1
    assert accept(browser, secret, "my own long password").status_code == 404  # single use
    login = browser.post(
        "/login",
        data={"csrf_token": csrf(browser, "/login"), "email": "nieuw@a.nl", "password": "my own long password"},
    )
    assert login.status_code == 302


def test_an_invitation_expires(two: Two, mailing_app: Flask, smtp_server: Any, clock: Any) -> None:
    two.admin_a.ok(two.admin_a.post("/users", {"email": "laat@a.nl", "roles": ["officer"]}), 201)
    clock.advance(days=7, seconds=1)

    response = mailing_app.test_client().get(f"/invitations/{mailed_secret(smtp_server, 'laat@a.nl')}")

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "admin", "oversight"])
def test_only_an_admin_grants_coordinator_admin_or_oversight(two: Two, role: str) -> None:
    invite = two.coordinator_a.post("/users", {"email": "tweede@a.nl", "roles": [role]})
    assert (invite.status_code, invite.get_json()["rule"]) == (403, "grant-admin")
    grant = two.coordinator_a.post(f"/users/{two.officer_a.principal.user_id}/roles", {"role": role})
    assert (grant.status_code, grant.get_json()["rule"]) == (403, "grant-admin")

    assert two.admin_a.ok(two.admin_a.post(f"/users/{two.officer_a.principal.user_id}/roles", {"role": role}))
    assert two.coordinator_a.ok(two.coordinator_a.post("/users", {"email": "o@a.nl", "roles": ["officer"]}), 201)


def test_user_management_is_audited_per_organisation(herstel: Herstel, two: Two) -> None:
    officer = two.officer_a.principal.user_id
    two.coordinator_a.ok(
        two.coordinator_a.post("/users", {"email": "onderzoeker@a.nl", "roles": ["investigator"]}), 201
    )
    two.admin_a.ok(two.admin_a.post(f"/users/{officer}/roles", {"role": "coordinator"}))
    two.admin_a.ok(two.admin_a.delete(f"/users/{officer}/roles/coordinator"))

    log = two.admin_a.ok(two.admin_a.get("/users/audit"))

    actions = [(e["action"], e["user_id"], e["role"], e["actor"]) for e in log]
    assert ("role.removed", str(officer), "coordinator", f"user:{two.admin_a.principal.user_id}") == actions[0]
    assert ("role.granted", str(officer), "coordinator", f"user:{two.admin_a.principal.user_id}") == actions[1]
    assert actions[2][0] == "invitation.created"
    assert actions[2][3] == f"user:{two.coordinator_a.principal.user_id}"
    assert {e["organisation_id"] for e in log} == {str(two.a)}
    assert two.oversight_a.ok(two.oversight_a.get("/users/audit")) == log
    assert all(e["organisation_id"] == str(two.b) for e in two.admin_b.ok(two.admin_b.get("/users/audit")))
    assert two.coordinator_a.get("/users/audit").status_code == 403
    with herstel.db.engine.connect() as connection:
        for statement in ("UPDATE user_audit SET actor = 'installation'", "DELETE FROM user_audit"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                connection.exec_driver_sql(statement)
            connection.rollback()


# ---------------------------------------------------------------------- item 11: an address with an account elsewhere


def test_inviting_an_address_with_an_account_elsewhere_reveals_nothing_and_adds_nothing(
    two: Two, mailing_app: Flask, smtp_server: Any
) -> None:
    existing = two.coordinator_b.ok(
        two.coordinator_b.post("/users", {"email": "officer@a.nl", "roles": ["officer"]}), 201
    )
    new = two.coordinator_b.ok(two.coordinator_b.post("/users", {"email": "niemand@b.nl", "roles": ["officer"]}), 201)

    assert set(existing) == set(new)
    assert {k: v for k, v in existing.items() if k not in ("id", "email")} == {
        k: v for k, v in new.items() if k not in ("id", "email")
    }
    assert "Olga" not in str(existing)
    assert str(two.a) not in str(existing)
    assert "officer@a.nl" not in [u["email"] for u in two.coordinator_b.ok(two.coordinator_b.get("/users"))]
    assert [m["organisation_id"] for m in two.officer_a.ok(two.officer_a.get("/me"))["memberships"]] == [str(two.a)]

    # the invitee accepts with the password they have: only then are they in B
    browser = mailing_app.test_client()
    secret = mailed_secret(smtp_server, "officer@a.nl")
    assert accept(browser, secret, "not my password at all").status_code == 422
    assert accept(browser, secret, PASSWORD).status_code == 302
    memberships = two.officer_a.ok(two.officer_a.get("/me"))["memberships"]
    assert sorted(m["organisation_id"] for m in memberships) == sorted([str(two.a), str(two.b)])


def test_a_manager_cannot_grant_a_role_to_a_user_of_another_organisation(two: Two) -> None:
    response = two.admin_b.post(f"/users/{two.officer_a.principal.user_id}/roles", {"role": "officer"})

    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-user")


# ---------------------------------------------------------------------- item 13: look-alikes


def test_an_email_mixing_scripts_is_refused(two: Two) -> None:
    response = two.admin_a.post("/users", {"email": "\u043efficer@a.nl", "roles": ["officer"]})  # Cyrillic о

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["email"]


def test_a_display_name_loses_its_invisible_characters(two: Two, mailing_app: Flask, smtp_server: Any) -> None:
    name = "Anna\u202e de\u200b Vries"
    two.admin_a.ok(two.admin_a.post("/users", {"email": "anna@a.nl", "roles": ["officer"], "display_name": name}), 201)
    assert accept(mailing_app.test_client(), mailed_secret(smtp_server, "anna@a.nl"), PASSWORD).status_code == 302

    names = {u["email"]: u["display_name"] for u in two.admin_a.ok(two.admin_a.get("/users"))}

    assert names["anna@a.nl"] == "Anna de Vries"


def test_a_colleagues_display_name_is_not_given_twice(two: Two) -> None:
    response = two.admin_a.post(
        "/users", {"email": "olga2@a.nl", "roles": ["officer"], "display_name": "olga  OFFICIER"}
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["display_name"]
    elsewhere = two.admin_b.post(
        "/users", {"email": "olga@b.nl", "roles": ["officer"], "display_name": "Olga Officier"}
    )
    assert elsewhere.status_code == 201  # another organisation's colleagues are not confused with ours


def test_the_invitee_may_accept_signed_in_as_themselves(two: Two) -> None:
    two.coordinator_b.ok(two.coordinator_b.post("/users", {"email": "officer@a.nl", "roles": ["officer"]}), 201)
    assert two.admin_a.ok(two.admin_a.get("/me/invitations")) == []  # addressed to someone else: not shown

    waiting = two.officer_a.ok(two.officer_a.get("/me/invitations"))

    assert [(i["organisation"], i["roles"]) for i in waiting] == [("Organisatie B", ["officer"])]
    path = f"/me/invitations/{waiting[0]['id']}/accept"
    assert two.admin_a.post(path).status_code == 404  # only its own addressee accepts it
    me = two.officer_a.ok(two.officer_a.post(path))
    assert sorted(m["organisation_id"] for m in me["memberships"]) == sorted([str(two.a), str(two.b)])
    assert two.officer_a.post(path).status_code == 404  # once
    assert two.officer_a.ok(two.officer_a.get("/me/invitations")) == []
