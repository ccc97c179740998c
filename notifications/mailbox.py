"""Captured mail: what the demo's SMTP sink received, kept as .eml files in the data directory.

This is the demo mailbox (and what tests read); in production mail leaves through a real SMTP
server and nothing is captured.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

_ID = re.compile(r"^[0-9]+-[0-9a-f]{8}$")


def mail_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "mail"


def store_message(folder: Path, raw: bytes) -> Path:
    """Keep one received message (written under a temporary name, then renamed, so readers never see half)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    staging = folder / f".{name}.part"
    staging.write_bytes(raw)
    os.replace(staging, folder / f"{name}.eml")
    return folder / f"{name}.eml"


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


def list_captured_mail(*, herstel: Any, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """The newest captured messages first (headers only), and how many there are."""
    folder = mail_dir(herstel.settings.data_dir)
    paths = sorted(folder.glob("*.eml"), reverse=True) if folder.exists() else []
    page = paths[offset : offset + max(1, min(limit, 500))]
    return {"total": len(paths), "items": [_summary(p, _parse(p, headers_only=True)) for p in page]}


def get_captured_mail(*, herstel: Any, mail_id: str) -> dict[str, Any] | None:
    """One captured message with its plain-text and HTML bodies; None if there is no such message."""
    if not _ID.match(mail_id or ""):
        return None
    path = mail_dir(herstel.settings.data_dir) / f"{mail_id}.eml"
    if not path.exists():
        return None
    message = _parse(path, headers_only=False)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return {
        **_summary(path, message),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
    }
