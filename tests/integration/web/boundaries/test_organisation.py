"""The organisation boundary, walked over every route: nothing of one organisation reaches another.

Org A has an algorithm, an incident with affected persons imported, letters sent (and captured in
the demo mailbox), a document, a pending four-eyes approval, a citizen's response, and a token.
Org B has one user of each role. Every route of `web.access.ROUTES` that is not PUBLIC is called by
every org-B user: the API with their bearer token, the pages signed in with their session.

- A route whose path names an org-A object answers 404, or 403 where the caller's role never
  holds the route's action (the guard refuses before any object is looked at).
- A route whose body or query names an org-A object (an algorithm, a user's e-mail, the
  organisation) answers as it does for an object that does not exist, and changes nothing of A's.
- No answer, of any route, contains an org-A secret or id: the persons' BSN, names, addresses and
  e-mail addresses, the incident's title and reference, the staff's e-mail addresses and names
  (values the request itself carried excepted).

The walked set is compared with ROUTES, so a new route fails this test until it is walked here.
The role boundary (every route × every role, within one organisation) is
tests/integration/web/test_access.py::test_every_api_route_for_every_caller; the scoping of an
investigator to assigned incidents is tests/integration/web/api/test_scoping.py.
"""

from __future__ import annotations

import io
import re
import secrets
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from installation import Herstel
from notifications.demo import fictitious_bsns
from notifications.services import (
    Attachment,
    import_persons,
    list_captured_mail,
    list_citizen_responses,
    list_persons,
    open_citizen_session,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from notifications.tables import LetterRow
from protocol.services import (
    MATRIX,
    Principal,
    Role,
    complete_step,
    create_organisation,
    create_token,
    create_user,
    ensure_default_organisation,
    get_incident,
    get_principal,
    invite_user,
    list_approvals,
    register_algorithm,
    report_incident,
    waive_step,
)
from tests.integration.notifications.conftest import CODE, Dispatched, persons_file, run_letters
from tests.integration.objections import store_objection
from tests.integration.web.api.test_documents import upload_multipart
from tests.integration.web.conftest import ASSESSMENT, Api
from tests.integration.web.pages.conftest import PASSWORD, Browser, app_for
from web.access import PUBLIC, ROUTES, SIGNED_IN

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]

API = "/api/v1"
# Routes left out of the walk, each with the reason. The logout routes are walked, last.
SKIPPED: dict[str, str] = {}
LOGOUT = ("GET /logout", "POST /logout")
# path parameters that are not objects of an organisation
SHARED = {"step": "investigate", "key": "nl-discrimination", "version": "1", "role": "officer", "size": "1"}


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """On PostgreSQL, as production runs."""
    return str(request.param)


@dataclass
class OrgA:
    """Org A's objects (by path parameter name) and the secrets none of org B's answers may contain."""

    organisation_id: uuid.UUID
    ids: dict[str, str]
    version: int
    coordinator: Principal
    coordinator_token: str
    users: list[Principal]
    emails: dict[str, str]  # role -> a user's e-mail
    secrets: set[str] = field(default_factory=set)


def persons_of_a(count: int) -> list[dict[str, str]]:
    """Affected persons with values that occur nowhere else in the installation (plain ASCII, so that
    neither HTML nor JSON escaping can hide one from the search)."""
    numbers = fictitious_bsns("9997")
    return [
        {
            "bsn": next(numbers),
            "name": f"Aafke Geheimhouder{i}",
            "street": f"Verborgenlaan{i}",
            "number": str(10 + i),
            "postcode": f"97{i:02d} QX",
            "city": "Zwijgerveen",
            "email": f"aafke.geheim{i}@lezers-alfa.nl",
            "lang": "nl",
            "consent": "ja",
        }
        for i in range(count)
    ]


@pytest.fixture
def dispatched(herstel: Herstel) -> Iterator[Dispatched]:
    """The broker's part, played by the test: it runs the letter batches itself."""
    broker = Dispatched()
    herstel.dispatch.connect(broker)
    yield broker
    herstel.dispatch.connect(None)


