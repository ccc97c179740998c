"""Captured mail: what the demo's SMTP sink received, kept as .eml files in the data directory.

This is the demo mailbox (and what tests read); in production mail leaves through a real SMTP
server and nothing is captured.

The sink receives every organisation's letters in one folder, so what a reader sees is decided
per message: its `X-Herstel-Letter` header names the letter, the ledger says which incident (and
so which organisation) that letter belongs to, and only those who may see identities in that
organisation see it. A message naming no known letter belongs to nobody and is shown to nobody.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from notifications.storage import NotificationsUnitOfWork
from protocol.files import write_private
from protocol.identity import Principal
from protocol.permissions import organisations_for

_ID = re.compile(r"^[0-9]+-[0-9a-f]{8}$")


def mail_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "mail"


def store_message(folder: Path, raw: bytes) -> Path:
    """Keep one received message, 0600 (written under a temporary name, then renamed, so readers never see half)."""
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    return write_private(folder / f"{name}.eml", raw)


def _parse(path: Path, *, headers_only: bool) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle, headersonly=headers_only)
    assert isinstance(message, EmailMessage)
    return message


def _summary(path: Path, message: EmailMessage) -> dict[str, Any]:
    return {
        "id": path.stem,
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "date": str(message.get("Date", "")),
        "message_id": str(message.get("Message-ID", "")),
        "letter_id": str(message.get("X-Herstel-Letter", "")),
        "language": str(message.get("Content-Language", "")),
    }


def _letter_id(message: EmailMessage) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(message.get("X-Herstel-Letter", "")).strip())
    except ValueError:
        return None


def _visible(uow: NotificationsUnitOfWork, principal: Principal, letters: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """Of these letters, those of an organisation where the principal may see identities."""
    allowed = set(organisations_for(principal, "persons.read_identity"))
    wanted = {letter for letter in letters if letter is not None}
    if not allowed or not wanted:
        return set()
    with uow.read_only():
        owners = uow.letters.organisations_of(wanted)
    return {letter for letter, organisation in owners.items() if organisation in allowed}


def list_captured_mail(
    *, uow: NotificationsUnitOfWork, data_dir: str | Path, principal: Principal, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """The newest captured messages of the principal's organisations first (headers only), and how many."""
    folder = mail_dir(data_dir)
    paths = sorted(folder.glob("*.eml"), reverse=True) if folder.exists() else []
    # every message's headers are read to know whose it is: the demo's mailbox, a few thousand at most
    headers = [(path, _parse(path, headers_only=True)) for path in paths]
    letters = {path: _letter_id(message) for path, message in headers}
    visible = _visible(uow, principal, letters.values())
    mine = [(path, message) for path, message in headers if letters[path] in visible]
    page = mine[offset : offset + max(1, min(limit, 500))]
    return {"total": len(mine), "items": [_summary(path, message) for path, message in page]}


def get_captured_mail(
    *, uow: NotificationsUnitOfWork, data_dir: str | Path, principal: Principal, mail_id: str
) -> dict[str, Any] | None:
    """One captured message with its plain-text and HTML bodies; None if there is no such message
    or it is not a letter of the principal's organisations (the two look the same)."""
    if not _ID.match(mail_id or ""):
        return None
    path = mail_dir(data_dir) / f"{mail_id}.eml"
    if not path.exists():
        return None
    message = _parse(path, headers_only=False)
    letter = _letter_id(message)
    if letter is None or letter not in _visible(uow, principal, [letter]):
        return None
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return {
        **_summary(path, message),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
    }
