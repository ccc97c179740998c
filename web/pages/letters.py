"""The officer's letters pages: import the affected persons, list them, follow the letters, open one as sent.

The progress display on the incident page is web.pages.letters_panel; its JSON is served here. The look
before the letters go out, and their start, is web.pages.letters_preview.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications.services import (
    LETTER_FOR,
    FileTooLarge,
    PersonsFileRejected,
    get_sent_letter,
    get_sent_letter_pdf,
    import_persons,
    list_persons,
    open_person,
)
from protocol.services import InvalidEvidence, NotFound, ProtocolError
from web.context import herstel, notifications_uow, principal, vault
from web.pages.common import may, page_arg, page_count
from web.pages.incident_view import Refusal
from web.pages.incidents import Page, fetch
from web.pages.letter_html import letter_body
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
        may_preview=may("letters.send", incident["organisation_id"]) and incident["state"] == "open",
        letter_for=LETTER_FOR,
        may_open_letters=may("letters.read", incident["organisation_id"])
        and may("persons.read_identity", incident["organisation_id"]),
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


@blp.get("/incidents/<uuid:incident_id>/letters/<uuid:letter_id>")
def sent_letter(incident_id: uuid.UUID, letter_id: uuid.UUID) -> Page:
    """One letter as it was sent (its code hidden): the e-mail, and a link to the post letter."""
    incident = fetch(incident_id)
    found = get_sent_letter(
        uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id, letter_id=letter_id
    )
    letter = found["letter"]
    return render_template(
        "sent_letter.html",
        incident=incident,
        found=found,
        letter=letter,
        body=letter_body(letter.html) if letter else "",
        status_label=label(LETTER_STATUSES, found["status"]),
        channel_label=label(CHANNELS, found["channel"]),
    )


@blp.get("/incidents/<uuid:incident_id>/letters/<uuid:letter_id>/pdf")
def sent_letter_pdf(incident_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    """The same letter as the post letter (PDF), its code hidden."""
    data = get_sent_letter_pdf(
        uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id, letter_id=letter_id
    )
    if data is None:
        abort(404, description=_("This letter has not been rendered yet: it is still waiting to be sent."))
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="brief-{letter_id.hex[:8]}.pdf"'
    return response