@pytest.fixture
def org_a(herstel: Herstel, smtp_server: Any, dispatched: Dispatched, clock: Any) -> OrgA:
    """Org A (the default organisation) with one of everything, its letters in the demo mailbox."""
    settings = replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    mailing = replace(herstel, settings=settings)
    organisation_id = ensure_default_organisation(uow=herstel.uow())

    def member(role: str, name: str) -> Principal:
        email = f"{name.lower()}.{role}@gemeente-alfa.nl"
        user_id = create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email=email,
            roles=[role],
            organisation_id=organisation_id,
            display_name=f"{name} Alfa-{role}",
        )
        return get_principal(uow=herstel.uow(), user_id=user_id)

    staff = {role.value: member(role.value, "Anneke") for role in Role}
    second = member("coordinator", "Bartholomeus")
    officer, coordinator = staff["officer"], staff["coordinator"]
    algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Geheimalgoritme Alfa")
    incident = report_incident(
        uow=herstel.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Geheime melding over Zwijgerveen",
        description="Alleen voor Alfa.",
        source="employee",
        detected_at=herstel.clock(),
        protected_grounds=["nationality"],
    )
    incident_id = incident["id"]
    incident = complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident_id,
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )
    persons = persons_of_a(2)
    import_persons(
        uow=unit_of_work(mailing),
        vault=open_vault(mailing.settings),
        max_bytes=mailing.settings.max_body_bytes,
        principal=officer,
        incident_id=incident_id,
        data=persons_file(persons),
    )
    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident_id, kind="notification")
    run_letters(mailing, dispatched, clock)
    messages = smtp_server.messages()
    assert len(messages) == len(persons)
    code = CODE.search(messages[0].get_body(("plain",)).get_content())
    assert code
    shutil.copytree(smtp_server.folder, Path(herstel.settings.data_dir) / "mail")  # what the demo's sink keeps
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=code.group(1)
    )
    response = store_objection(  # an objection, so that the decision route has something to decide
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        token=session.token,
        text="Bezwaar van Aafke Geheimhouder",
        attachments=(Attachment("alfa-bijlage-geheim.pdf", "application/pdf", b"%PDF-1.7\n%%EOF\n"),),
    )
    (listed,) = list_citizen_responses(
        uow=unit_of_work(mailing), vault=mailing.vault, principal=officer, incident_id=incident_id
    )
    token = create_token(uow=herstel.uow(), by=Principal.installation(), email=coordinator.email, name="alfa")
    uploader = Api(app_for(herstel).test_client(), token.secret)
    document = uploader.ok(upload_multipart(uploader, str(incident_id), name="alfa-geheim.pdf"), 201)
    current = get_incident(uow=herstel.uow(), principal=officer, incident_id=incident_id)
    waived = waive_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident_id,
        step="suspend",
        version=current["version"],
        justification="Alleen Alfa weet waarom.",
    )
    (approval,) = list_approvals(uow=herstel.uow(), principal=coordinator, incident_id=incident_id)
    mail_id = list_captured_mail(uow=unit_of_work(herstel), data_dir=herstel.settings.data_dir, principal=officer)[
        "items"
    ][0]["id"]
    invitation = invite_user(
        uow=herstel.uow(), principal=staff["admin"], email="nieuwkomer@gemeente-alfa.nl", roles=["officer"]
    )
    users = [*staff.values(), second]
    with herstel.uow().read_only() as reading:
        assert reading.session is not None
        letter_id = reading.session.scalars(select(LetterRow.id).where(LetterRow.incident_id == incident_id)).first()
    person_id = list_persons(
        uow=unit_of_work(herstel), vault=open_vault(herstel.settings), principal=officer, incident_id=incident_id
    )["items"][0]["id"]
    org = OrgA(
        organisation_id=organisation_id,
        ids={
            "incident_id": str(incident_id),
            "algorithm_id": str(algorithm["id"]),
            "document_id": str(document["id"]),
            "approval_id": str(approval["id"]),
            "response_id": str(response["response_id"]),
            "attachment_id": str(listed["attachments"][0]["id"]),
            "deadline_id": str(current["deadlines"][0]["id"]),
            "token_id": str(token.id),
            "user_id": str(coordinator.user_id),
            "mail_id": mail_id,
            "invitation_id": str(invitation.id),
            "letter_id": str(letter_id),
            "person_id": str(person_id),
            "organisation_id": str(organisation_id),  # its letterhead (web/api/letterhead.py)
        },
        version=waived["version"],
        coordinator=coordinator,
        coordinator_token=token.secret,
        users=users,
        emails={role: user.email for role, user in staff.items()},
    )
    org.secrets |= {value for person in persons for key, value in person.items() if key not in ("lang", "consent")}
    org.secrets -= {person["number"] for person in persons}  # a house number alone is no secret: "10" is anywhere
    org.secrets |= {incident["title"], incident["reference"], algorithm["name"], "alfa-geheim.pdf"}
    org.secrets |= {"alfa-bijlage-geheim.pdf", response["reference"]}
    org.secrets |= {user.email for user in users} | {user.display_name for user in users} | {invitation.email}
    org.secrets |= set(org.ids.values())
    return org


