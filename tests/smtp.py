"""A real SMTP server for the tests: aiosmtpd in its own process, on a free port.

What it answers depends on the recipient's local part, so a test scripts failures by address:
``tempfail2-…`` answers 451 to the first two tries and accepts the third; ``permfail-…`` answers
550. Accepted messages are kept as .eml files (read them with `messages()`). It offers SMTPUTF8
(aiosmtpd's default) unless started with ``smtputf8=False``, as many real servers are.

Run as a process: ``python -m tests.smtp HOST PORT FOLDER [--no-smtputf8]``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

TEMPFAIL = re.compile(r"^tempfail(\d+)-")


class ScriptedHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tries: Counter[str] = Counter()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.tries[address] += 1
        match = TEMPFAIL.match(address)
        if match and self.tries[address] <= int(match.group(1)):
            return "451 4.3.0 Temporary failure, try again later"
        if address.startswith("permfail-"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from notifications.mailbox import store_message

        store_message(self.folder, envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def serve(host: str, port: int, folder: Path, smtputf8: bool = True) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(ScriptedHandler(folder), hostname=host, port=port, enable_SMTPUTF8=smtputf8)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


class SmtpServer:
    """The server process seen from a test."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", *, smtputf8: bool = True) -> None:
        self.folder, self.host, self.port, self.smtputf8 = folder, host, 0, smtputf8
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        for _ in range(5):
            with socket.socket() as probe:
                probe.bind((self.host, 0))
                port = probe.getsockname()[1]
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.smtp",
                    self.host,
                    str(port),
                    str(self.folder),
                    *([] if self.smtputf8 else ["--no-smtputf8"]),
                ],
                cwd=Path(__file__).parents[1],
                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
            )
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    with socket.create_connection((self.host, port), timeout=1) as connection:
                        if connection.recv(64).startswith(b"220"):
                            self.process, self.port = process, port
                            return
                except OSError:
                    time.sleep(0.05)
            process.kill()
            process.wait()
        raise RuntimeError("the test SMTP server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def messages(self) -> list[EmailMessage]:
        out = []
        for path in sorted(self.folder.glob("*.eml")):
            with path.open("rb") as handle:
                message = BytesParser(policy=policy.default).parse(handle)
            assert isinstance(message, EmailMessage)
            out.append(message)
        return out

    def recipients(self) -> Counter[str]:
        return Counter(str(m["To"]) for m in self.messages())


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), smtputf8="--no-smtputf8" not in sys.argv[4:])
