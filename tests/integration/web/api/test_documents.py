"""POST/GET /incidents/{id}/documents: upload as multipart or raw body, download, digest on the timeline."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from typing import Any

from flask.testing import FlaskClient

from installation import Herstel
from tests.integration.web.conftest import Api
from web import create_app

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload_multipart(api: Api, incident_id: str, content: bytes = PDF, name: str = "Rapport J. Jansen.pdf") -> Any:
    return api.client.post(
        f"/api/v1/incidents/{incident_id}/documents",
        data={"file": (io.BytesIO(content), name, "application/pdf")},
        headers=api.headers(),
        content_type="multipart/form-data",
    )


def test_upload_as_multipart_and_download(officer_api: Api, incident: dict[str, Any]) -> None:
    response = upload_multipart(officer_api, incident["id"])
    document = officer_api.ok(response, 201)
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (document["size"], document["content_type"], document["filename"]) == (
        len(PDF), "application/pdf", "Rapport J. Jansen.pdf",
    )  # fmt: skip
    assert response.headers["Location"].endswith(f"/documents/{document['id']}")
    assert officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/documents")) == [document]
    assert officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/documents/{document['id']}")) == document
    download = officer_api.get(f"/incidents/{incident['id']}/documents/{document['id']}/content")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_the_timeline_records_the_digest_never_the_content_or_name(officer_api: Api, incident: dict[str, Any]) -> None:
    document = officer_api.ok(upload_multipart(officer_api, incident["id"]), 201)
    events = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/timeline"))["events"]
    added = [e for e in events if e["type"] == "DocumentAdded"]
    assert [e["payload"] for e in added] == [
        {
            "document_id": document["id"],
            "sha256": document["sha256"],
            "size": len(PDF),
            "content_type": "application/pdf",
        }
    ]
    assert "Jansen" not in str(events)
    assert officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/verify"))["valid"] is True


def test_upload_as_raw_body(officer_api: Api, incident: dict[str, Any]) -> None:
    text = b"Conclusie: niet vastgesteld.\n"
    response = officer_api.post(
        f"/incidents/{incident['id']}/documents?filename=conclusie.txt",
        data=text,
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    document = officer_api.ok(response, 201)
    assert (document["filename"], document["content_type"], document["size"]) == (
        "conclusie.txt",
        "text/plain",
        len(text),
    )


def test_uploads_that_are_refused(herstel: Herstel, officer_api: Api, incident: dict[str, Any]) -> None:
    path = f"/incidents/{incident['id']}/documents"
    png = officer_api.post(path + "?filename=x.png", data=b"\x89PNG", headers={"Content-Type": "image/png"})
    assert (png.status_code, png.get_json()["rule"]) == (415, "media-type")
    fake = upload_multipart(officer_api, incident["id"], content=b"MZ\x90\x00 not a pdf")
    assert fake.status_code == 422
    assert fake.get_json()["errors"] == {"file": ["the content is not application/pdf"]}
    no_name = officer_api.post(path, data=PDF, headers={"Content-Type": "application/pdf"})
    assert no_name.get_json()["errors"] == {"filename": ["required"]}
    no_file = officer_api.client.post(
        "/api/v1" + path, data={"other": "x"}, headers=officer_api.headers(), content_type="multipart/form-data"
    )
    assert no_file.get_json()["errors"] == {"file": ["required: a multipart part named file"]}
    small = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 10_000}, herstel=herstel)
    big = Api(small.test_client(), officer_api.token)
    assert upload_multipart(big, incident["id"], content=PDF + b"0" * 20_000).status_code == 413


def test_unknown_document_is_404(officer_api: Api, incident: dict[str, Any], client: FlaskClient) -> None:
    response = officer_api.get(f"/incidents/{incident['id']}/documents/{incident['id']}")
    assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-document")


def test_format_and_bidi_controls_are_stripped_from_a_document_name(officer_api: Api, incident: dict[str, Any]) -> None:
    path = f"/incidents/{incident['id']}/documents"
    spoof = "invoice\u202egpj.exe"  # shows as "invoiceexe.jpg" where the override is obeyed
    document = officer_api.ok(upload_multipart(officer_api, incident["id"], name=spoof), 201)
    assert document["filename"] == "invoicegpj.exe"
    raw = officer_api.post(
        f"{path}?filename=re\u200bport\u2066.txt\u2069", data=b"tekst\n", headers={"Content-Type": "text/plain"}
    )
    assert officer_api.ok(raw, 201)["filename"] == "report.txt"
    listed = officer_api.ok(officer_api.get(path))
    assert [d["filename"] for d in listed] == ["invoicegpj.exe", "report.txt"]
    assert not [c for d in listed for c in d["filename"] if unicodedata.category(c) == "Cf"]
    download = officer_api.get(f"{path}/{document['id']}/content")
    assert "\u202e" not in download.headers["Content-Disposition"]
    assert "%E2%80%AE" not in download.headers["Content-Disposition"].upper()