@dataclass
class Caller:
    """One org-B user, on the API (bearer token) and on the pages (signed-in session)."""

    role: str
    principal: Principal
    api: Api
    browser: Browser


@pytest.fixture
def org_b(herstel: Herstel, org_a: OrgA) -> list[Caller]:
    app = app_for(herstel, HERSTEL_MAILBOX=True)
    organisation_id = create_organisation(
        uow=herstel.uow(), slug="gemeente-bravo", name="Gemeente Bravo", reference_prefix="BRA"
    )
    callers = []
    for role in Role:
        email = f"{role.value}@gemeente-bravo.nl"
        user_id = create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email=email,
            roles=[role.value],
            organisation_id=organisation_id,
            password=PASSWORD,
        )
        principal = get_principal(uow=herstel.uow(), user_id=user_id)
        token = create_token(uow=herstel.uow(), by=Principal.installation(), email=email, name="bravo").secret
        callers.append(
            Caller(role.value, principal, Api(app.test_client(), token, principal), Browser(app, principal).sign_in())
        )
    return callers


# ---------------------------------------------------------------------------------------- the requests


def allowed(role: str, access_needed: Any) -> bool:
    """Whether the guard lets this role through to the route (from the table and the matrix)."""
    if access_needed == SIGNED_IN:
        return True
    actions = (access_needed,) if isinstance(access_needed, str) else access_needed
    return any(Role(role) in MATRIX[action] for action in actions)


@dataclass
class Request:
    """One call of a route: how to make it, and whether it names an object of org A."""

    label: str
    url: str
    json: Any = None
    form: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    raw: bytes | None = None
    names_a: str = ""  # "path", "body" or "" (names nothing of A's)
    carried: set[str] = field(default_factory=set)  # values the request itself contains


def fill(rule: str, ids: dict[str, str]) -> tuple[str, bool]:
    """The rule with org A's objects in it; True when one was put in."""
    named = False

    def one(match: re.Match[str]) -> str:
        nonlocal named
        name = match.group(1).rpartition(":")[2]
        if name in SHARED:
            return SHARED[name]
        named = True
        return ids[name]  # a KeyError here: a new kind of object; give org A one and name it in `ids`

    return re.sub(r"<([^>]+)>", one, rule), named


def api_body(rule: str, a: OrgA, made_up: bool) -> list[tuple[str, Any]]:
    """The JSON body (or bodies) to send; `made_up` puts objects that do not exist where A's would be."""
    other = str(uuid.uuid4())
    nobody = f"niemand-{secrets.token_hex(3)}@gemeente-alfa.nl"
    version = {"version": a.version}
    if rule == f"{API}/incidents":
        body = {
            "algorithm_id": other if made_up else a.ids["algorithm_id"],
            "title": "Bravo",
            "source": "employee",
            "detected_at": "2026-11-27T10:00:00+01:00",
        }
        return [("algorithm of A", body)]
    if rule == f"{API}/tokens":
        return [("e-mail of A's coordinator", {"name": "x", "email": nobody if made_up else a.emails["coordinator"]})]
    if rule == f"{API}/users":
        return [
            ("e-mail of A's officer", {"email": nobody if made_up else a.emails["officer"], "roles": ["officer"]}),
            (
                "organisation A",
                {
                    "email": nobody,
                    "roles": ["officer"],
                    "organisation_id": other if made_up else str(a.organisation_id),
                },
            ),
        ]
    if rule.endswith("/steps/<step>/start"):
        return [("", {**version, "investigator": str(a.users[2].user_id), "due_date": "2027-02-26"})]
    if rule.endswith("/steps/<step>/waive") or rule.endswith("/reopen"):
        return [("", {**version, "justification": "Bravo wil dit."})]
    if rule.endswith("/answer"):
        return [("", {"answer": "Bravo antwoordt."})]
    if rule.endswith("/decision"):
        return [("", {"outcome": "dismissed", "reasons": "Bravo beslist."})]
    if rule.endswith("/account"):
        return [("", {"text": "Bravo legt verantwoording af."})]
    if rule.endswith("/owner"):
        return [("", {**version, "user_id": str(a.users[0].user_id)})]
    if rule.endswith("/assignee"):
        return [("", {"user_id": str(a.users[0].user_id)})]
    if rule.endswith("/letters"):
        return [("", {"kind": "notification"})]
    if rule.endswith("/affected-persons/search"):
        return [("", {"bsn": persons_of_a(1)[0]["bsn"]})]
    if rule.endswith("/letterhead"):
        return [("", {"name": "Gemeente Bravo", "postal_address": "Postbus 2\n2000 BB  Bravo", "phone": "14 020"})]
    if rule.endswith("/roles"):
        return [("", {"role": "officer"})]
    if rule.endswith(("/complete", "/close", "/approve", "/reject")):
        return [("", version)]
    return [("", {})]


