"""The demo's SMTP sink: when no SMTP server is configured, `herstel up` receives its own mail.

An aiosmtpd server on a free local port stores every message in the data directory's mailbox;
the installation is handed back with its SMTP settings pointing at it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from notifications.mailbox import mail_dir, store_message
from protocol.config import Settings

log = logging.getLogger(__name__)


class _Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        store_message(self.folder, envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class MailSink:
    """An in-process SMTP server that keeps what it receives."""

    def __init__(self, folder: Path, host: str = "127.0.0.1") -> None:
        self.folder, self.host = folder, host
        self.controller: Controller | None = None
        self.port = 0

    def start(self) -> None:
        for _ in range(5):  # another process may take the probed port in between: try another
            port = free_port(self.host)
            controller = Controller(_Store(self.folder), hostname=self.host, port=port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self.controller, self.port = controller, port
            return
        raise RuntimeError("no free port for the mail sink")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def on_up(settings: Settings) -> tuple[Settings, Callable[[], None]]:
    """`herstel up`: with no SMTP host configured, start the sink; the settings come back pointing at it."""
    if settings.smtp_host:
        return settings, lambda: None
    sink = MailSink(mail_dir(settings.data_dir))
    sink.start()
    log.info("demo mail sink on %s:%d, mail kept in %s", sink.host, sink.port, sink.folder)
    pointed = replace(
        settings,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_starttls=False,
        smtp_user="",
        smtp_password="",
        extra={**settings.extra, "mail_sink": str(sink.folder)},  # the web shows the mailbox page
    )
    return pointed, sink.stop
