"""The notifications service layer: the only door the web, the workers and the CLI use here.

Use cases are keyword-only functions. Those shaped like the protocol's take a fresh unit of work
(`uow=unit_of_work(herstel)`, one transaction), the installation's keys where they seal or open
personal data (`vault=`, built once per process with `open_vault`) and, where a user acts, their
`Principal`. The rest still take the installation (`herstel`) and open their own units of work;
each runs in one transaction unless its docstring says otherwise. Citizens act
through a session token from `open_citizen_session`. Errors are the protocol's `ProtocolError`
family, so the web maps them with the same handler.
"""

from notifications.attempts import DeliveryReport
from notifications.campaigns import (
    letters_summary,
    objection_deadline,
    preview_letter,
    recover_letters,
    set_letter_sender,
    start_campaign,
    verify_letters_ledger,
)
from notifications.channels import BerichtenboxChannel, Channel, Outcome, Outgoing, PostChannel, SmtpChannel
from notifications.citizens import (
    CitizenSession,
    answer_citizen_response,
    citizen_session,
    end_citizen_session,
    get_case_status,
    get_citizen_letter,
    get_citizen_letter_pdf,
    list_citizen_responses,
    open_citizen_session,
    record_citizen_response,
)
from notifications.codes import format_access_code, normalize_access_code
from notifications.crypto import Vault
from notifications.delivery import deliver_letters
from notifications.dispatch import BATCH, dispatch_letters, set_letter_dispatcher
from notifications.errors import AccessDenied, ChannelUnavailable, FileTooLarge, PersonsFileRejected, RowError
from notifications.letters import CITIZEN_PATH
from notifications.mailbox import get_captured_mail, list_captured_mail
from notifications.oversight import oversight_persons
from notifications.persons import import_persons, list_persons, record_reporter
from notifications.rendering import RenderedLetter
from notifications.response_handling import assign_response, decide_objection
from notifications.storage import NotificationsUnitOfWork
from notifications.tables import DECISION_OUTCOMES, LETTER_KINDS, RESPONSE_KINDS
from notifications.waiting import waiting_for
from protocol.services import Herstel, Settings


def unit_of_work(herstel: Herstel) -> NotificationsUnitOfWork:
    """A fresh unit of work (one transaction) over the protocol's and the notifications' repositories."""
    return NotificationsUnitOfWork.of(herstel)


def open_vault(settings: Settings) -> Vault:
    """The installation's keys for sealing and opening personal data; build it once per process."""
    return Vault.from_settings(settings)


__all__ = [
    "BATCH",
    "CITIZEN_PATH",
    "DECISION_OUTCOMES",
    "LETTER_KINDS",
    "RESPONSE_KINDS",
    "AccessDenied",
    "BerichtenboxChannel",
    "Channel",
    "ChannelUnavailable",
    "CitizenSession",
    "DeliveryReport",
    "FileTooLarge",
    "NotificationsUnitOfWork",
    "Outcome",
    "Outgoing",
    "PersonsFileRejected",
    "PostChannel",
    "RenderedLetter",
    "RowError",
    "SmtpChannel",
    "Vault",
    "answer_citizen_response",
    "assign_response",
    "citizen_session",
    "decide_objection",
    "deliver_letters",
    "dispatch_letters",
    "end_citizen_session",
    "format_access_code",
    "get_captured_mail",
    "get_case_status",
    "get_citizen_letter",
    "get_citizen_letter_pdf",
    "import_persons",
    "letters_summary",
    "list_captured_mail",
    "list_citizen_responses",
    "list_persons",
    "normalize_access_code",
    "objection_deadline",
    "open_citizen_session",
    "open_vault",
    "oversight_persons",
    "preview_letter",
    "record_citizen_response",
    "record_reporter",
    "recover_letters",
    "set_letter_dispatcher",
    "set_letter_sender",
    "start_campaign",
    "unit_of_work",
    "verify_letters_ledger",
    "waiting_for",
]
