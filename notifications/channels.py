"""Delivery channels: email over SMTP, post through a print house, and MijnOverheid (not connected).

A channel takes a batch of rendered letters and says, per letter, what happened: `delivered`
(the channel took responsibility), `sent` (handed over, delivery confirmed later), `temporary`
(try again later) or `permanent` (this channel will never take it). The services decide what
follows; channels never touch the database.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import re
import smtplib
import ssl
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from notifications import messages
from notifications.errors import ChannelUnavailable
from notifications.model import AttemptOutcome, channel_for
from notifications.pdf import render_pdf
from notifications.rendering import Logo, RenderedLetter
from notifications.settings import NotificationsSettings
from protocol.files import private_dir, write_private


def choose_channel(*, consent: bool, has_email: bool, has_address: bool) -> str | None:
    """Email only with recorded consent to electronic delivery (Wmebv), otherwise post; None if neither
    reaches them. The rule itself is `model.CHANNEL_POLICY`; this names its facts for a caller."""
    return channel_for({"consent_electronic": consent, "has_email": has_email, "has_address": has_address})


@dataclass(frozen=True)
class Outgoing:
    """One letter on its way: rendered, addressed, and the hash of the access code printed in it."""

    letter_id: uuid.UUID
    attempt: int
    letter: RenderedLetter
    code_hash: str
    started_at: datetime
    email: str | None = None
    postal_code: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a channel did with one letter. `detail` holds codes and error classes, never an address."""

    letter_id: uuid.UUID
    attempt: int
    status: AttemptOutcome  # delivered, sent, temporary or permanent
    smtp_code: int | None = None
    detail: str | None = None
    print_batch_id: uuid.UUID | None = None


class Channel(Protocol):
    """What every channel implements; `send` must not raise for one letter's failure."""

    name: str

    def send(self, batch: Sequence[Outgoing]) -> list[Outcome]: ...

    def close(self) -> None: ...


# ---------------------------------------------------------------------- email

_ENHANCED = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})")


def _enhanced(message: bytes | str | None) -> str:
    raw = message.encode() if isinstance(message, str) else (message or b"")
    match = _ENHANCED.match(raw)
    return match.group(1).decode() if match else ""


STAFF_MAIL = "staff"  # the `kind` of a mail to a staff member (the inbox), sent through this same channel


def message_id(letter_id: uuid.UUID, domain: str, kind: str = "letter") -> str:
    """The same Message-ID for every attempt of one letter, so a retry is recognisable as one."""
    return f"<{kind}-{letter_id}@{domain}>"


