"""GET /api/v1/oversight/...: signed tree heads, the public key, consistency and inclusion proofs, over HTTP.

An oversight body keeps a head, comes back after the log grew, and checks with nothing but the
API's answers and the RFC 9162 verification that the log only appended and that an event is in
it. Another organisation's oversight body and roles without the right get nothing of ours.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.merkle import verify_inclusion
from protocol.services import Principal, create_organisation, create_token, create_user, get_principal, sign_log
from protocol.transparency import parse_tree_head, verify_append_only
from tests.integration import tampering
from tests.integration.web.conftest import Api

LOG = "/oversight"


def signed(herstel: Herstel) -> dict[str, Any]:
    return sign_log(uow_factory=herstel.uow, private_key=herstel.settings.signing_key_bytes())


def event_ids(herstel: Herstel, incident_id: str) -> list[int]:
    with herstel.db.engine.connect() as connection:
        return [row["id"] for row in tampering.event_rows(connection, uuid.UUID(incident_id))]


@pytest.fixture
def oversight_api(as_user: Callable[..., Api]) -> Api:
    return as_user("oversight")


@pytest.fixture
def elsewhere(herstel: Herstel, client: Any) -> Api:
    """The oversight body of another organisation."""
    other = create_organisation(uow=herstel.uow(), slug="elders", name="Gemeente Elders", reference_prefix="GEL")
    user_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="toezicht@elders.nl",
        roles=["oversight"],
        organisation_id=other,
    )
    api = Api(client, create_token(uow=herstel.uow(), by=Principal.installation(), email="toezicht@elders.nl").secret)
    api.principal = get_principal(uow=herstel.uow(), user_id=user_id)
    return api


def test_a_kept_head_is_proven_extended_and_an_event_included(
    herstel: Herstel,
    oversight_api: Api,
    officer_api: Api,
    as_user: Callable[..., Api],
    assessed: dict[str, Any],
    algorithm: dict[str, Any],
) -> None:
    kept = oversight_api.ok(oversight_api.get(f"{LOG}/checkpoints/{signed(herstel)['size']}"))
    officer_api.report(str(algorithm["id"]))  # the log grows
    latest = signed(herstel)
    key = oversight_api.ok(oversight_api.get(f"{LOG}/public-key"))

    listed = oversight_api.ok(oversight_api.get(f"{LOG}/checkpoints?limit=1"))
    proof = oversight_api.ok(oversight_api.get(f"{LOG}/proofs/consistency?from={kept['size']}&to={latest['size']}"))
    public = base64.b64decode(key["public_key"])

    assert listed["checkpoints"] == [latest]
    assert listed["next_before"] == latest["size"]
    assert oversight_api.ok(oversight_api.get(f"{LOG}/checkpoints?before={latest['size']}"))["checkpoints"] == [kept]
    assert (proof["from"], proof["to"]) == (kept["size"], latest["size"])
    assert verify_append_only(parse_tree_head(kept), parse_tree_head(latest), proof["proof"], public).valid
    event_id = event_ids(herstel, assessed["id"])[2]
    inclusion = oversight_api.ok(
        oversight_api.get(f"{LOG}/proofs/inclusion?event_id={event_id}&tree_size={latest['size']}")
    )
    path = [bytes.fromhex(node) for node in inclusion["audit_path"]]
    assert inclusion["incident_id"] == assessed["id"]
    assert inclusion["seq"] == 3
    assert verify_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        inclusion["leaf_index"],
        latest["size"],
        path,
        bytes.fromhex(latest["root"]),
    )

    # coordinators may read the heads too (they can make checkpoints); an officer may not
    assert as_user("coordinator").ok(as_user("coordinator").get(f"{LOG}/checkpoints"))["checkpoints"]
    assert officer_api.get(f"{LOG}/checkpoints").status_code == 403


def test_unknown_sizes_are_404_and_from_beyond_to_is_422(
    herstel: Herstel, oversight_api: Api, assessed: dict[str, Any]
) -> None:
    size = signed(herstel)["size"]

    unknown = oversight_api.get(f"{LOG}/checkpoints/{size + 1}")
    not_a_head = oversight_api.get(f"{LOG}/proofs/consistency?from=1&to={size}")
    backwards = oversight_api.get(f"{LOG}/proofs/consistency?from={size}&to=1")
    missing = oversight_api.get(f"{LOG}/proofs/consistency?from=1")
    no_event = oversight_api.get(f"{LOG}/proofs/inclusion?event_id=999999&tree_size={size}")

    assert (unknown.status_code, unknown.get_json()["rule"]) == (404, "unknown-checkpoint")
    assert unknown.mimetype == "application/problem+json"
    assert not_a_head.status_code == 404
    assert oversight_api.get(f"{LOG}/checkpoints/{10**30}").status_code == 404  # beyond a BIGINT: still no 500
    assert backwards.status_code == 422
    assert "from" in backwards.get_json()["errors"]
    assert missing.status_code == 422
    assert "to" in missing.get_json()["errors"]
    assert no_event.status_code == 404


def test_an_inclusion_proof_only_for_who_may_read_the_incident(
    herstel: Herstel,
    oversight_api: Api,
    elsewhere: Api,
    coordinator_api: Api,
    as_user: Callable[..., Api],
    assessed: dict[str, Any],
) -> None:
    size = signed(herstel)["size"]
    path = f"{LOG}/proofs/inclusion?event_id={event_ids(herstel, assessed['id'])[0]}&tree_size={size}"

    assert oversight_api.get(path).status_code == 200
    assert coordinator_api.get(path).status_code == 200
    # another organisation's oversight body sees the (organisation-free) heads, not our events
    assert elsewhere.get(f"{LOG}/checkpoints/{size}").status_code == 200
    response = elsewhere.get(path)
    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-event")
    assert as_user("investigator").get(path).status_code == 404  # not assigned to it
    assert as_user("admin").get(path).status_code == 403  # neither oversight.read nor timeline.read