def preview_query(rule: str) -> str:
    """The query a letter preview needs (which letter), so that the walk reaches its access check."""
    return "?kind=notification" if rule.endswith(("/letters/preview", "/letters/preview.pdf")) else ""


def api_requests(method: str, rule: str, a: OrgA, made_up: bool = False) -> list[Request]:
    url, in_path = fill(rule, a.ids)
    if method == "GET":
        requests = [Request("", url + preview_query(rule), names_a="path" if in_path else "")]
        if rule == f"{API}/users":
            query = str(uuid.uuid4()) if made_up else str(a.organisation_id)
            requests.append(Request("organisation A", f"{url}?organisation_id={query}", names_a="body"))
        return requests
    if method == "DELETE":
        return [Request("", url, names_a="path" if in_path else "")]
    if rule.endswith("/documents"):
        files = {"file": (b"%PDF-1.7\n%%EOF\n", "bravo.pdf", "application/pdf")}
        return [Request("", url, files=files, names_a="path")]
    if rule.endswith("/affected-persons"):
        return [Request("", url, raw=persons_file(persons_of_a(1)), names_a="path")]
    requests = []
    for label, body in api_body(rule, a, made_up):
        carried = {v for v in body.values() if isinstance(v, str)}
        names = "path" if in_path else ("body" if label else "")
        requests.append(Request(label, url, json=body, names_a=names, carried=carried))
    return requests


def page_requests(method: str, rule: str, a: OrgA, made_up: bool = False) -> list[Request]:
    url, in_path = fill(rule, a.ids)
    names = "path" if in_path else ""
    if method == "GET":
        return [Request("", url + preview_query(rule), names_a=names)]
    if rule == "/incidents/new":
        form = {
            "algorithm_id": str(uuid.uuid4()) if made_up else a.ids["algorithm_id"],
            "title": "Bravo",
            "source": "employee",
            "detected_at": "2026-11-27T10:00",
        }
        return [Request("algorithm of A", url, form=form, names_a="body", carried={form["algorithm_id"]})]
    if rule == "/users":
        # the e-mail address of one of A's users is not tried here: the invitation would succeed, as for any
        # address (the API's walk covers that), and its notice name the address on the caller's next page
        form = {
            "email": f"niemand-{secrets.token_hex(3)}@gemeente-bravo.nl",
            "roles": "officer",
            "organisation_ids": str(uuid.uuid4()) if made_up else str(a.organisation_id),
        }
        return [Request("organisation A", url, form=form, names_a="body", carried={form["organisation_ids"]})]
    if rule.endswith("/persons") or rule.endswith("/documents"):
        upload = (persons_file(persons_of_a(1)), "bravo.csv") if rule.endswith("/persons") else (b"%PDF-1.7\n", "b.pdf")
        return [Request("", url, files={"file": upload}, names_a=names)]
    form = {
        "version": str(a.version),
        "justification": "Bravo wil dit.",
        "answer": "Bravo antwoordt.",
        "kind": "notification",
        "expected": "1",  # the number a start confirms (web/pages/letters_preview.py)
        "name": "bravo",
    }
    return [Request("", url, form=form, names_a=names)]


def send(caller: Caller, method: str, request: Request, is_api: bool) -> TestResponse:
    if is_api:
        headers = caller.api.headers()
        if request.raw is not None:
            headers["Content-Type"] = "text/csv"
            return caller.api.client.open(request.url, method=method, data=request.raw, headers=headers)
        if request.files is not None:
            data = {k: (io.BytesIO(content), name, kind) for k, (content, name, kind) in request.files.items()}
            return caller.api.client.open(
                request.url, method=method, data=data, headers=headers, content_type="multipart/form-data"
            )
        return caller.api.client.open(request.url, method=method, json=request.json, headers=headers)
    if method == "GET":
        return caller.browser.get(request.url)
    if request.files is not None:
        data = {k: (io.BytesIO(content), name) for k, (content, name) in request.files.items()}
        data["csrf_token"] = caller.browser.csrf()
        return caller.browser.client.post(request.url, data=data, content_type="multipart/form-data")
    return caller.browser.post(request.url, request.form)


