"""`herstel up` without an SMTP server: the demo's mail sink, wired into the installation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from installation.root import Herstel
from notifications.mailbox import mail_dir
from notifications.sink import MailSink

log = logging.getLogger(__name__)


def on_up(herstel: Herstel) -> tuple[Herstel, Callable[[], None]]:
    """With no SMTP host configured, start the sink and point the installation at it; returns how to stop it."""
    if herstel.settings.smtp_host:
        return herstel, lambda: None
    sink = MailSink(mail_dir(herstel.settings.data_dir))
    sink.start()
    log.info("demo mail sink on %s:%d, mail kept in %s", sink.host, sink.port, sink.folder)
    settings = replace(
        herstel.settings,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_starttls=False,
        smtp_user="",
        smtp_password="",
        extra={**herstel.settings.extra, "mail_sink": str(sink.folder)},  # the web shows the mailbox page
    )
    return replace(herstel, settings=settings), sink.stop
