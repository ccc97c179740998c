"""The notifications service layer: the only door the web, the workers and the CLI use here.

Use cases are keyword-only functions shaped like the protocol's: a fresh unit of work
(`uow=unit_of_work(herstel)`, one transaction) or, for those that run several transactions
(delivery, the recovery sweep, the citizen's session checks), a factory of them (`uow_factory=`);
the installation's keys where they seal or open personal data (`vault=`, built once per process
with `open_vault`); where a user acts, their `Principal`; and the few settings each needs, by name
(`base_url=`, `data_dir=`, `lease=`). Clock and calendar come from the unit of work. Citizens act
through a session token from `open_citizen_session`. Errors are the protocol's `ProtocolError`
family, so the web maps them with the same handler.
"""

from notifications import messages as notification_messages
from notifications.answers import (
    ATTACHMENT_BYTES,
    ATTACHMENT_TYPES,
    MAX_ATTACHMENTS,
    Attachment,
    get_response_attachment,
    list_response_notices,
)
from notifications.attempts import DeliveryReport
from notifications.campaigns import (
    LETTER_FOR,
    letters_summary,
    recover_letters,
    start_campaign,
    verify_letters_ledger,
)
from notifications.channels import BerichtenboxChannel, Channel, Outcome, Outgoing, PostChannel, SmtpChannel
from notifications.citizens import (
    REPLIES,
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
    reply_kinds,
)
from notifications.codes import format_access_code, normalize_access_code
from notifications.crypto import Vault
from notifications.delivery import ChannelFactory, default_channels, deliver_letters
from notifications.demo import seed as seed_demo_letters
from notifications.dispatch import BATCH, Dispatcher, LetterDispatch
from notifications.errors import AccessDenied, ChannelUnavailable, FileTooLarge, PersonsFileRejected, RowError
from notifications.handlers import HANDLERS
from notifications.letterhead import LOGO_LIMIT, citizen_contact, get_letterhead, set_letterhead
from notifications.letters import CITIZEN_PATH
from notifications.mailbox import get_captured_mail, list_captured_mail
from notifications.oversight import letter_timeliness, oversight_persons
from notifications.persons import import_persons, list_persons, open_person, record_reporter
from notifications.ports import Installation
from notifications.preview import plan_campaign, preview_letter, preview_letter_pdf
from notifications.rendering import RenderedLetter
from notifications.response_handling import assign_response, decide_response
from notifications.response_notices import NoticeReport, deliver_response_notices
from notifications.sent import get_sent_letter, get_sent_letter_pdf
from notifications.settings import NotificationsSettings
from notifications.storage import NotificationsUnitOfWork, UnitOfWorkFactory
from notifications.tables import CAMPAIGN_KINDS, DECISION_OUTCOMES, LETTER_KINDS, RESPONSE_KINDS, REVIEW_OUTCOMES
from notifications.waiting import waiting_for


def unit_of_work(installation: Installation) -> NotificationsUnitOfWork:
    """A fresh unit of work (one transaction) over the protocol's and the notifications' repositories."""
    return installation.uow()


def unit_of_work_factory(installation: Installation) -> UnitOfWorkFactory:
    """Fresh units of work of the installation, for the services that run several transactions."""
    return installation.uow


def open_vault(settings: NotificationsSettings) -> Vault:
    """The keys for sealing and opening personal data (the installation builds its own once: `herstel.vault`)."""
    return Vault.from_settings(settings)


__all__ = [
    "ATTACHMENT_BYTES",
    "ATTACHMENT_TYPES",
    "BATCH",
    "CAMPAIGN_KINDS",
    "CITIZEN_PATH",
    "DECISION_OUTCOMES",
    "HANDLERS",
    "LETTER_FOR",
    "LETTER_KINDS",
    "LOGO_LIMIT",
    "MAX_ATTACHMENTS",
    "REPLIES",
    "RESPONSE_KINDS",
    "REVIEW_OUTCOMES",
    "AccessDenied",
    "Attachment",
    "BerichtenboxChannel",
    "Channel",
    "ChannelFactory",
    "ChannelUnavailable",
    "CitizenSession",
    "DeliveryReport",
    "Dispatcher",
    "FileTooLarge",
    "Installation",
    "LetterDispatch",
    "NoticeReport",
    "NotificationsSettings",
    "NotificationsUnitOfWork",
    "Outcome",
    "Outgoing",
    "PersonsFileRejected",
    "PostChannel",
    "RenderedLetter",
    "RowError",
    "SmtpChannel",
    "UnitOfWorkFactory",
    "Vault",
    "answer_citizen_response",
    "assign_response",
    "citizen_contact",
    "citizen_session",
    "decide_response",
    "default_channels",
    "deliver_letters",
    "deliver_response_notices",
    "end_citizen_session",
    "format_access_code",
    "get_captured_mail",
    "get_case_status",
    "get_citizen_letter",
    "get_citizen_letter_pdf",
    "get_letterhead",
    "get_response_attachment",
    "get_sent_letter",
    "get_sent_letter_pdf",
    "import_persons",
    "letter_timeliness",
    "letters_summary",
    "list_captured_mail",
    "list_citizen_responses",
    "list_persons",
    "list_response_notices",
    "normalize_access_code",
    "notification_messages",
    "open_citizen_session",
    "open_person",
    "open_vault",
    "oversight_persons",
    "plan_campaign",
    "preview_letter",
    "preview_letter_pdf",
    "record_citizen_response",
    "record_reporter",
    "recover_letters",
    "reply_kinds",
    "seed_demo_letters",
    "set_letterhead",
    "start_campaign",
    "unit_of_work",
    "unit_of_work_factory",
    "verify_letters_ledger",
    "waiting_for",
]
