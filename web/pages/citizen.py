"""The citizen's pages: enter the code from the letter, then read the letter, see how the case
stands, and send what their letter offers: a question, a review request, a complaint or a harm report
(notifications.citizens.REPLIES; an objection only after a decision on a review request).

The citizen is nobody's user: who they are is the session `open_citizen_session` opens for their
code, its secret kept in a cookie of its own (`herstel_citizen`, only sent to /citizen), so that
a staff member who enters a letter code stays signed in, and signing out of either leaves the other.
Signing out revokes the session on the server. A wrong code and a malformed code get the same
answer; attempts are rate-limited per client (`HERSTEL_CITIZEN_CODE_LIMIT`, see web.extensions.LIMITS).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from notifications.services import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENTS,
    AccessDenied,
    Attachment,
    citizen_contact,
    end_citizen_session,
    get_case_status,
    get_citizen_letter,
    get_citizen_letter_pdf,
    open_citizen_session,
    record_citizen_response,
)
from protocol.services import InvalidEvidence
from web.context import herstel, notifications_uow, notifications_uows, vault
from web.messages import render
from web.pages.common import lang
from web.pages.letter_html import letter_body
from web.pages.letters_text import (
    ANSWER_ROLES,
    RESPONSE_HINTS,
    RESPONSE_KINDS_TEXT,
    RESPONSE_NAMES,
    citizen_step_text,
)
from web.pages.text import _, label
from web.security import body_types

blp = Blueprint("citizen", __name__)
COOKIE = "herstel_citizen"  # holds the citizen session's secret; nothing else
COOKIE_PATH = "/citizen"
LAST = "citizen_last_response"  # the response just recorded, shown once after the redirect
RECEIPT = "citizen_last_receipt"  # how its receipt goes: "email", or "" (shown here only, to print)
CODE_LIMIT = 64  # longer input is not a code; not even worth normalising
Page = str | tuple[str, int] | Response


def _token() -> str | None:
    return request.cookies.get(COOKIE) or None


def _forget(response: Response) -> Response:
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _ended() -> Response:
    """The session expired or was never valid: forget it and ask for the code again."""
    return _forget(redirect(url_for("citizen.code_form", ended=1)))


def _code_page(*, code: str, error: str | None, notice: str | None) -> str:
    """The page that asks for the code, with whom to call or write when it is lost."""
    contact = citizen_contact(uow=notifications_uow())
    return render_template("citizen/code.html", code=code, error=error, notice=notice, contact=contact)


@blp.get("/citizen")
def code_form() -> Page:
    if _token() and not request.args.get("ended"):
        return redirect(url_for("citizen.letter"))
    notice = _("Your session has ended. Enter your code again.") if request.args.get("ended") else None
    return _code_page(code="", error=None, notice=notice)


@blp.post("/citizen")  # rate limited per client: web.extensions.LIMITS
def open_session() -> Page:
    code = (request.form.get("code") or "").strip()
    if not code:
        error = _("Enter the code from your letter.")
        return _code_page(code="", error=error, notice=None), 422
    try:
        if len(code) > CODE_LIMIT:
            raise AccessDenied()
        opened = open_citizen_session(uow_factory=notifications_uows(), vault=vault(), access_code=code)
    except AccessDenied:
        # the same words for a wrong and a malformed code: the answer never tells which codes exist
        error = _("This code does not open a letter. Check the code in your letter and try again.")
        return _code_page(code=code[:CODE_LIMIT], error=error, notice=None), 422
    session.pop(LAST, None)
    session["lang"] = session.get("lang") or opened.language  # the letter's language, unless the reader chose one
    response = redirect(url_for("citizen.letter"))
    response.set_cookie(  # a new secret from the server on every code: no fixation
        COOKIE,
        opened.token,
        max_age=int((opened.expires_at - herstel().clock()).total_seconds()),
        path=COOKIE_PATH,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _letter_page(token: str, *, form: dict[str, Any] | None = None, status: int = 200) -> Page:
    try:
        letter = get_citizen_letter(
            uow_factory=notifications_uows(), vault=vault(), base_url=herstel().settings.base_url, token=token
        )
        case = get_case_status(uow_factory=notifications_uows(), vault=vault(), token=token)
    except AccessDenied:
        return _ended()
    last = session.pop(LAST, None)
    recorded = next((r for r in case["responses"] if str(r["id"]) == last), None) if last else None
    receipt = session.pop(RECEIPT, "")
    if recorded is not None:
        recorded = {**recorded, "receipt": receipt}
    html = render_template(
        "citizen/letter.html",
        letter=letter,
        body=letter_body(letter["html"]),
        case=case,
        steps=_steps_in_page_language(case),
        recorded=recorded,
        kinds=[(k, label(RESPONSE_KINDS_TEXT, k), str(RESPONSE_HINTS.get(k, ""))) for k in case["replies"]],
        kind_label=lambda k: label(RESPONSE_NAMES, k),
        role_label=lambda r: label(ANSWER_ROLES, r),
        max_files=MAX_ATTACHMENTS,
        form=form or {"kind": "", "text": "", "errors": {}},
        page_url=url_for("citizen.letter"),
    )
    return html, status


def _steps_in_page_language(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps in the page's words; the status service speaks the letter's language, the reader
    may have switched. A date spelt out in the other language is left out rather than mixed in."""
    same = case["language"] == lang()
    return [
        {
            "key": step["key"],
            "state": step["state"],
            "title": step["titles"].get(lang()) or step["title"],  # the definition's words for the citizen
            "text": citizen_step_text(step["state"], step["ended_on"] if same else None),
            # what the step came to, in the definition's words for the page's language
            "conclusion": (step["conclusion"] or {}).get(lang()),
        }
        for step in case["steps"]
    ]


