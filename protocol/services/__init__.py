"""The service layer: the only door the web, the workers and the CLI go through.

Every use case is a keyword-only function taking a unit of work (`herstel.uow()`, see `installation`) and, where a
person acts, their `Principal`. Value types the entry points need (errors, roles, the principal)
are re-exported here so that nothing outside `protocol/` imports below this package.
"""

from protocol import messages
from protocol.chain import ChainReport
from protocol.checkpoint import Checkpoint, CheckpointFormatError
from protocol.config import ConfigError, ProtocolSettings
from protocol.definition import ProtocolDefinition, StepDefinition
from protocol.errors import (
    ApproverTooNew,
    DefinitionError,
    IllegalTransition,
    InvalidEvidence,
    NotAllowed,
    NotFound,
    ProtocolError,
    StaleVersion,
    StateConflict,
    StepBlocked,
    Template,
    Text,
    templates_of,
)
from protocol.events import EVENT_TYPES, StoredEvent
from protocol.evidence import EvidenceSchema, FieldSpec
from protocol.export_verify import ExportReport, verify_export
from protocol.files import make_process_private
from protocol.identity import SYSTEM, Actor, Principal, Role
from protocol.oversight import DeadlineOutcome, pseudonym
from protocol.permissions import MATRIX, Forbidden
from protocol.services.accounts import (
    authenticate_password,
    create_user,
    get_principal,
    list_users,
    revoke_role,
    set_password,
    set_user_active,
)
from protocol.services.algorithms import get_algorithm, lars_is_valid, list_algorithms, register_algorithm
from protocol.services.approvals import approval_queue, list_approvals
from protocol.services.calendar import calculate_due, legal_calendars
from protocol.services.compliance import compliance_figures
from protocol.services.deadline_accounts import account_for_missed_deadline, list_deadline_accounts
from protocol.services.definitions import (
    check_definition_file,
    describe_definition,
    get_definition,
    list_definitions,
    register_definition,
    sync_builtin_definitions,
)
from protocol.services.documents import DOCUMENT_TYPES, get_document, list_documents, upload_document
from protocol.services.export import export_incident
from protocol.services.handlers import HANDLERS as NOTICE_HANDLERS
from protocol.services.handlers import Handler, handlers_for, list_notices, register_handler
from protocol.services.incidents import (
    approve,
    assign_owner,
    close_incident,
    complete_step,
    get_incident,
    list_incidents,
    overdue_deadlines,
    reject_approval,
    reopen_incident,
    report_incident,
    start_step,
    sweep_deadlines,
    waive_step,
)
from protocol.services.invitations import (
    INVITATION_PATH,
    IssuedInvitation,
    accept_invitation,
    accept_my_invitation,
    describe_invitation,
    invite_user,
    list_user_audit,
    my_invitations,
)
from protocol.services.joining import append_to_timeline, complete_step_as_system, start_step_as_system
from protocol.services.organisations import (
    create_organisation,
    ensure_default_organisation,
    list_organisations,
    organisation_id_for,
)
from protocol.services.outbox import RelayResult, handle_event, relay_once
from protocol.services.oversight import (
    get_oversight_incident,
    get_oversight_timeline,
    list_oversight_incidents,
    list_oversight_notices,
    sanction_counts,
)
from protocol.services.scheduling import (
    claim_scheduler_lease,
    release_scheduler_lease,
    scheduler_lease_holder,
)
from protocol.services.sessions import (
    IssuedSession,
    OpenSession,
    SessionKind,
    check_session,
    end_session,
    open_session,
    session_principal,
)
from protocol.services.timeline import (
    create_checkpoint,
    get_timeline,
    verify_against_checkpoint,
    verify_all,
    verify_incident,
)
from protocol.services.tokens import IssuedToken, authenticate_token, create_token, list_tokens, revoke_token
from protocol.services.transparency import (
    get_tree_head,
    installation_public_key,
    list_tree_heads,
    log_public_key,
    prove_consistency,
    prove_inclusion,
    sequence_all,
    sequence_events,
    sign_log,
    verify_log,
)
from protocol.services.users import (
    describe_principal,
    grant_role,
    list_investigators,
    list_organisation_users,
    list_staff,
    remove_role,
)
from protocol.services.views import DEADLINE_STATES

