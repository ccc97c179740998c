"""The tables of the notifications capability, on the protocol's shared metadata.

Identity data (BSN, name, address, email, a citizen's own words) is stored only as AES-GCM
ciphertext with the id of the key that sealed it; the BSN also as a keyed hash to find
duplicates. Nothing in these tables is personal data in plain text.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from notifications.model import LetterChannel, LetterStatus
from protocol.storage.tables import Base
from protocol.storage.types import BigId

PERSON_KINDS = ("affected", "reporter")
# The campaign letters, and the decision letters: one per decision on a review request or an
# objection (its response's `response_id`), each with the Awb 3:45 remedies clause.
CAMPAIGN_KINDS = ("notification", "unfounded")
DECISION_LETTER_KINDS = {"review": "decision-review", "objection": "decision-objection"}
LETTER_KINDS = (*CAMPAIGN_KINDS, *DECISION_LETTER_KINDS.values())
LETTER_STATUSES = tuple(status.value for status in LetterStatus)  # the model's enum, stored as its values
CHANNELS = tuple(channel.value for channel in LetterChannel)
# Every kind a response may be stored as. Which of them a reader may send depends on the letter they
# answer (notifications.citizens.REPLIES): an objection only against a decision.
RESPONSE_KINDS = ("question", "review", "objection", "complaint", "harm")
# The decision on an objection: upheld (gegrond), partly upheld (gedeeltelijk gegrond), dismissed (ongegrond).
DECISION_OUTCOMES = ("upheld", "partly_upheld", "dismissed")
# The decision on a review request, an application (Awb 4:1): granted (toegewezen), partly granted,
# refused (afgewezen). Objection words (gegrond, ongegrond) judge an earlier decision; a review
# request asks for a new one, so it is granted or refused.
REVIEW_OUTCOMES = ("granted", "partly_granted", "refused")
OUTCOMES_BY_KIND = {"objection": DECISION_OUTCOMES, "review": REVIEW_OUTCOMES}


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


class AffectedPersonRow(Base):
    """Someone the incident touched (or who reported it), with their identity sealed."""

    __tablename__ = "affected_persons"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[str] = mapped_column(String(16))
    bsn_hash: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    bsn_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    address_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(2))
    consent_electronic: Mapped[bool] = mapped_column(Boolean)
    has_email: Mapped[bool] = mapped_column(Boolean)
    has_address: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (
        # one person per BSN per incident; reporters without a BSN have a NULL hash (NULLs are distinct)
        UniqueConstraint("incident_id", "bsn_hash"),
        Index(None, "incident_id", "kind"),
        CheckConstraint(f"kind IN {_in(PERSON_KINDS)}", name="kind"),
        CheckConstraint("language IN ('nl','en')", name="language"),
    )


class CampaignRow(Base):
    """One decision to write to every person of an incident of one kind."""

    __tablename__ = "letter_campaigns"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    letters: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(80))
    completed_at: Mapped[datetime | None]


class PrintBatchRow(Base):
    """A zip for the print house: one multi-page PDF of letters and a manifest CSV."""

    __tablename__ = "print_batches"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    created_at: Mapped[datetime]
    letters: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))


class LetterRow(Base):
    """One letter: a campaign's unique per (incident, person, kind), a decision letter unique per
    decision (`response_id`); its status moves only by compare-and-set."""

    __tablename__ = "letters"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("affected_persons.id"), index=True)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("letter_campaigns.id"))  # None: a decision letter
    # The review request or objection whose decision this letter sends: at most one letter per decision.
    # No foreign key: citizen_responses already refers to letters (the letter a response answers).
    response_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    sent_on: Mapped[date | None] = mapped_column(Date)
    # Written until letters stopped quoting an objection period (a notification is not a decision):
    # kept for the letters sent before, never written now (docs/letters.md).
    objection_last_day: Mapped[date | None] = mapped_column(Date)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(String(200))
    print_batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("print_batches.id"))
    created_at: Mapped[datetime]
    __table_args__ = (
        Index(
            "uq_letters_campaign_letter",
            "incident_id",
            "person_id",
            "kind",
            unique=True,
            postgresql_where=text("response_id IS NULL"),
            sqlite_where=text("response_id IS NULL"),
        ),
        Index(None, "campaign_id", "status"),
        Index(None, "incident_id", "status"),
        # the recovery sweep: letters whose lease or retry time has come
        Index(None, "status", "next_attempt_at"),
        CheckConstraint(f"kind IN {_in(LETTER_KINDS)}", name="kind"),
        CheckConstraint(f"status IN {_in(LETTER_STATUSES)}", name="status"),
        CheckConstraint(f"channel IN {_in(CHANNELS)}", name="channel"),
    )


class LetterAttemptRow(Base):
    """One try to deliver a letter; the timeline vouches for these rows by batch digest."""

    __tablename__ = "letter_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    letter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("letters.id"))
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # pending (written before sending), then delivered, sent, temporary, permanent, or abandoned
    outcome: Mapped[str] = mapped_column(String(16))
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(200))  # never an address: codes and error classes only
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # the access code printed in it
    print_batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("print_batches.id"))
    batch_ref: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the LettersBatchRecorded event covering it
    # SHA-256 (hex) of the letter as rendered for this attempt (see `letter_copies`); in the ledger line
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        UniqueConstraint("letter_id", "number"),
        Index(None, "incident_id", "batch_ref"),
        Index(None, "batch_ref"),
    )


class LetterCopyRow(Base):
    """The letter as sent by one attempt, sealed: its canonical JSON (subject, blocks, text, HTML, the
    address and sender blocks, the code printed in it), whose SHA-256 is the attempt's
    `letter_sha256`; and its PDF, rendered from that copy once and kept, so it never changes either."""

    __tablename__ = "letter_copies"
    letter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("letters.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # the attempt's number
    key_id: Mapped[str] = mapped_column(String(32))
    letter_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_key_id: Mapped[str | None] = mapped_column(String(32))
    pdf_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class CitizenResponseRow(Base):
    """A question, review request, objection, complaint or harm report a citizen lodged; the text is sealed."""

    __tablename__ = "citizen_responses"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("affected_persons.id"), index=True)
    letter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("letters.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str] = mapped_column(String(32))
    text_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answer_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The staff user who handles it (CitizenResponseAssigned on the timeline).
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The decision on an objection (Awb 7:11-7:12): it, not an answer, meets the objection's deadline.
    decision_outcome: Mapped[str | None] = mapped_column(String(16))
    decision_reasons_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(80))
    # R-2026-000123: what the citizen quotes when they call or write; a reference, not a secret.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    # The answerer's role in the organisation (officer, coordinator): what the citizen is shown, not a name.
    answered_role: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(RESPONSE_KINDS)}", name="kind"),
        CheckConstraint(
            f"decision_outcome IS NULL OR decision_outcome IN {_in(DECISION_OUTCOMES + REVIEW_OUTCOMES)}",
            name="outcome",
        ),
    )


class LetterSenderRow(Base):
    """How an organisation signs its letters: where to object, call or write (no citizen data)."""

    __tablename__ = "letter_senders"
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    postal_address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    signatory: Mapped[str] = mapped_column(String(200), default="")  # the signing official's name
    signatory_title: Mapped[str] = mapped_column(String(200), default="", server_default="")  # their function
    logo_sha256: Mapped[str | None] = mapped_column(ForeignKey("letterhead_logos.sha256"))
    updated_at: Mapped[datetime]


class LetterheadLogoRow(Base):
    """A logo as uploaded, stored by its SHA-256 and never changed or removed: a letter as sent names its
    logo by digest (in its sealed copy, under the chain), so a later letterhead leaves it as it was."""

    __tablename__ = "letterhead_logos"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    __table_args__ = (CheckConstraint("media_type IN ('image/png', 'image/jpeg')", name="media_type"),)


class ResponseCounterRow(Base):
    """The last reference number given out in a year (one row per year, raised by an upsert)."""

    __tablename__ = "response_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class ResponseAttachmentRow(Base):
    """A file a citizen sent with a response (PDF, JPEG, PNG): its name and content sealed."""

    __tablename__ = "response_attachments"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizen_responses.id"), index=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    position: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    filename_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


NOTICE_PURPOSES = ("receipt", "answer")  # the receipt of a response; the notice that it has an answer
NOTICE_STATUSES = ("queued", "sending", "sent", "failed")


class ResponseNoticeRow(Base):
    """One message to a citizen about their response, by e-mail or post: unique per (response,
    purpose), so however often it is queued or retried, it exists once. It carries no text: the mail
    or letter is written when it is sent, from the response's reference, kind and date."""

    __tablename__ = "response_notices"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizen_responses.id"))
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    print_batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_error: Mapped[str | None] = mapped_column(String(200))  # codes and error classes, never an address
    created_at: Mapped[datetime]
    __table_args__ = (
        UniqueConstraint("response_id", "purpose"),
        Index(None, "status", "available_at"),
        CheckConstraint(f"purpose IN {_in(NOTICE_PURPOSES)}", name="purpose"),
        CheckConstraint(f"status IN {_in(NOTICE_STATUSES)}", name="status"),
        CheckConstraint("channel IN ('email','post')", name="channel"),
    )
