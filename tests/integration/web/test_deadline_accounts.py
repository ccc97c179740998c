"""A missed legal deadline is a notice for the oversight body until the organisation records what it did
about it (issue 9, item 6), on both backends: the account goes on the timeline as
`DeadlineMissAccounted`, once per deadline, by a coordinator or admin of the incident's organisation;
then the notice shows as answered, with the text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from protocol.services import Principal, get_timeline
from tests.integration.web.pages.conftest import PASSWORD
from tests.integration.web.test_oversight import World, overseer
from tests.integration.web.test_oversight import world as world  # the fixture

ACCOUNT = "Het algoritme is alsnog stopgezet; de werkinstructie voor het stopzetten is aangepast."


def _deadlines(world: World, body: Principal) -> dict[str, dict[str, Any]]:
    api = world.api(body)
    found = api.ok(api.get(f"/oversight/incidents/{world.a_incident['id']}"))
    return {d["rule"]: d for d in found["deadlines"]}


def test_a_coordinator_accounts_for_a_missed_deadline_and_the_notice_shows_as_answered(
    world: World, make_user: Callable[..., Principal]
) -> None:
    body = overseer(world.herstel, "default")
    oversight = world.api(body)
    deadlines = _deadlines(world, body)
    suspend, assess = deadlines["suspend"], deadlines["assess"]
    assert suspend["outcome"] in ("missed", "met_late")
    notices = oversight.ok(oversight.get("/oversight/notices"))
    mine = next(n for n in notices if n["deadline_id"] == suspend["id"])
    assert mine["answered"] is False
    assert mine["account"] is None

    path = f"/incidents/{world.a_incident['id']}/deadlines/{suspend['id']}/account"
    # an officer may not; the oversight body may not (it changes nothing)
    for who in (world.a_officer, body):
        refused = world.api(who).post(path, {"text": ACCOUNT})
        assert refused.status_code == 403, refused.get_data(as_text=True)
        assert refused.get_json()["rule"] == "permission"

    coordinator = world.api(make_user("coordinator", password=PASSWORD))
    assert coordinator.post(path, {"text": "  "}).status_code == 422
    kept = coordinator.post(f"/incidents/{world.a_incident['id']}/deadlines/{assess['id']}/account", {"text": ACCOUNT})
    assert kept.status_code == 409
    assert kept.get_json()["rule"] == "deadline-kept"

    made = coordinator.ok(coordinator.post(path, {"text": ACCOUNT}), 201)
    assert made["text"] == ACCOUNT
    assert made["by"].startswith("user:")
    again = coordinator.post(path, {"text": "nog eens"})
    assert again.status_code == 409
    assert again.get_json()["rule"] == "deadline-accounted"

    notices = oversight.ok(oversight.get("/oversight/notices"))
    mine = next(n for n in notices if n["deadline_id"] == suspend["id"])
    assert mine["answered"] is True
    assert mine["account"]["text"] == ACCOUNT
    others = [n for n in notices if n["deadline_id"] != suspend["id"]]
    assert others, "the other missed deadline stays open"
    assert all(n["answered"] is False for n in others)
    assert notices[-1]["deadline_id"] == suspend["id"]  # open notices first

    events = get_timeline(
        uow=world.herstel.uow(), principal=world.a_officer, incident_id=world.a_incident["id"], limit=1000
    )["events"]
    accounted = [e for e in events if e["type"] == "DeadlineMissAccounted"]
    assert len(accounted) == 1
    assert accounted[0]["payload"]["deadline_id"] == str(suspend["id"])
    assert accounted[0]["actor"] == made["by"]

    page = world.browser(make_user("oversight", password=PASSWORD)).get("/oversight").get_data(as_text=True)
    assert ACCOUNT in page
    assert "beantwoord" in page
    assert "open: nog geen verantwoording" in page  # the other one


def test_a_coordinator_of_another_organisation_cannot_account(
    world: World, make_user: Callable[..., Principal]
) -> None:
    body = overseer(world.herstel, "default")
    suspend = _deadlines(world, body)["suspend"]
    stranger = world.api(make_user("coordinator", password=PASSWORD))
    missing = stranger.post(f"/incidents/{world.b_incident['id']}/deadlines/{suspend['id']}/account", {"text": "x"})
    assert missing.status_code in (404, 422)  # B's incident is not A's coordinator's; the deadline is not B's


def test_the_staff_page_shows_the_form_to_a_coordinator_and_records_the_account(
    world: World, make_user: Callable[..., Principal]
) -> None:
    incident = world.a_incident["id"]
    path = f"/incidents/{incident}/deadline-accounts"
    coordinator = world.browser(make_user("coordinator", password=PASSWORD))
    page = coordinator.get(path).get_data(as_text=True)
    assert "Verantwoording vastleggen" in page
    deadline_ids = re.findall(r'name="deadline_id" value="([0-9a-f-]{36})"', page)
    assert len(deadline_ids) >= 1
    # without the CSRF token: refused
    assert coordinator.client.post(path, data={"deadline_id": deadline_ids[0], "text": ACCOUNT}).status_code in (
        400,
        403,
    )
    empty = coordinator.post(path, {"deadline_id": deadline_ids[0], "text": ""})
    assert empty.status_code == 422
    done = coordinator.post(path, {"deadline_id": deadline_ids[0], "text": ACCOUNT})
    assert done.status_code == 302
    after = coordinator.get(path).get_data(as_text=True)
    assert ACCOUNT in after
    assert deadline_ids[0] not in re.findall(r'name="deadline_id" value="([0-9a-f-]{36})"', after)

    # an officer reads the page without a form, and may not post
    officer = world.browser(world.a_officer)
    read = officer.get(path).get_data(as_text=True)
    assert ACCOUNT in read
    assert "Verantwoording vastleggen" not in read
    assert officer.post(path, {"deadline_id": deadline_ids[-1], "text": ACCOUNT}).status_code == 403

    english = world.browser(make_user("coordinator", password=PASSWORD), "en").get(path).get_data(as_text=True)
    assert "Deadlines not kept" in english
