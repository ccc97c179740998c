"""The transparency log on a real database: sequencing, signed tree heads, proofs, and an operator who rewrites.

The attacker has rights on the database and the signing key: they switch off the append-only
triggers, rewrite an event and every chain hash after it, and may rebuild the log and sign a new
head. A body that kept an earlier signed head catches them with a consistency proof, and
`verify_log` recomputes the tree from the events' contents and names the first leaf that moved.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel
from protocol.merkle import verify_inclusion
from protocol.services import (
    Forbidden,
    NotFound,
    Principal,
    get_tree_head,
    list_tree_heads,
    log_public_key,
    prove_consistency,
    prove_inclusion,
    sequence_all,
    sequence_events,
    sign_log,
    verify_incident,
    verify_log,
)
from protocol.transparency import parse_tree_head, public_key_bytes, verify_append_only
from tests.conftest import Clock
from tests.integration import flows, tampering
from tests.integration.flows import People


@pytest.fixture
def oversight(make_user: Any) -> Principal:
    return make_user("oversight")


@pytest.fixture
def closed(herstel: Herstel, people: People, algorithm_id: Any, clock: Clock) -> dict[str, Any]:
    incident = flows.run_protocol(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    assert incident["state"] == "closed"
    return incident


def key(herstel: Herstel) -> bytes:
    return herstel.settings.signing_key_bytes()


def pub(herstel: Herstel) -> str:
    return base64.b64encode(public_key_bytes(key(herstel))).decode()


def event_ids(herstel: Herstel, incident_id: Any) -> list[int]:
    with herstel.db.engine.connect() as connection:
        return [row["id"] for row in tampering.event_rows(connection, incident_id)]


def test_sequencing_puts_every_event_in_the_log_once_in_insertion_order(
    herstel: Herstel, closed: dict[str, Any]
) -> None:
    ids = event_ids(herstel, closed["id"])
    with herstel.uow().read_only() as uow:
        assert uow.transparency.size() == 0  # appending events does not touch the log: the sequencer does

    first = sequence_events(uow=herstel.uow(), limit=5)
    rest = sequence_all(uow_factory=herstel.uow, batch=7)
    again = sequence_all(uow_factory=herstel.uow)

    assert (first, rest, again) == (5, len(ids) - 5, 0)
    with herstel.uow().read_only() as uow:
        assert [uow.transparency.entry(i)[0] for i in ids] == list(range(len(ids)))  # type: ignore[index]


def test_an_event_committed_after_a_higher_id_was_sequenced_is_not_lost(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    """PostgreSQL hands out ids at insert, not at commit: a slow transaction can commit an event whose
    id is below one the sequencer has already placed. Its queue row commits with it, so it is placed next."""
    if not herstel.db.is_postgres:
        pytest.skip("SQLite serialises writers: ids commit in order there")
    first = flows.run_protocol(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    with herstel.db.engine.connect() as slow:
        slow.begin()
        late_id = slow.execute(
            sa.text(
                "INSERT INTO events (incident_id, seq, type, at, actor, payload, prev_hash, hash)"
                " SELECT incident_id, seq + 1000, type, at, actor, payload, prev_hash, hash FROM events"
                " WHERE incident_id = :incident ORDER BY seq DESC LIMIT 1 RETURNING id"
            ),
            {"incident": first["id"]},
        ).scalar_one()
        slow.execute(sa.text("INSERT INTO log_queue (event_id) VALUES (:id)"), {"id": late_id})
        second = flows.run_protocol(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
        placed = sequence_all(uow_factory=herstel.uow)
        later = event_ids(herstel, second["id"])
        assert late_id < min(later)
        with herstel.uow().read_only() as uow:
            assert uow.transparency.entry(later[-1]) is not None
            assert uow.transparency.entry(late_id) is None  # not committed yet: invisible to the sequencer
        slow.commit()

    assert sequence_all(uow_factory=herstel.uow) == 1
    with herstel.uow().read_only() as uow:
        entry = uow.transparency.entry(late_id)
        assert entry is not None
        assert entry[0] == placed  # the next leaf, after every event placed before it committed
        assert uow.transparency.unsequenced(10) == []


def test_two_sequencers_at_once_give_each_event_one_index(herstel: Herstel, closed: dict[str, Any]) -> None:
    ids = event_ids(herstel, closed["id"])
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sequence_all(uow_factory=herstel.uow, batch=3)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    with herstel.uow().read_only() as uow:
        assert uow.transparency.size() == len(ids)
        assert sorted(uow.transparency.entry(i)[0] for i in ids) == list(range(len(ids)))  # type: ignore[index]


def test_signed_heads_prove_appending_and_every_event_inclusion(
    herstel: Herstel, closed: dict[str, Any], people: People, algorithm_id: Any, oversight: Principal, clock: Clock
) -> None:
    earlier = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    assert sign_log(uow_factory=herstel.uow, private_key=key(herstel)) == earlier  # no growth, no new head
    clock.advance(hours=1)
    flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    later = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    public = base64.b64decode(log_public_key(principal=oversight, private_key=key(herstel))["public_key"])

    proof = prove_consistency(uow=herstel.uow(), principal=oversight, old_size=earlier["size"], new_size=later["size"])
    report = verify_append_only(parse_tree_head(earlier), parse_tree_head(later), proof["proof"], public)

    assert later["size"] > earlier["size"] > 10
    assert report.valid, report
    assert [h["size"] for h in list_tree_heads(uow=herstel.uow(), principal=oversight)["checkpoints"]] == [
        later["size"],
        earlier["size"],
    ]
    assert get_tree_head(uow=herstel.uow(), principal=oversight, size=earlier["size"]) == earlier
    root = bytes.fromhex(later["root"])
    for event_id in event_ids(herstel, closed["id"]):
        answer = prove_inclusion(uow=herstel.uow(), principal=oversight, event_id=event_id, tree_size=later["size"])
        path = [bytes.fromhex(node) for node in answer["audit_path"]]
        assert verify_inclusion(bytes.fromhex(answer["leaf_hash"]), answer["leaf_index"], later["size"], path, root)


def test_proofs_refuse_unknown_sizes_wrong_order_and_readers_without_the_right(
    herstel: Herstel, closed: dict[str, Any], people: People, oversight: Principal, make_user: Any
) -> None:
    stranger = make_user("investigator")  # not assigned to the incident
    head = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    event_id = event_ids(herstel, closed["id"])[0]

    with pytest.raises(NotFound):
        get_tree_head(uow=herstel.uow(), principal=oversight, size=head["size"] + 1)
    with pytest.raises(NotFound):
        prove_consistency(uow=herstel.uow(), principal=oversight, old_size=1, new_size=head["size"])
    with pytest.raises(Exception, match="from is larger"):
        prove_consistency(uow=herstel.uow(), principal=oversight, old_size=head["size"], new_size=1)
    with pytest.raises(Forbidden):
        list_tree_heads(uow=herstel.uow(), principal=people.officer)
    with pytest.raises(NotFound):  # an investigator not assigned to the incident does not see its events
        prove_inclusion(uow=herstel.uow(), principal=stranger, event_id=event_id, tree_size=head["size"])
    with pytest.raises(NotFound):
        prove_inclusion(uow=herstel.uow(), principal=oversight, event_id=10**9, tree_size=head["size"])


def test_log_verify_passes_an_untouched_log(herstel: Herstel, closed: dict[str, Any]) -> None:
    head = sign_log(uow_factory=herstel.uow, private_key=key(herstel))

    report = verify_log(uow=herstel.uow(), document=json.dumps(head), public_key=pub(herstel))

    assert report["valid"], report
    assert report["recomputed_root"] == head["root"]


def test_a_rewritten_event_with_every_hash_recomputed_is_caught(
    herstel: Herstel, closed: dict[str, Any], people: People, algorithm_id: Any, oversight: Principal, clock: Clock
) -> None:
    """The operator rewrites event 3, recomputes its chain, rebuilds the whole log and signs a new head."""
    kept = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    public = public_key_bytes(key(herstel))
    with herstel.db.engine.connect() as connection:
        target = tampering.event_row(connection, closed["id"], 3)
    with herstel.uow().read_only() as uow:
        target_index = uow.transparency.entry(target["id"])[0]  # type: ignore[index]

    with tampering.triggers_bypassed(herstel) as connection:
        payload = json.loads(target["payload"])
        payload["evidence"] = {**payload.get("evidence", {}), "outcome": "unfounded"}
        rewritten = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        tampering.rewrite_chain(connection, closed["id"], 3, rewritten)
    assert verify_incident(
        uow=herstel.uow(), principal=Principal.installation(), incident_id=closed["id"]
    ).valid  # the chain alone looks fine

    # the log's own records still hold the old leaf: log verify names it
    caught = verify_log(uow=herstel.uow(), document=json.dumps(kept), public_key=pub(herstel))
    assert not caught["valid"]
    assert caught["first_invalid_leaf"] == target_index

    # the thorough operator rebuilds the log from the rewritten events and signs a new, larger head
    with tampering.triggers_bypassed(herstel) as connection:
        tampering.forget_log(connection)
    clock.advance(hours=1)
    flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    forged = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    proof = prove_consistency(uow=herstel.uow(), principal=oversight, old_size=kept["size"], new_size=forged["size"])

    report = verify_append_only(parse_tree_head(kept), parse_tree_head(forged), proof["proof"], public)

    assert forged["size"] > kept["size"]
    assert not report.valid
    assert "rewritten" in (report.reason or "")
    assert not verify_log(uow=herstel.uow(), document=json.dumps(kept), public_key=pub(herstel))["valid"]


def test_trailing_events_deleted_are_named(herstel: Herstel, closed: dict[str, Any]) -> None:
    kept = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    with tampering.triggers_bypassed(herstel) as connection:
        rows = tampering.event_rows(connection, closed["id"])
        for row in rows[-2:]:
            tampering.delete_event(connection, row["id"])

    report = verify_log(uow=herstel.uow(), document=json.dumps(kept), public_key=pub(herstel))

    assert not report["valid"]
    assert report["first_invalid_leaf"] == kept["size"] - 2
    assert "leaves" in report["reason"]


def test_a_head_signed_with_another_key_is_refused(herstel: Herstel, closed: dict[str, Any]) -> None:
    genuine = sign_log(uow_factory=herstel.uow, private_key=key(herstel))
    other_key = secrets.token_bytes(32)
    forged = parse_tree_head(genuine)
    from protocol.merkle import MemoryTree
    from protocol.transparency import sign_tree_head

    impostor = sign_tree_head(
        size=forged.size, root=bytes.fromhex(forged.root), timestamp=forged.timestamp, private_key=other_key
    )
    public = public_key_bytes(key(herstel))

    assert not verify_log(uow=herstel.uow(), document=impostor.to_json(), public_key=pub(herstel))["valid"]
    assert not verify_append_only(parse_tree_head(genuine), impostor, [], public).valid
    assert verify_append_only(parse_tree_head(genuine), parse_tree_head(genuine), [], public).valid
    assert MemoryTree().root(0)  # the empty tree has a root too (SHA-256 of nothing)


def test_two_signers_at_once_make_one_head(herstel: Herstel, closed: dict[str, Any], oversight: Principal) -> None:
    heads: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            heads.append(sign_log(uow_factory=herstel.uow, private_key=key(herstel)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert heads[0] == heads[1]
    assert len(list_tree_heads(uow=herstel.uow(), principal=oversight)["checkpoints"]) == 1
