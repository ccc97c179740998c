"""The officer's letters pages: import the affected persons, list them, start the letters, follow them.

The progress display on the incident page is web.pages.letters_panel; its JSON is served here.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications.services import (
    FileTooLarge,
    PersonsFileRejected,
    import_persons,
    list_persons,
    open_person,
    start_campaign,
)
from protocol.services import InvalidEvidence, NotFound, ProtocolError
from web.context import herstel, notifications_uow, principal, vault
from web.pages.common import may, page_arg, page_count
from web.pages.incident_view import FormState, Refusal
from web.pages.incidents import Page, attempt, fetch
from web.pages.letters_panel import progress
from web.pages.letters_text import CHANNELS, LETTER_STATUSES
from web.pages.text import _, field_message, label, ngettext
from web.problem import status_for
from web.security import body_types

blp = Blueprint("letters_page", __name__)
PER_PAGE = 50


@blp.get("/incidents/<uuid:incident_id>/letters/progress")
def progress_json(incident_id: uuid.UUID) -> Response:
    return jsonify(progress(incident_id))


@blp.post("/incidents/<uuid:incident_id>/letters")
def start(incident_id: uuid.UUID) -> Page:
    kind = request.form.get("kind", "")
    state = FormState("letters", {"kind": kind})

    def queued(result: dict[str, Any]) -> str:
        if result["created"]:
            return ngettext("%(num)d letter queued.", "%(num)d letters queued.", result["letters"])
        return _("Everyone already has this letter: nothing new was queued.")

    return attempt(
        incident_id,
        state,
        lambda: start_campaign(uow=notifications_uow(), principal=principal(), incident_id=incident_id, kind=kind),
        queued,
        anchor="letters",
    )


def address_line(address: dict[str, str] | None) -> str:
    """A Dutch address on one line: street, number and addition, postcode and city."""
    if not address:
        return ""
    number = " ".join(filter(None, (address.get("house_number"), address.get("addition"))))
    street = " ".join(filter(None, (address.get("street"), number)))
    town = "  ".join(filter(None, (address.get("postal_code"), address.get("city"))))
    return ", ".join(filter(None, (street, town)))


def render_persons(
    incident_id: uuid.UUID,
    *,
    rejected: dict[str, Any] | None = None,
    status: int = 200,
    search: dict[str, Any] | None = None,
) -> tuple[str, int]:
    incident = fetch(incident_id)
    page = page_arg()
    search = search or {}
    persons = list_persons(
        uow=notifications_uow(),
        vault=vault(),
        principal=principal(),
        incident_id=incident_id,
        page=page,
        per_page=PER_PAGE,
        bsn=search.get("bsn") if not search.get("error") else None,
    )
    pages = page_count(persons["total"], PER_PAGE)
    html = render_template(
        "persons.html",
        incident=incident,
        persons=persons,
        page=page,
        pages=pages,
        rejected=rejected,
        may_import=may("persons.import", incident["organisation_id"]) and incident["state"] == "open",
        status_label=lambda s: label(LETTER_STATUSES, s),
        channel_label=lambda c: label(CHANNELS, c),
        address_line=address_line,
        page_url=url_for("letters_page.persons", incident_id=incident_id),
        search=search,
    )
    return html, status


@blp.post("/incidents/<uuid:incident_id>/persons/search")
def search(incident_id: uuid.UUID) -> Page:
    """Find a person by whole BSN: a POST, so the BSN is in no URL, log line or browser history."""
    bsn = request.form.get("bsn", "").strip()
    try:
        html, _status = render_persons(incident_id, search={"bsn": bsn})
    except InvalidEvidence as error:
        message = field_message(error.errors.get("bsn", [error.message])[0])
        return render_persons(incident_id, search={"bsn": bsn, "error": message}, status=422)
    return _private(html, 200)


@blp.post("/incidents/<uuid:incident_id>/persons/<uuid:person_id>/open")
def open_one(incident_id: uuid.UUID, person_id: uuid.UUID) -> Page:
    """One person with the whole BSN: opened by a button (a POST), never shown by following a link."""
    incident = fetch(incident_id)
    person = open_person(
        uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id, person_id=person_id
    )
    html = render_template(
        "person.html",
        incident=incident,
        person=person,
        address_line=address_line,
        status_label=lambda s: label(LETTER_STATUSES, s),
        channel_label=lambda c: label(CHANNELS, c),
    )
    return _private(html, 200)


def _private(html: str, status: int) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/incidents/<uuid:incident_id>/persons")
def persons(incident_id: uuid.UUID) -> Page:
    return render_persons(incident_id)


@blp.post("/incidents/<uuid:incident_id>/persons")
@body_types("multipart/form-data")  # an upload: the installation's body limit, not 1 MB
def import_file(incident_id: uuid.UUID) -> Page:
    file = request.files.get("file")
    if file is None or not file.filename:
        return render_persons(
            incident_id, rejected={"message": _("Choose a CSV file to upload."), "rows": []}, status=422
        )
    try:
        result = import_persons(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            data=file.read(),
            max_bytes=herstel().settings.max_body_bytes,
        )
    except NotFound:
        raise
    except PersonsFileRejected as error:
        rows = [{"row": r.row, "field": r.field, "message": field_message(r.message)} for r in error.rows]
        message = ngettext(
            "The file has %(num)d problem. Nothing was imported: correct the file and upload it again.",
            "The file has %(num)d problems. Nothing was imported: correct the file and upload it again.",
            error.total,
        )
        if error.total > len(rows):
            message += " " + _("The first %(shown)d are listed.", shown=len(rows))
        return render_persons(incident_id, rejected={"message": message, "rows": rows}, status=422)
    except FileTooLarge as error:
        return render_persons(incident_id, rejected={"message": field_message(error.message), "rows": []}, status=413)
    except ProtocolError as error:
        message = Refusal.of(error).explanation or field_message(error.message)
        return render_persons(incident_id, rejected={"message": message, "rows": []}, status=status_for(error))
    flash(
        _(
            "Imported: %(imported)d new persons, %(merged)d merged with persons already known.",
            imported=result["imported"],
            merged=result["merged"],
        ),
        "info",
    )
    return redirect(url_for("letters_page.persons", incident_id=incident_id))
