"""GET /api/v1/oversight/incidents/{id}/export and `verify-export`: a bundle an oversight body checks offline.

The bundle leaks no imported person's data (the raw bytes of every member are searched, the PDF's
text too), verifies with the installation's public key alone, and every hand edit is named by
member and event seq.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from installation import Herstel
from protocol.export_verify import verify_export
from protocol.services import Principal, create_organisation, create_token, create_user, get_principal, sign_log
from tests.integration.notifications.conftest import people as make_people
from tests.integration.notifications.conftest import persons_file
from tests.integration.web.conftest import Api

EXPORT = "/oversight/incidents/{}/export"


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Affected persons are imported on PostgreSQL, as production does."""
    return str(request.param)


@pytest.fixture
def oversight_api(as_user: Callable[..., Api]) -> Api:
    return as_user("oversight")


@pytest.fixture
def public_key(oversight_api: Api) -> bytes:
    return base64.b64decode(oversight_api.ok(oversight_api.get("/oversight/public-key"))["public_key"])


@pytest.fixture
def with_persons(officer_api: Api, assessed: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    persons = make_people(5)
    response = officer_api.post(
        f"/incidents/{assessed['id']}/affected-persons",
        data=persons_file(persons),
        headers={"Content-Type": "text/csv"},
    )
    assert officer_api.ok(response, 201)["imported"] == 5
    return assessed, persons


def download(api: Api, incident_id: str, query: str = "") -> bytes:
    response = api.get(EXPORT.format(incident_id) + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    return response.get_data()


def rewrite(bundle: bytes, member: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The bundle with one member edited by hand, the others as they were."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, edit(data) if info.filename == member else data)
    return out.getvalue()


def test_the_bundle_verifies_offline_and_holds_no_personal_data(
    oversight_api: Api, public_key: bytes, with_persons: tuple[dict[str, Any], list[dict[str, str]]], tmp_path: Path
) -> None:
    incident, persons = with_persons
    bundle = download(oversight_api, incident["id"])

    report = verify_export(io.BytesIO(bundle), public_key)
    assert report.valid, report
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        names = set(archive.namelist())
        members = {name: archive.read(name) for name in names}
    assert {"bundle.json", "events.jsonl", "leaves.jsonl", "nodes.jsonl", "tree-head.json", "definition.toml"} <= names
    assert "summary.pdf" in names
    manifest = json.loads(members["bundle.json"])
    assert manifest["format"] == "herstel-export/2"
    assert len(members["leaves.jsonl"].splitlines()) == manifest["events"]
    assert manifest["incident"] == incident["id"]
    assert report.events == manifest["events"] == len(members["events.jsonl"].splitlines())
    assert any(b"AffectedPersonsImported" in line for line in members["events.jsonl"].splitlines())

    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(members["summary.pdf"])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert incident["reference"] in text
    searched = {**members, "summary.pdf (text)": text.encode("utf-8")}
    for person in persons:
        for field in ("bsn", "name", "street", "email"):
            value = person[field].encode("utf-8")
            leaking = [name for name, data in searched.items() if value in data]
            assert not leaking, f"{field} of an imported person in {leaking}"


def test_only_an_oversight_body_granted_the_organisation_gets_it(
    herstel: Herstel, client: Any, oversight_api: Api, officer_api: Api, coordinator_api: Api, assessed: dict[str, Any]
) -> None:
    other = create_organisation(uow=herstel.uow(), slug="elders", name="Gemeente Elders", reference_prefix="GEL")
    user_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="toezicht@elders.nl",
        roles=["oversight"],
        organisation_id=other,
    )
    elsewhere = Api(
        client, create_token(uow=herstel.uow(), by=Principal.installation(), email="toezicht@elders.nl").secret
    )
    elsewhere.principal = get_principal(uow=herstel.uow(), user_id=user_id)
    path = EXPORT.format(assessed["id"])

    assert oversight_api.get(path).status_code == 200
    response = elsewhere.get(path)
    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-incident")
    assert response.mimetype == "application/problem+json"
    assert officer_api.get(path).status_code == 403  # no oversight.export anywhere
    assert coordinator_api.get(path).status_code == 403
    assert oversight_api.get(EXPORT.format("00000000-0000-0000-0000-000000000000")).status_code == 404


def test_since_adds_the_consistency_proof_that_a_kept_head_is_extended(
    herstel: Herstel, oversight_api: Api, officer_api: Api, public_key: bytes, assessed: dict[str, Any]
) -> None:
    kept = sign_log(uow_factory=herstel.uow, private_key=herstel.settings.signing_key_bytes())
    later = officer_api.report(str(assessed["algorithm_id"]))  # not under any head yet: the export signs one
    bundle = download(oversight_api, later["id"], f"?since={kept['size']}")
    without = download(oversight_api, later["id"])

    report = verify_export(io.BytesIO(bundle), public_key, kept)
    assert report.valid, report
    assert report.tree_size is not None
    assert report.tree_size > kept["size"]
    missing = verify_export(io.BytesIO(without), public_key, kept)
    assert (missing.valid, missing.member) == (False, "consistency.json")
    beyond = oversight_api.get(EXPORT.format(assessed["id"]) + f"?since={10**6}")
    assert beyond.status_code == 422
    assert "since" in beyond.get_json()["errors"]


def _payload_changed(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    event = json.loads(lines[2])
    event["payload"]["tampered"] = True
    lines[2] = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
    return b"".join(lines)


def _event_removed(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:1] + lines[2:])


def _last_payload_changed(data: bytes) -> bytes:
    """The last event: no later prev_hash names it, so only the signed tree's root can catch it."""
    lines = data.splitlines(keepends=True)
    event = json.loads(lines[-1])
    event["payload"]["tampered"] = True
    lines[-1] = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
    return b"".join(lines)


def _node_byte_flipped(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    node = lines[-1].decode()
    lines[-1] = ('"' + ("0" if node[1] != "0" else "1") + node[2:]).encode()
    return b"".join(lines)


def _leaf_index_moved(data: bytes) -> bytes:
    """The first event claimed at the second one's leaf index."""
    lines = data.splitlines(keepends=True)
    lines[0] = lines[1]
    return b"".join(lines)


def _resigned(data: bytes) -> bytes:
    """The head signed with another key, its key id adjusted to that key: the trusted key must refuse it."""
    from protocol.transparency import parse_tree_head, sign_tree_head

    head = parse_tree_head(data.decode())
    forged = sign_tree_head(
        size=head.size, root=bytes.fromhex(head.root), timestamp=head.timestamp, private_key=secrets.token_bytes(32)
    )
    return forged.to_json().encode()


def _definition_edited(data: bytes) -> bytes:
    return data + b"\n# edited\n"


@pytest.mark.parametrize(
    ("member", "edit", "named_member", "named_seq", "reason"),
    [
        ("events.jsonl", _payload_changed, "events.jsonl", 4, "prev_hash is not the hash of the previous event"),
        ("events.jsonl", _last_payload_changed, "nodes.jsonl", None, "not the leaves of the signed tree"),
        ("events.jsonl", _event_removed, "events.jsonl", 2, "event 2 is missing"),
        ("nodes.jsonl", _node_byte_flipped, "nodes.jsonl", None, "not the leaves of the signed tree"),
        ("leaves.jsonl", _leaf_index_moved, "leaves.jsonl", 2, "must be above the previous event's"),
        ("tree-head.json", _resigned, "tree-head.json", None, "another key"),
        ("definition.toml", _definition_edited, "definition.toml", None, "SHA-256"),
    ],
    ids=[
        "payload-changed",
        "last-payload-changed",
        "event-removed",
        "node-byte-flipped",
        "leaf-index-moved",
        "head-resigned",
        "definition-edited",
    ],
)
def test_a_bundle_edited_by_hand_is_named(
    herstel: Herstel,
    oversight_api: Api,
    public_key: bytes,
    assessed: dict[str, Any],
    officer_api: Api,
    algorithm: dict[str, Any],
    tmp_path: Path,
    member: str,
    edit: Callable[[bytes], bytes],
    named_member: str,
    named_seq: int | None,
    reason: str,
) -> None:
    officer_api.report(str(algorithm["id"]))  # leaves of another incident: the proof needs nodes
    bundle = rewrite(download(oversight_api, assessed["id"]), member, edit)

    report = verify_export(io.BytesIO(bundle), public_key)

    assert not report.valid
    assert (report.member, report.seq) == (named_member, named_seq), report
    assert reason in (report.reason or ""), report


def test_cli_export_then_verify_export_without_database_or_configuration(
    herstel: Herstel, assessed: dict[str, Any], tmp_path: Path
) -> None:
    from tests.integration.cli.test_main import HERSTEL, herstel_cli

    out = tmp_path / "bundle.zip"
    made = herstel_cli(herstel, "export", assessed["id"], "--out", str(out))
    assert made.returncode == 0, made.stderr
    key = herstel_cli(herstel, "log", "checkpoint").returncode  # the CLI export signed already: nothing new
    assert key == 0
    public = base64.b64encode(
        Ed25519PrivateKey.from_private_bytes(herstel.settings.signing_key_bytes()).public_key().public_bytes_raw()
    ).decode()
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no HERSTEL_* settings, no database URL
    ok = subprocess.run(
        [str(HERSTEL), "verify-export", str(out), "--public-key", public], env=bare, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["valid"]

    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(rewrite(out.read_bytes(), "events.jsonl", _payload_changed))
    bad = subprocess.run(
        [str(HERSTEL), "verify-export", str(tampered), "--public-key", public], env=bare, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "INVALID (events.jsonl, event seq 4)" in bad.stderr