def leaked(response: TestResponse, a: OrgA, request: Request, sent: set[str] | None = None) -> list[str]:
    """Org A's secrets in the answer, leaving out what the request itself carried (an id in the path,
    an e-mail address in the body, and what is part of those, like a display name made of an address)
    and the e-mail addresses the caller sent earlier (an address they invited is theirs to see again)."""
    carried = request.carried | set(re.split(r"[/?=&]", request.url)) | (sent or set())
    text = response.get_data(as_text=True)
    return sorted(s for s in a.secrets if s in text and not any(s in value for value in carried))


def outcome(response: TestResponse) -> tuple[int, str | None]:
    body = response.get_json(silent=True) if response.mimetype.endswith("json") else None
    return response.status_code, (body or {}).get("rule") if isinstance(body, dict) else None


# ---------------------------------------------------------------------------------------- the walk


def walk(a: OrgA, callers: list[Caller]) -> tuple[set[str], list[str]]:
    """Call every route as every org-B user; the routes walked, and every crossing of the boundary."""
    walkable = sorted(k for k, v in ROUTES.items() if v != PUBLIC and k not in SKIPPED)
    ordered = [k for k in walkable if k not in LOGOUT] + [k for k in walkable if k in LOGOUT]
    walked: set[str] = set()
    failures: list[str] = []
    sent: dict[str, set[str]] = {caller.role: set() for caller in callers}
    for key in ordered:
        method, rule = key.split(" ", 1)
        is_api = rule.startswith(API)
        builder = api_requests if is_api else page_requests
        for caller in callers:
            pairs = zip(builder(method, rule, a), builder(method, rule, a, made_up=True), strict=True)
            for request, made_up in pairs:
                response = send(caller, method, request, is_api)
                where = f"{key} [{request.label or request.url}] as org-B {caller.role}"
                permitted = allowed(caller.role, ROUTES[key])
                status, rule_name = outcome(response)
                if status >= 500:
                    failures.append(f"{where}: {status}")
                elif request.names_a == "path":
                    expected = 404 if permitted else 403
                    if status != expected:
                        failures.append(f"{where}: {status} {rule_name}, expected {expected}")
                elif request.names_a == "body":
                    control = outcome(send(caller, method, made_up, is_api))
                    if (status, rule_name) != control:
                        failures.append(f"{where}: {status} {rule_name}, for a made-up one {control}")
                elif not permitted and status != 403:
                    failures.append(f"{where}: {status}, expected 403")
                found = leaked(response, a, request, sent[caller.role])
                given = [*(request.json or {}).values(), *(request.form or {}).values()]
                sent[caller.role] |= {v for v in given if isinstance(v, str) and "@" in v}
                if found:
                    failures.append(f"{where}: the answer ({status}) contains {found}")
        walked.add(key)
    return walked, failures


def test_no_route_lets_another_organisation_reach_org_a(org_a: OrgA, org_b: list[Caller]) -> None:
    walked, failures = walk(org_a, org_b)

    assert walked == {k for k, v in ROUTES.items() if v != PUBLIC} - set(SKIPPED), "a route was not walked"
    assert not failures, f"{len(failures)} crossings of the organisation boundary:\n" + "\n".join(failures)


def test_org_a_is_as_it_was_after_the_walk(herstel: Herstel, org_a: OrgA, org_b: list[Caller]) -> None:
    """Whatever org B's users sent, A's incident, approval, token and memberships did not change."""
    walk(org_a, org_b)

    app = app_for(herstel)
    a = Api(app.test_client(), org_a.coordinator_token)
    me = a.get("/me")
    changes = []
    if me.status_code != 200:
        changes.append(f"A's coordinator's token no longer works: {me.status_code}")
    incident_id = uuid.UUID(org_a.ids["incident_id"])
    incident = get_incident(uow=herstel.uow(), principal=org_a.coordinator, incident_id=incident_id)
    if incident["version"] != org_a.version:
        changes.append(f"A's incident moved from version {org_a.version} to {incident['version']}")
    approvals = list_approvals(uow=herstel.uow(), principal=org_a.coordinator, incident_id=incident_id)
    if [x["state"] for x in approvals] != ["pending"]:
        changes.append(f"A's approval is now {[x['state'] for x in approvals]}")
    for user in org_a.users:
        now = get_principal(uow=herstel.uow(), user_id=user.user_id)
        if now.memberships != user.memberships:
            changes.append(f"{user.email} is now in {now.memberships}, was in {user.memberships}")
    assert not changes, "\n".join(changes)