__all__ = [
    "DEADLINE_STATES",
    "DOCUMENT_TYPES",
    "EVENT_TYPES",
    "INVITATION_PATH",
    "MATRIX",
    "NOTICE_HANDLERS",
    "SYSTEM",
    "Actor",
    "ApproverTooNew",
    "ChainReport",
    "Checkpoint",
    "CheckpointFormatError",
    "ConfigError",
    "DeadlineOutcome",
    "DefinitionError",
    "EvidenceSchema",
    "ExportReport",
    "FieldSpec",
    "Forbidden",
    "Handler",
    "IllegalTransition",
    "InvalidEvidence",
    "IssuedInvitation",
    "IssuedSession",
    "IssuedToken",
    "NotAllowed",
    "NotFound",
    "OpenSession",
    "Principal",
    "ProtocolDefinition",
    "ProtocolError",
    "ProtocolSettings",
    "RelayResult",
    "Role",
    "SessionKind",
    "StaleVersion",
    "StateConflict",
    "StepBlocked",
    "StepDefinition",
    "StoredEvent",
    "Template",
    "Text",
    "accept_invitation",
    "accept_my_invitation",
    "account_for_missed_deadline",
    "append_to_timeline",
    "approval_queue",
    "approve",
    "assign_owner",
    "authenticate_password",
    "authenticate_token",
    "calculate_due",
    "check_definition_file",
    "check_session",
    "claim_scheduler_lease",
    "close_incident",
    "complete_step",
    "complete_step_as_system",
    "compliance_figures",
    "create_checkpoint",
    "create_organisation",
    "create_token",
    "create_user",
    "describe_definition",
    "describe_invitation",
    "describe_principal",
    "end_session",
    "ensure_default_organisation",
    "export_incident",
    "get_algorithm",
    "get_definition",
    "get_document",
    "get_incident",
    "get_oversight_incident",
    "get_oversight_timeline",
    "get_principal",
    "get_timeline",
    "get_tree_head",
    "grant_role",
    "handle_event",
    "handlers_for",
    "installation_public_key",
    "invite_user",
    "lars_is_valid",
    "legal_calendars",
    "list_algorithms",
    "list_approvals",
    "list_deadline_accounts",
    "list_definitions",
    "list_documents",
    "list_incidents",
    "list_investigators",
    "list_notices",
    "list_organisation_users",
    "list_organisations",
    "list_oversight_incidents",
    "list_oversight_notices",
    "list_staff",
    "list_tokens",
    "list_tree_heads",
    "list_user_audit",
    "list_users",
    "log_public_key",
    "make_process_private",
    "messages",
    "my_invitations",
    "open_session",
    "organisation_id_for",
    "overdue_deadlines",
    "prove_consistency",
    "prove_inclusion",
    "pseudonym",
    "register_algorithm",
    "register_definition",
    "register_handler",
    "reject_approval",
    "relay_once",
    "release_scheduler_lease",
    "remove_role",
    "reopen_incident",
    "report_incident",
    "revoke_role",
    "revoke_token",
    "sanction_counts",
    "scheduler_lease_holder",
    "sequence_all",
    "sequence_events",
    "session_principal",
    "set_password",
    "set_user_active",
    "sign_log",
    "start_step",
    "start_step_as_system",
    "sweep_deadlines",
    "sync_builtin_definitions",
    "templates_of",
    "upload_document",
    "verify_against_checkpoint",
    "verify_all",
    "verify_export",
    "verify_incident",
    "verify_log",
    "waive_step",
]
