"""Channels: the choice by consent, the email a letter becomes, and the adapter that is not connected."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from installation.settings import Settings
from notifications.channels import BerichtenboxChannel, Outgoing, SmtpChannel, choose_channel, message_id
from notifications.errors import ChannelUnavailable
from notifications.rendering import Block, RenderedLetter


@pytest.mark.parametrize(
    ("consent", "has_email", "has_address", "channel"),
    [
        (True, True, True, "email"),
        (True, True, False, "email"),
        (False, True, True, "post"),  # an email address alone is no consent
        (True, False, True, "post"),  # consent without an address to send to
        (False, False, True, "post"),
        (False, True, False, None),
        (False, False, False, None),
    ],
)
def test_electronic_only_with_recorded_consent_else_post(consent, has_email, has_address, channel):
    assert choose_channel(consent=consent, has_email=has_email, has_address=has_address) == channel


LETTER = RenderedLetter(
    kind="notification",
    language="en",
    subject="We may have treated you unfairly — €",
    blocks=(Block("paragraph", ((False, "Dear Zoë"),)),),
    text="Dear Zoë,\n",
    html="<p>Dear Zoë,</p>",
    recipient_lines=("Zoë",),
    sender_lines=("Gemeente",),
    reference="HST-1",
    date_line="30 November 2026",
)


def test_an_email_has_a_deterministic_message_id_and_both_bodies():
    channel = SmtpChannel(Settings(smtp_host="127.0.0.1", mail_from="Gemeente <brieven@gemeente.example.nl>"))
    letter_id = uuid.uuid4()
    item = Outgoing(letter_id, 3, LETTER, "h", datetime(2026, 11, 30, tzinfo=UTC), email="zoe@example.nl")
    raw = channel.build(item)
    assert b"\r\n\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only, as SMTP wants
    first, again = (BytesParser(policy=policy.default).parsebytes(b) for b in (raw, channel.build(item)))
    assert first["Message-ID"] == again["Message-ID"] == message_id(letter_id, "gemeente.example.nl")
    assert first["To"] == "zoe@example.nl"
    assert first["Content-Language"] == "en"
    assert first.get_body(("plain",)).get_content().splitlines() == ["Dear Zoë,"]
    assert "Dear Zoë" in first.get_body(("html",)).get_content()
    assert str(first["Subject"]) == "We may have treated you unfairly — €"
    assert str(first["From"]) == "Gemeente <brieven@gemeente.example.nl>"
    assert "Zo" not in first["X-Herstel-Letter"]


def test_email_needs_a_configured_server():
    with pytest.raises(ChannelUnavailable, match="HERSTEL_SMTP_HOST"):
        SmtpChannel(Settings())


def test_berichtenbox_implements_the_interface_but_refuses_clearly():
    channel = BerichtenboxChannel()
    with pytest.raises(ChannelUnavailable, match="not connected"):
        channel.send([])
    channel.close()