class SmtpChannel:
    """Email over one reused SMTP connection; STARTTLS and login when configured; socket timeouts always."""

    name = "email"

    def __init__(self, settings: NotificationsSettings) -> None:
        if not settings.smtp_host:
            raise ChannelUnavailable(messages.NO_SMTP())
        self.settings = settings
        name, sender = parseaddr(settings.mail_from)
        self.sender = sender
        self.domain = sender.rpartition("@")[2] or "herstel.invalid"
        self.from_header = formataddr((name, sender), charset="utf-8")  # parsed once, not per letter
        self._smtp: smtplib.SMTP | None = None

    def build(self, item: Outgoing, *, smtputf8: bool = False) -> bytes:
        """The message as sent: multipart/alternative, quoted-printable UTF-8, CRLF line ends.

        Composed directly rather than with `email.message.EmailMessage`, whose header registry and
        generator took about 10 ms a letter: a third of a campaign's time. Its headers are ASCII
        unless the server offered SMTPUTF8 for an address that needs it.
        """
        letter = item.letter
        boundary = f"=_herstel_{item.letter_id.hex}"
        staff = letter.kind == STAFF_MAIL  # a staff mail is no letter: bounces must not be read as a letter's
        headers = [
            ("From", self.from_header),
            ("To", envelope_address(item.email or "")[0]),
            ("Subject", _encoded_subject(letter.subject)),
            ("Date", format_datetime(item.started_at)),
            ("Message-ID", message_id(item.letter_id, self.domain, STAFF_MAIL if staff else "letter")),
            ("MIME-Version", "1.0"),
            ("Content-Language", letter.language),
            ("X-Herstel-Staff-Mail" if staff else "X-Herstel-Letter", str(item.letter_id)),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
        head = "".join(f"{key}: {value}\r\n" for key, value in headers).encode("utf-8" if smtputf8 else "ascii")
        parts = [head, b"\r\n"]
        for subtype, body in (("plain", letter.text), ("html", letter.html)):
            parts.append(f"--{boundary}\r\n".encode())
            logo = letter.logo if subtype == "html" and letter.logo is not None and letter.logo.content else None
            if logo is not None:
                # the HTML and its logo as one multipart/related: the <img src="cid:..."> finds its part
                related = f"=_herstel_related_{item.letter_id.hex}"
                kind = f'Content-Type: multipart/related; type="text/html"; boundary="{related}"'
                parts.append(f"{kind}\r\n\r\n--{related}\r\n".encode())
            parts += [
                f'Content-Type: text/{subtype}; charset="utf-8"\r\n'.encode(),
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                _quoted_printable(body),
                b"\r\n",
            ]
            if logo is not None:
                parts += [_inline_image(related, logo), f"--{related}--\r\n".encode()]
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            try:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def send(self, batch: Sequence[Outgoing]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        broken: str | None = None
        for item in batch:
            if broken is not None:  # the server is unreachable: do not wait a timeout per letter
                outcomes.append(Outcome(item.letter_id, item.attempt, AttemptOutcome.TEMPORARY, detail=broken))
                continue
            outcome = self._send_one(item)
            if outcome.detail and outcome.detail.startswith("connection") and self._smtp is None:
                outcome, broken = self._send_one(item), None  # one reconnect per failure
                if outcome.detail and outcome.detail.startswith("connection"):
                    broken = outcome.detail
            outcomes.append(outcome)
        return outcomes

    def _send_one(self, item: Outgoing) -> Outcome:
        def result(status: AttemptOutcome, code: int | None, detail: str) -> Outcome:
            return Outcome(item.letter_id, item.attempt, status, smtp_code=code, detail=detail[:200])

        try:
            address, needs_smtputf8 = envelope_address(item.email or "")
        except ValueError as error:
            return result(AttemptOutcome.PERMANENT, None, f"address {error}")
        try:
            smtp = self._connection()
            options: tuple[str, ...] = ()
            if needs_smtputf8:
                smtp.ehlo_or_helo_if_needed()
                if not smtp.has_extn("smtputf8"):
                    return result(
                        AttemptOutcome.PERMANENT, None, "address needs SMTPUTF8, which the server does not offer"
                    )
                options = ("SMTPUTF8",)
            message = self.build(item, smtputf8=needs_smtputf8)
            refused = smtp.sendmail(self.sender, [address], message, mail_options=options)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (451, b""))
            return result(_classify(code), code, f"RCPT {code} {_enhanced(text)}".strip())
        except (smtplib.SMTPSenderRefused, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError) as error:
            # the server refuses us, not the reader: never a reason to fall back to post
            self.close()
            return result(AttemptOutcome.TEMPORARY, error.smtp_code, f"server {error.smtp_code} {type(error).__name__}")
        except smtplib.SMTPResponseException as error:
            code = error.smtp_code
            return result(_classify(code), code, f"DATA {code} {_enhanced(error.smtp_error)}".strip())
        except (OSError, smtplib.SMTPException) as error:  # disconnects, refused connections, timeouts
            self.close()
            return result(AttemptOutcome.TEMPORARY, None, f"connection {type(error).__name__}")
        except Exception as error:  # anything else is this letter's own (its address, its text): it alone fails
            self.close()  # the session may be mid-transaction: the next letter starts on a fresh one
            return result(AttemptOutcome.PERMANENT, None, f"letter {type(error).__name__}")
        if refused:
            code, text = next(iter(refused.values()))
            return result(_classify(code), code, f"RCPT {code} {_enhanced(text)}".strip())
        return result(AttemptOutcome.DELIVERED, 250, "250")

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _quoted_printable(body: str) -> bytes:
    return binascii.b2a_qp(body.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"), istext=True)


def _inline_image(boundary: str, logo: Logo) -> bytes:
    """The logo as an inline part of a multipart/related, named by the Content-ID the HTML points at.

    Inline (CID) rather than a data: URI, which Gmail and Outlook drop from mail, or a link to our
    server, which most clients block until the reader allows images and which would tell us when a
    letter is opened: an official letter is no tracking pixel."""
    extension = "png" if logo.media_type == "image/png" else "jpg"
    encoded = base64.encodebytes(logo.content).replace(b"\n", b"\r\n")
    return b"".join(
        [
            f"--{boundary}\r\n".encode(),
            f"Content-Type: {logo.media_type}\r\n".encode(),
            b"Content-Transfer-Encoding: base64\r\n",
            f"Content-ID: <{logo.cid}>\r\n".encode(),
            f'Content-Disposition: inline; filename="logo.{extension}"\r\n\r\n'.encode(),
            encoded,
        ]
    )


def envelope_address(email: str) -> tuple[str, bool]:
    """The address as SMTP carries it (its domain in IDNA form), and whether it needs SMTPUTF8.

    Raises ValueError for what no server can take. Imports refuse such addresses; older rows may
    still hold one, and then only that letter fails.
    """
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError("has no local part or domain")
    if any(ord(c) < 32 or ord(c) == 127 for c in email):
        raise ValueError("has control characters")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("domain is not a valid internet domain name") from None
    return f"{local}@{ascii_domain}", not local.isascii()


@lru_cache(maxsize=64)
def _encoded_subject(subject: str) -> str:
    """RFC 2047 encoding of a subject: the same few subjects for a whole campaign, and about 1 ms each."""
    return Header(subject, "utf-8").encode(linesep="\r\n")


def _classify(code: int) -> AttemptOutcome:
    return AttemptOutcome.PERMANENT if 500 <= code < 600 else AttemptOutcome.TEMPORARY


# ---------------------------------------------------------------------- post


@dataclass
class PrintBatch:
    """A zip written for the print house, pending until its letters are recorded."""

    id: uuid.UUID
    path: Path
    letters: int
    pages: int
    sha256: str
    file_name: str = field(default="")


class PostChannel:
    """Letters by post: one multi-page PDF and a manifest CSV per batch, zipped for the print house.

    The zip is written to ``print/pending`` and moved to ``print/outbox`` (what the print house
    collects) only after its letters are recorded, so a crash in between never prints a letter twice.
    """

    name = "post"

    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir) / "print"
        self.pending = self.root / "pending"
        self.outbox = self.root / "outbox"
        self.batch: PrintBatch | None = None

    def send(self, batch: Sequence[Outgoing]) -> list[Outcome]:
        if not batch:
            return []
        batch_id = uuid.uuid4()
        refused: list[Outcome] = []
        try:
            pdf, placed = render_pdf([item.letter for item in batch])
        except Exception:
            # one letter the PDF cannot hold must not hold back the batch: find it, print the rest
            batch, refused = _printable(batch)
            if not batch:
                return refused
            pdf, placed = render_pdf([item.letter for item in batch])
        manifest = io.StringIO()
        writer = csv.writer(manifest, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            ["batch", "sequence", "letter_id", "reference", "kind", "language", "first_page", "pages", "postal_code"]
        )
        for index, (item, place) in enumerate(zip(batch, placed, strict=True), start=1):
            letter = item.letter
            writer.writerow(
                [
                    batch_id,
                    index,
                    item.letter_id,
                    letter.reference,
                    letter.kind,
                    letter.language,
                    place.first_page,
                    place.pages,
                    item.postal_code,
                ]
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("letters.pdf", pdf)
            archive.writestr("manifest.csv", manifest.getvalue().encode("utf-8"))
        data = buffer.getvalue()
        path = write_private(self.pending / f"{batch_id}.zip", data)  # names and addresses: 0600
        self.batch = PrintBatch(
            id=batch_id,
            path=path,
            letters=len(batch),
            pages=sum(p.pages for p in placed),
            sha256=hashlib.sha256(data).hexdigest(),
            file_name=path.name,
        )
        return [
            Outcome(i.letter_id, i.attempt, AttemptOutcome.DELIVERED, detail="print batch", print_batch_id=batch_id)
            for i in batch
        ] + refused

    def publish(self, batch_id: uuid.UUID) -> bool:
        """Hand a recorded batch to the print house (move it to the outbox); False if it is not pending."""
        source = self.pending / f"{batch_id}.zip"
        if not source.exists():
            return False
        private_dir(self.outbox)
        source.replace(self.outbox / source.name)
        return True

    def discard(self, batch_id: uuid.UUID) -> None:
        (self.pending / f"{batch_id}.zip").unlink(missing_ok=True)

    def close(self) -> None:
        self.batch = None


def _printable(batch: Sequence[Outgoing]) -> tuple[list[Outgoing], list[Outcome]]:
    """The letters that render as a PDF on their own, and a permanent failure for each that does not."""
    good: list[Outgoing] = []
    refused: list[Outcome] = []
    for item in batch:
        try:
            render_pdf([item.letter])
        except Exception as error:
            refused.append(
                Outcome(item.letter_id, item.attempt, AttemptOutcome.PERMANENT, detail=f"letter {type(error).__name__}")
            )
        else:
            good.append(item)
    return good, refused


# ---------------------------------------------------------------------- MijnOverheid


class BerichtenboxChannel:
    """MijnOverheid Berichtenbox (legally equal to paper post). Not connected: there is no endpoint here.

    Connecting needs an agreement with Logius and its message service; until then this adapter
    refuses clearly, and the channel choice never picks it.
    """

    name = "berichtenbox"

    def send(self, batch: Sequence[Outgoing]) -> list[Outcome]:
        raise ChannelUnavailable(messages.NO_BERICHTENBOX())

    def close(self) -> None:
        return None
