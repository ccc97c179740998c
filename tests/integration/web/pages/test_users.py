"""The user manager's page: users with their roles per organisation, invitations, grants taken away,
refusals in the reader's language, and one organisation's manager kept out of another's users."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from installation import Herstel
from notifications.services import set_letterhead
from protocol.services import (
    NotFound,
    Principal,
    create_organisation,
    create_user,
    describe_invitation,
    ensure_default_organisation,
    get_principal,
    invite_user,
    list_user_audit,
)
from tests.integration.web.pages.conftest import PASSWORD, Browser, app_for, field_errors
from tests.integration.web.pages.dom import Element, parse

pytestmark = [pytest.mark.postgres]


@dataclass
class Orgs:
    alfa: uuid.UUID  # the default organisation ("Standaardorganisatie")
    bravo: uuid.UUID
    admin: Principal  # administrator of both
    overseer: Principal  # oversight in alfa only
    officer: Principal  # officer in alfa


def member(herstel: Herstel, email: str, name: str, *grants: tuple[str, uuid.UUID]) -> Principal:
    """An account with (role, organisation) grants, made by the installation's operator."""
    user_id = None
    for role, organisation_id in grants:
        user_id = create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email=email,
            roles=[role],
            organisation_id=organisation_id,
            display_name=name,
            password=PASSWORD if user_id is None else None,
        )
    assert user_id is not None
    return get_principal(uow=herstel.uow(), user_id=user_id)


@pytest.fixture
def orgs(herstel: Herstel) -> Orgs:
    alfa = ensure_default_organisation(uow=herstel.uow())
    bravo = create_organisation(uow=herstel.uow(), slug="bravo", name="Gemeente Bravo", reference_prefix="BRA")
    return Orgs(
        alfa=alfa,
        bravo=bravo,
        admin=member(herstel, "anna@beheer.nl", "Anna Beheer", ("admin", alfa), ("admin", bravo)),
        overseer=member(herstel, "toezicht@rekenkamer.nl", "Rekenkamer", ("oversight", alfa)),
        officer=member(herstel, "olga@alfa.nl", "Olga Alfa", ("officer", alfa)),
    )


def row_of(page: Element, user: Principal) -> Element:
    return page.by_id(f"user-{user.user_id}")


def roles_in_row(row: Element) -> dict[str, list[str]]:
    """Organisation name → the roles listed under it, as a reader sees them."""
    found = {}
    for block in row.with_class("membership"):
        name = block.one("p", class_="membership__name").text
        found[name] = [re.sub(r"\s*Afnemen.*$", "", li.text) for li in block.one("ul").select("li")]
    return found