@blp.get("/citizen/letter")
def letter() -> Page:
    token = _token()
    if not token:
        return redirect(url_for("citizen.code_form"))
    return _letter_page(token)


@blp.get("/citizen/letter.pdf")
def letter_pdf() -> Response:
    token = _token()
    if not token:
        return redirect(url_for("citizen.code_form"))
    try:
        data = get_citizen_letter_pdf(
            uow_factory=notifications_uows(), vault=vault(), base_url=herstel().settings.base_url, token=token
        )
    except AccessDenied:
        return _ended()
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="brief.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# what browsers send for a file they cannot type, by extension, as the service knows it
FILE_WORDS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
BY_EXTENSION = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _file_words(name: str, value: Any) -> Any:
    """Media types as a reader names them (PDF, JPEG, PNG), not as codes."""
    if name in ("choices", "content_type") and isinstance(value, str):
        for code, word in FILE_WORDS.items():
            value = value.replace(code, word)
    return value


def _attachments() -> list[Attachment]:
    """The files of the form; an empty file input (nothing chosen) is no file."""
    found = []
    for file in request.files.getlist("attachments"):
        if not file.filename:
            continue
        sent = (file.mimetype or "").lower()
        if sent not in ATTACHMENT_TYPES:
            sent = next((t for ext, t in BY_EXTENSION.items() if file.filename.lower().endswith(ext)), sent)
        found.append(Attachment(file.filename, sent, file.read()))
    return found


@blp.post("/citizen/responses")
@body_types("multipart/form-data", "application/x-www-form-urlencoded")  # with files: the installation's limit
def respond() -> Page:
    token = _token()
    if not token:
        return redirect(url_for("citizen.code_form"))
    kind = request.form.get("kind", "")
    text = request.form.get("text", "")
    try:
        result = record_citizen_response(
            uow_factory=notifications_uows(),
            vault=vault(),
            token=token,
            kind=kind,
            text=text,
            attachments=_attachments(),
        )
    except AccessDenied:
        return _ended()
    except InvalidEvidence as error:
        errors = {name: [render(m, words=_file_words) for m in messages] for name, messages in error.errors.items()}
        return _letter_page(token, form={"kind": kind, "text": text, "errors": errors}, status=422)
    session[LAST] = str(result["response_id"])
    session[RECEIPT] = result["receipt"] or ""
    return redirect(url_for("citizen.letter", _anchor="recorded"))


@blp.post("/citizen/logout")
def sign_out() -> Response:
    token = _token()
    if token:
        end_citizen_session(uow=notifications_uow(), token=token)
    session.pop(LAST, None)
    return _forget(redirect(url_for("citizen.signed_out")))


@blp.get("/citizen/signed-out")
def signed_out() -> str:
    return render_template("citizen/signed_out.html")