def test_the_page_lists_users_with_their_roles_and_an_overseers_organisations(
    orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    admin = browser(principal=orgs.admin)
    page = admin.page("/users")

    assert page.one("h1").text == "Gebruikers"
    assert roles_in_row(row_of(page, orgs.overseer)) == {"Standaardorganisatie": ["Toezichthouder"]}
    assert roles_in_row(row_of(page, orgs.officer)) == {"Standaardorganisatie": ["Incidentbehandelaar"]}
    assert roles_in_row(row_of(page, orgs.admin)) == {
        "Gemeente Bravo": ["Beheerder"],
        "Standaardorganisatie": ["Beheerder"],
    }
    # the overseer can be given Bravo too; nobody else is offered that
    offered = row_of(page, orgs.overseer).one("select")
    assert [o.text for o in offered.select("option")] == ["Gemeente Bravo"]
    assert not row_of(page, orgs.officer).select("select")
    # the menu has the page, in Dutch, for whoever manages users
    assert "Gebruikers" in [a.text for a in page.one("nav", class_="main-nav").select("a")]
    officer_nav = browser(principal=orgs.officer).page("/").one("nav", class_="main-nav")
    assert "Gebruikers" not in [a.text for a in officer_nav.select("a")]


@pytest.mark.parametrize("role", ["officer", "investigator", "oversight"])
def test_who_manages_no_users_gets_403(role: str, browser: Callable[..., Browser], orgs: Orgs) -> None:
    someone = browser(role)

    refused = someone.get("/users")
    assert refused.status_code == 403
    assert "Niet toegestaan" in refused.get_data(as_text=True)
    assert someone.post("/users", {"email": "x@y.nl", "roles": "officer"}).status_code == 403
    target = f"/users/{orgs.officer.user_id}"
    assert someone.post(f"{target}/roles/remove", {"role": "officer"}).status_code == 403
    assert someone.post(f"{target}/revoke", {"organisation_id": str(orgs.alfa)}).status_code == 403
    assert get_principal(uow=someone_uow(someone), user_id=orgs.officer.user_id).memberships == orgs.officer.memberships


def someone_uow(browser: Browser) -> Any:
    herstel: Herstel = browser.client.application.extensions["herstel"]
    return herstel.uow()


def test_inviting_mails_the_link_and_the_invitee_appears_once_accepted(
    mailing: Herstel, smtp_server: Any, orgs: Orgs
) -> None:
    app = app_for(mailing)
    admin = Browser(app, orgs.admin).sign_in()

    response = admin.submit(
        "/users",
        {
            "email": "Nieuw@Alfa.nl",
            "display_name": "Nico Nieuw",
            "roles": "officer",
            "organisation_ids": str(orgs.alfa),
        },
    )
    assert response.headers["Location"] == "/users"
    page = admin.page("/users")
    assert "nieuw@alfa.nl is uitgenodigd als Incidentbehandelaar (Standaardorganisatie)" in page.text
    waiting = page.by_id("invitations-title").parent
    assert waiting is not None
    assert [td.text for td in waiting.one("tbody").select("td")][:3] == [
        "nieuw@alfa.nl",
        "Standaardorganisatie",
        "Incidentbehandelaar",
    ]
    (mail,) = smtp_server.messages()
    assert mail["To"] == "nieuw@alfa.nl"
    link = re.search(r"http\S+/invitations/(\S+)", mail.get_body(("plain",)).get_content())
    assert link is not None

    visitor = app.test_client()
    form = parse(visitor.get(f"/invitations/{link.group(1)}").get_data(as_text=True))
    token = form.one("input", name="csrf_token")["value"]
    accepted = visitor.post(
        f"/invitations/{link.group(1)}",
        data={"password": "een eigen wachtwoord", "password_confirm": "een eigen wachtwoord", "csrf_token": token},
    )
    assert accepted.status_code == 302

    page = admin.page("/users")
    newcomer = next(tr for tr in page.one("table", class_="users").select("tr") if "nieuw@alfa.nl" in tr.text)
    assert newcomer.one("th").text == "Nico Nieuw"
    assert roles_in_row(newcomer) == {"Standaardorganisatie": ["Incidentbehandelaar"]}
    log = page.by_id("audit-title").parent
    assert log is not None
    assert "Uitnodiging aangenomen" in log.text
    assert "Uitgenodigd" in log.text
    assert "Rol gegeven" in log.text


def test_bad_input_is_shown_again_with_each_fields_problem_in_dutch(
    orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    admin = browser(principal=orgs.admin)

    response = admin.submit("/users", {"email": "geen-adres", "display_name": "Olga Alfa"}, status=422)

    page = parse(response.get_data(as_text=True))
    problems = field_errors(page)
    assert problems["invite-email"] == "Fout: Geen geldig e-mailadres."
    # no role, no organisation: both named, the roles in words
    summary = page.one("div", class_="error-summary").text
    assert "Kies een of meer rollen: Incidentbehandelaar, Coördinator" in summary
    assert "officer" not in summary
    assert page.by_id("invite-email")["value"] == "geen-adres"  # nothing lost
    assert page.by_id("invite-display-name")["value"] == "Olga Alfa"

    taken = admin.submit(
        "/users",
        {
            "email": "tweede.olga@alfa.nl",
            "display_name": "Olga Alfa",
            "roles": "officer",
            "organisation_ids": str(orgs.alfa),
        },
        status=422,
    )
    assert (
        "Een collega in deze organisatie heeft deze naam al"
        in field_errors(parse(taken.get_data(as_text=True)))["invite-display-name"]
    )


def test_a_coordinator_is_refused_the_roles_only_an_administrator_grants(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    coordinator = browser(principal=member(herstel, "cor@alfa.nl", "Cor Alfa", ("coordinator", orgs.alfa)))
    page = coordinator.page("/users")
    offered = [i["value"] for i in page.select("input", name="roles")]
    assert offered == ["officer", "investigator"]  # as the services decide: no coordinator, oversight or admin
    assert not page.select("h2", id="audit-title")  # coordinators do not read the log
    assert not row_of(page, orgs.overseer).select("form")  # nor take an overseer's role away

    refused = coordinator.submit(
        "/users", {"email": "baas@alfa.nl", "roles": "admin", "organisation_ids": str(orgs.alfa)}, status=403
    )
    refusal = parse(refused.get_data(as_text=True)).one("div", class_="refusal")
    assert "Alleen een beheerder kan de rol Beheerder geven." in refusal.text
    assert "grant-admin" in refusal.text
    assert parse(refused.get_data(as_text=True)).by_id("invite-email")["value"] == "baas@alfa.nl"

    taken = coordinator.submit(
        f"/users/{orgs.overseer.user_id}/roles/remove",
        {"role": "oversight", "organisation_id": str(orgs.alfa)},
        status=403,
    )
    row = row_of(parse(taken.get_data(as_text=True)), orgs.overseer)
    assert "Alleen een beheerder kan de rol Toezichthouder geven." in row.one("div", class_="refusal").text
    assert get_principal(uow=herstel.uow(), user_id=orgs.overseer.user_id).memberships == orgs.overseer.memberships


def test_an_overseer_is_given_another_organisation_and_it_is_taken_away_again(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    admin = browser(principal=orgs.admin)
    overseer = browser(principal=orgs.overseer)

    admin.submit(f"/users/{orgs.overseer.user_id}/organisations", {"organisation_id": str(orgs.bravo)})

    # nothing changes until the overseer accepts; they see the invitation when they sign in
    assert get_principal(uow=herstel.uow(), user_id=orgs.overseer.user_id).memberships == orgs.overseer.memberships
    start = overseer.page("/")
    card = start.by_id("invitations-title").parent
    assert card is not None
    assert "Gemeente Bravo nodigt u uit als Toezichthouder" in card.text
    overseer.submit(card.one("form")["action"], {})
    dashboard = overseer.page("/oversight")
    assert "Gemeente Bravo" in [o.text for o in dashboard.by_id("filter-organisation").select("option")]

    page = admin.page("/users")
    assert roles_in_row(row_of(page, orgs.overseer)) == {
        "Gemeente Bravo": ["Toezichthouder"],
        "Standaardorganisatie": ["Toezichthouder"],
    }
    assert not row_of(page, orgs.overseer).select("select")  # every organisation given: none left to offer

    admin.submit(
        f"/users/{orgs.overseer.user_id}/roles/remove", {"role": "oversight", "organisation_id": str(orgs.bravo)}
    )

    page = admin.page("/users")
    assert roles_in_row(row_of(page, orgs.overseer)) == {"Standaardorganisatie": ["Toezichthouder"]}
    assert "Gemeente Bravo" not in [
        o.text for o in overseer.page("/oversight").by_id("filter-organisation").select("option")
    ]
    log = [
        (line["action"], line["role"], line["organisation_id"])
        for line in list_user_audit(uow=herstel.uow(), principal=orgs.admin)
        if line["user_id"] == orgs.overseer.user_id or line["invitation_id"]
    ]
    assert ("role.removed", "oversight", orgs.bravo) in log
    assert ("role.granted", "oversight", orgs.bravo) in log
    assert ("invitation.created", None, orgs.bravo) in log
    assert "Rol afgenomen" in page.by_id("audit-title").parent.text  # type: ignore[union-attr]


def test_revoking_takes_every_role_in_the_organisation_away(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    both = member(herstel, "bob@alfa.nl", "Bob Beide", ("officer", orgs.alfa), ("investigator", orgs.alfa))
    signed_in = browser(principal=both)
    admin = browser(principal=orgs.admin)
    assert signed_in.get("/incidents/new").status_code == 200

    form = row_of(admin.page("/users"), both).one("form", action=f"/users/{both.user_id}/revoke")
    assert "Alle toegang tot Standaardorganisatie afnemen" in form.text
    admin.submit(form["action"], {"organisation_id": form.one("input", name="organisation_id")["value"]})

    page = admin.page("/users")
    assert not page.select("tr", id=f"user-{both.user_id}")
    assert "Toegang afgenomen: Incidentbehandelaar, Onderzoeker." in page.text
    assert get_principal(uow=herstel.uow(), user_id=both.user_id).memberships == {}
    assert signed_in.get("/incidents/new").status_code == 403  # at the very next request
    removed = [
        line["role"]
        for line in list_user_audit(uow=herstel.uow(), principal=orgs.admin)
        if line["user_id"] == both.user_id and line["action"] == "role.removed"
    ]
    assert sorted(removed) == ["investigator", "officer"]


def test_the_last_administrator_keeps_the_role_until_another_has_it(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    admin = browser(principal=orgs.admin)
    remove = f"/users/{orgs.admin.user_id}/roles/remove"

    def offered() -> list[str]:  # the organisations where the page offers to take the admin's role away
        row = row_of(admin.page("/users"), orgs.admin)
        return [f.one("input", name="organisation_id")["value"] for f in row.select("form", action=remove)]

    assert offered() == []  # the sole administrator of both: the page does not offer what would be refused

    refused = admin.submit(remove, {"role": "admin", "organisation_id": str(orgs.bravo)}, status=409)
    refusal = row_of(parse(refused.get_data(as_text=True)), orgs.admin).one("div", class_="refusal")
    assert "De laatste beheerder van een organisatie houdt die rol" in refusal.text
    assert "last-admin" in refusal.text
    admin.submit(f"/users/{orgs.admin.user_id}/revoke", {"organisation_id": str(orgs.bravo)}, status=409)
    assert get_principal(uow=herstel.uow(), user_id=orgs.admin.user_id).memberships == orgs.admin.memberships

    member(herstel, "bert@bravo.nl", "Bert Bravo", ("admin", orgs.bravo))
    assert offered() == [str(orgs.bravo)]
    admin.submit(remove, {"role": "admin", "organisation_id": str(orgs.bravo)})
    assert orgs.bravo not in get_principal(uow=herstel.uow(), user_id=orgs.admin.user_id).memberships


def test_an_invitation_is_withdrawn_and_its_link_stops_working(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    officer = invite_user(
        uow=herstel.uow(), principal=orgs.admin, email="ot@alfa.nl", roles=["officer"], organisation_id=orgs.alfa
    )
    boss = invite_user(
        uow=herstel.uow(), principal=orgs.admin, email="baas@alfa.nl", roles=["admin"], organisation_id=orgs.alfa
    )
    coordinator = browser(principal=member(herstel, "cor@alfa.nl", "Cor Alfa", ("coordinator", orgs.alfa)))
    admin = browser(principal=orgs.admin)

    # a coordinator may withdraw what they could have sent, not an administrator's invitation
    refused = coordinator.submit(f"/users/invitations/{boss.id}/withdraw", {}, status=403)
    assert "Alleen een beheerder kan de rol Beheerder geven." in refused.get_data(as_text=True)
    assert describe_invitation(uow=herstel.uow(), secret=boss.secret)["email"] == "baas@alfa.nl"

    form = admin.page("/users").by_id(f"invitation-{officer.id}").one("form")
    assert "Intrekken" in form.text
    admin.submit(form["action"], {})
    page = admin.page("/users")
    assert "De uitnodiging aan ot@alfa.nl is ingetrokken." in page.text
    assert not page.select("tr", id=f"invitation-{officer.id}")
    with pytest.raises(NotFound):
        describe_invitation(uow=herstel.uow(), secret=officer.secret)
    assert "Uitnodiging ingetrokken" in page.by_id("audit-title").parent.text  # type: ignore[union-attr]
    admin.submit(form["action"], {}, status=404)  # withdrawn is withdrawn: not found a second time


def test_a_change_to_the_organisation_itself_is_logged_in_words(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    set_letterhead(
        uow=herstel.uow(),
        principal=orgs.admin,
        organisation_id=orgs.alfa,
        values={"name": "Gemeente Alfa", "postal_address": "Postbus 1\n1000 AA  Alfa", "phone": "14 020"},
    )
    log = browser(principal=orgs.admin).page("/users").by_id("audit-title").parent
    assert log is not None
    lines = [tr for tr in log.one("tbody").select("tr") if "Briefhoofd gewijzigd" in tr.text]
    assert lines  # the newest first: this change (the test set-up may have set one before)
    assert [td.text for td in lines[0].select("td")][3] == ""  # about the organisation, not a person or invitation
    assert "letterhead" not in log.text.lower()


def test_the_forms_need_their_csrf_token(orgs: Orgs, browser: Callable[..., Browser], herstel: Herstel) -> None:
    admin = browser(principal=orgs.admin)
    target = f"/users/{orgs.officer.user_id}/revoke"

    assert admin.post(target, {"organisation_id": str(orgs.alfa)}, csrf=False).status_code == 400
    assert admin.post("/users", {"email": "x@alfa.nl", "roles": "officer"}, csrf=False).status_code == 400
    assert get_principal(uow=herstel.uow(), user_id=orgs.officer.user_id).memberships == orgs.officer.memberships


def test_the_page_speaks_english_when_asked(orgs: Orgs, app: Flask) -> None:
    admin = Browser(app, orgs.admin, language="en").sign_in()
    page = admin.page("/users")
    assert page.one("h1").text == "Users"
    assert roles_in_row_en(row_of(page, orgs.overseer)) == {"Standaardorganisatie": ["Oversight body"]}


def roles_in_row_en(row: Element) -> dict[str, list[str]]:
    return {
        block.one("p", class_="membership__name").text: [
            re.sub(r"\s*Take away.*$", "", li.text) for li in block.one("ul").select("li")
        ]
        for block in row.with_class("membership")
    }


def test_a_manager_of_one_organisation_never_sees_or_changes_anothers_users(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    """Bravo's own administrator: Alfa's users do not exist for them, on the page or by id."""
    bravo_admin = browser(principal=member(herstel, "beheer@bravo.nl", "Bea Bravo", ("admin", orgs.bravo)))

    page = bravo_admin.page("/users")
    text = page.text
    for alfa_only in (orgs.overseer, orgs.officer):
        assert alfa_only.email not in text
        assert alfa_only.display_name not in text
    assert "Standaardorganisatie" not in text
    assert not page.select("input", name="organisation_ids", type="checkbox")  # one organisation: no choice

    for path, form in (
        (f"/users/{orgs.officer.user_id}/revoke", {"organisation_id": str(orgs.alfa)}),
        (f"/users/{orgs.officer.user_id}/revoke", {}),
        (f"/users/{orgs.officer.user_id}/roles/remove", {"role": "officer", "organisation_id": str(orgs.alfa)}),
        (f"/users/{orgs.officer.user_id}/roles/remove", {"role": "officer"}),
        (f"/users/{orgs.overseer.user_id}/organisations", {"organisation_id": str(orgs.bravo)}),
    ):
        response = bravo_admin.post(path, form)
        assert response.status_code == 404, (path, form, response.status_code)
        assert orgs.officer.email not in response.get_data(as_text=True)
    # inviting into Alfa answers as for an organisation that does not exist
    into_alfa = bravo_admin.post(
        "/users", {"email": "x@bravo.nl", "roles": "officer", "organisation_ids": str(orgs.alfa)}
    )
    made_up = bravo_admin.post(
        "/users", {"email": "x@bravo.nl", "roles": "officer", "organisation_ids": str(uuid.uuid4())}
    )
    assert into_alfa.status_code == made_up.status_code == 404
    for user in (orgs.officer, orgs.overseer):
        assert get_principal(uow=herstel.uow(), user_id=user.user_id).memberships == user.memberships
    alfa_log = [
        line
        for line in list_user_audit(uow=herstel.uow(), principal=orgs.admin)
        if line["organisation_id"] == orgs.alfa
    ]
    assert not [line for line in alfa_log if line["actor"] == f"user:{bravo_admin.principal.user_id}"]


def test_inviting_into_several_organisations_is_all_or_nothing(
    herstel: Herstel, orgs: Orgs, browser: Callable[..., Browser]
) -> None:
    """Administrator in Alfa, only coordinator in Bravo: an overseer for both is refused whole."""
    mixed = browser(
        principal=member(herstel, "mia@beheer.nl", "Mia Gemengd", ("admin", orgs.alfa), ("coordinator", orgs.bravo))
    )
    refused = mixed.submit(
        "/users",
        {
            "email": "toezicht@provincie.nl",
            "roles": "oversight",
            "organisation_ids": [str(orgs.alfa), str(orgs.bravo)],
        },
        status=403,
    )
    page = parse(refused.get_data(as_text=True))
    assert "Alleen een beheerder kan de rol Toezichthouder geven." in page.one("div", class_="refusal").text
    checked = [i["value"] for i in page.select("input", name="organisation_ids", checked=True)]
    assert sorted(checked) == sorted([str(orgs.alfa), str(orgs.bravo)])  # both still ticked: nothing lost
    assert "toezicht@provincie.nl" not in mixed.page("/users").by_id("invitations-title").parent.text  # type: ignore[union-attr]
    assert not [
        line
        for line in list_user_audit(uow=herstel.uow(), principal=orgs.admin)
        if line["action"] == "invitation.created"
    ]
