"""The incident aggregate: one suspected case of discrimination carried through the protocol.

Every public method is one action. It checks the incident's version (optimistic locking), checks
the protocol's rules, changes state, and records past-tense events in `self.events`; it sends
nothing. A refused action raises a precise `ProtocolError` and changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from protocol.calendar import Calendars, local_date
from protocol.deadlines import Deadline, DeadlineState
from protocol.definition import DeadlineRule, EventMatch, ProtocolDefinition, StepDefinition
from protocol.errors import (
    IllegalTransition,
    InvalidEvidence,
    NotAllowed,
    NotFound,
    ProtocolError,
    StaleVersion,
    StateConflict,
    StepBlocked,
)
from protocol.events import DomainEvent
from protocol.evidence import EvidenceSchema, FieldSpec, format_instant, parse_instant, text_problem
from protocol.identity import SYSTEM, Actor, Role
from protocol.messages import (
    APPROVAL_DECIDED,
    APPROVAL_UNKNOWN,
    CLOSE_APPROVAL_PENDING,
    CLOSE_STEPS_OPEN,
    EVIDENCE_FUTURE,
    EVIDENCE_INVALID,
    FOUR_EYES,
    FOUR_EYES_ROLE,
    IN_THE_FUTURE,
    INCIDENT_CLOSED,
    JUSTIFICATION_INVALID,
    JUSTIFICATION_MISSING,
    JUSTIFICATION_TOO_LONG,
    NO_TIME_ZONE,
    NOT_A_CHOICE,
    NOTE_INVALID,
    OWNER_UNCHANGED,
    REOPEN_COORDINATOR,
    REOPEN_NOT_CLOSED,
    REOPEN_NOT_ENDED,
    REPORT_INVALID,
    REQUIRED,
    STALE_VERSION,
    STEP_APPLIES_UNKNOWN,
    STEP_DOES_NOT_APPLY,
    STEP_REQUIRES,
    STEP_SYSTEM_COMPLETION,
    STEP_UNKNOWN,
    TOO_LONG,
    TOO_SHORT,
    UNKNOWN_CHOICES,
    WAIVER_FORBIDDEN,
    WAIVER_NOT_ALLOWED,
    WAIVER_PENDING,
    joined,
)
from protocol.steps import Step, StepAction, StepState, next_state

JUSTIFICATION_LIMIT = 20_000


class IncidentState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ApprovalState(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass
class Approval:
    """A four-eyes decision waiting for a second, different coordinator."""

    id: UUID
    step: str
    action: str
    justification: str
    requested_by: str
    requested_at: datetime
    state: ApprovalState = ApprovalState.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None


def text_digest(text: str) -> str:
    """How free text enters the timeline: by its SHA-256, never verbatim (it may hold personal data)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def evidence_for_event(schema: EvidenceSchema, clean: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence as the timeline records it: structured values verbatim, free text as a digest."""
    return _event_form(schema.fields, clean)


def _event_form(specs: tuple[FieldSpec, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    by_name = {s.name: s for s in specs}
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = by_name[name]
        if spec.type == "text":
            out[name] = text_digest(value)
        elif spec.type == "list":
            out[name] = [_event_form(spec.fields, item) for item in value]
        else:
            out[name] = value
    return out


@dataclass
class Incident:
    """One incident, its steps, approvals and deadlines."""

    id: UUID
    organisation_id: UUID
    algorithm_id: UUID
    reference: str
    title: str
    description: str
    source: str
    detected_at: datetime
    reported_at: datetime
    protected_grounds: tuple[str, ...]
    definition: ProtocolDefinition
    calendar: Calendars
    state: IncidentState = IncidentState.OPEN
    version: int = 1
    steps: dict[str, Step] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    approvals: dict[UUID, Approval] = field(default_factory=dict)
    deadlines: dict[UUID, Deadline] = field(default_factory=dict)
    assignments: set[UUID] = field(default_factory=set)
    owner_id: UUID | None = None  # the staff user who carries the incident (ownership: issue 10 item 9)
    closed_at: datetime | None = None
    events: list[DomainEvent] = field(default_factory=list)
    dirty: set[tuple[str, Any]] = field(default_factory=set)
    new_id: Callable[[], UUID] = uuid.uuid4

    # ------------------------------------------------------------------ reporting

    @classmethod
    def report(
        cls,
        *,
        id: UUID,
        organisation_id: UUID,
        algorithm_id: UUID,
        reference: str,
        definition: ProtocolDefinition,
        calendar: Calendars,
        title: str,
        description: str,
        source: str,
        detected_at: datetime,
        protected_grounds: list[str] | tuple[str, ...],
        actor: Actor,
        now: datetime,
        new_id: Callable[[], UUID] = uuid.uuid4,
        owner_id: UUID | None = None,
    ) -> Incident:
        """Open a new incident for a signal; the steps that start at once become active.

        `owner_id` is who carries it (the service chooses: the reporter unless another is named)."""
        errors: dict[str, list[str]] = {}
        if not title.strip():
            errors["title"] = [REQUIRED()]
        elif len(title) > 300:
            errors["title"] = [TOO_LONG(limit=300)]
        if len(description) > 20_000:
            errors["description"] = [TOO_LONG(limit=20_000)]
        for name, text in (("title", title), ("description", description)):
            problem = text_problem(text)
            if problem:
                errors.setdefault(name, []).append(problem)
        if definition.incident_sources and source not in definition.incident_sources:
            errors["source"] = [NOT_A_CHOICE(choices=joined(definition.incident_sources))]
        unknown = sorted(set(protected_grounds) - set(definition.protected_grounds))
        if definition.protected_grounds and unknown:
            errors["protected_grounds"] = [
                UNKNOWN_CHOICES(unknown=joined(unknown), known=joined(definition.protected_grounds))
            ]
        if detected_at.tzinfo is None:
            errors["detected_at"] = [NO_TIME_ZONE()]
        elif detected_at > now:
            errors["detected_at"] = [IN_THE_FUTURE()]
        if errors:
            raise InvalidEvidence(REPORT_INVALID(), errors=errors)
        incident = cls(
            id=id,
            organisation_id=organisation_id,
            algorithm_id=algorithm_id,
            reference=reference,
            title=title.strip(),
            description=description.strip(),
            source=source,
            detected_at=detected_at,
            reported_at=now,
            protected_grounds=tuple(dict.fromkeys(protected_grounds)),
            definition=definition,
            calendar=calendar,
            steps={key: Step(key) for key in definition.steps},
            facts={"source": source},
            new_id=new_id,
            owner_id=owner_id,
        )
        incident.dirty.add(("incident", id))
        incident.dirty.update(("step", key) for key in definition.steps)
        mark = len(incident.events)
        incident._record(
            "IncidentReported",
            {
                "reference": reference,
                "organisation_id": str(organisation_id),
                "algorithm_id": str(algorithm_id),
                "source": source,
                "detected_at": format_instant(detected_at),
                "protected_grounds": list(incident.protected_grounds),
                "protocol": {
                    "key": definition.key,
                    "version": definition.version,
                    "digest": definition.digest,
                },
                "content_digest": text_digest(incident.title + "\n" + incident.description),
                "owner_id": str(incident.owner_id) if incident.owner_id else None,
            },
            actor,
            now,
        )
        incident._settle(actor, now, mark, bump=False)  # a new incident starts at version 1
        return incident

    # ------------------------------------------------------------------ step actions

    def start_step(
        self,
        key: str,
        *,
        version: int,
        actor: Actor,
        now: datetime,
        evidence: Mapping[str, Any] | None = None,
    ) -> None:
        """Begin work on a step whose requirements are met and which applies."""
        step, spec = self._prepare(key, StepAction.START, version, actor)
        clean = self._validated(spec.start_evidence, evidence)
        mark = len(self.events)
        self._start(step, spec, actor, now, clean, automatic=False)
        self._settle(actor, now, mark)

    def complete_step(
        self,
        key: str,
        *,
        version: int,
        actor: Actor,
        now: datetime,
        evidence: Mapping[str, Any] | None = None,
    ) -> None:
        """Finish an active step with the evidence its definition asks for."""
        step, spec = self._prepare(key, StepAction.COMPLETE, version, actor)
        clean = self._validated(spec.evidence, evidence)
        self._refuse_future_start(clean, now)
        self._check_guards(spec, clean)
        mark = len(self.events)
        step.move(StepAction.COMPLETE)
        step.evidence, step.ended_at, step.ended_by = clean, now, actor.ref()
        self._touch_step(key)
        self._record("StepCompleted", {"step": key, "evidence": evidence_for_event(spec.evidence, clean)}, actor, now)
        if "suspend_algorithm" in spec.effects:
            self._record(
                "AlgorithmSuspended",
                {
                    "algorithm_id": str(self.algorithm_id),
                    "scope": clean.get("scope"),
                    "since": clean.get("not_working_since"),
                },
                actor,
                now,
            )
        new_facts = {name: clean[name] for name in spec.evidence.facts() if name in clean}
        if new_facts:
            self.facts.update(new_facts)
            self.dirty.add(("incident", self.id))
        self._settle(actor, now, mark)

    def waive_step(self, key: str, *, version: int, actor: Actor, now: datetime, justification: str) -> Approval | None:
        """Skip a step with a written justification; returns a pending approval when four eyes are needed."""
        step, spec = self._prepare(key, StepAction.WAIVE, version, actor)
        justification = self._justification(justification)
        mark = len(self.events)
        two_person = spec.waiver.two_person_when
        if two_person is not None and two_person.evaluate(self.facts) is not False:
            approval = Approval(self.new_id(), key, "waive", justification, actor.ref(), now)
            self.approvals[approval.id] = approval
            self.dirty.add(("approval", approval.id))
            self._record(
                "ApprovalRequested",
                {
                    "approval_id": str(approval.id),
                    "step": key,
                    "action": "waive",
                    "justification": text_digest(justification),
                },
                actor,
                now,
            )
            self._settle(actor, now, mark)
            return approval
        self._waive(step, actor, now, justification, approval=None)
        self._settle(actor, now, mark)
        return None

    def approve(self, approval_id: UUID, *, version: int, actor: Actor, now: datetime) -> None:
        """The second signature: a different coordinator grants a pending four-eyes request."""
        approval = self._pending_approval(approval_id, version, actor)
        if approval.requested_by == actor.ref():
            raise NotAllowed(
                FOUR_EYES(),
                rule="four-eyes",
                approval_id=str(approval_id),
            )
        step, _ = self._guard(StepAction.WAIVE, approval.step, actor, deciding=approval)
        mark = len(self.events)
        approval.state, approval.decided_by, approval.decided_at = ApprovalState.GRANTED, actor.ref(), now
        self.dirty.add(("approval", approval.id))
        self._record("ApprovalGranted", {"approval_id": str(approval.id), "step": approval.step}, actor, now)
        self._waive(step, actor, now, approval.justification, approval=approval)
        self._settle(actor, now, mark)

    def reject(self, approval_id: UUID, *, version: int, actor: Actor, now: datetime, note: str = "") -> None:
        """Refuse a pending four-eyes request (or withdraw one's own)."""
        approval = self._pending_approval(approval_id, version, actor, own_allowed=True)
        problem = text_problem(note)
        if problem:
            raise InvalidEvidence(NOTE_INVALID(), errors={"note": [problem]})
        mark = len(self.events)
        own = approval.requested_by == actor.ref()
        approval.state = ApprovalState.WITHDRAWN if own else ApprovalState.REJECTED
        approval.decided_by, approval.decided_at, approval.note = actor.ref(), now, note.strip() or None
        self.dirty.add(("approval", approval.id))
        self._record(
            "ApprovalRejected",
            {
                "approval_id": str(approval.id),
                "step": approval.step,
                "withdrawn": own,
                "note": text_digest(note) if note.strip() else None,
            },
            actor,
            now,
        )
        self._settle(actor, now, mark)

    # ------------------------------------------------------------------ incident actions

    def assign_owner(self, user_id: UUID, *, version: int, actor: Actor, now: datetime) -> None:
        """Make `user_id` the incident's owner (the service checks they are staff of its organisation).

        `OwnerAssigned` names the user by id, as every event names its principals; the same owner
        again is refused, so the timeline holds only real changes."""
        self._check_version(version)
        self._require_open()
        if user_id == self.owner_id:
            raise StateConflict(OWNER_UNCHANGED(), rule="owner-unchanged")
        mark = len(self.events)
        previous = self.owner_id
        self.owner_id = user_id
        self.dirty.add(("incident", self.id))
        self._record(
            "OwnerAssigned",
            {"user_id": str(user_id), "previous": str(previous) if previous else None},
            actor,
            now,
        )
        self._settle(actor, now, mark)

    def close(self, *, version: int, actor: Actor, now: datetime) -> None:
        """Close the incident; allowed only when every applicable step is completed or waived."""
        self._check_version(version)
        self._require_open()
        unsettled = [k for k, s in self.steps.items() if not s.settled]
        if unsettled:
            raise StepBlocked(
                CLOSE_STEPS_OPEN(steps=joined(unsettled)),
                rule="close-requires-steps",
                steps=unsettled,
            )
        if any(a.state is ApprovalState.PENDING for a in self.approvals.values()):
            raise StepBlocked(CLOSE_APPROVAL_PENDING(), rule="close-requires-decisions")
        mark = len(self.events)
        self.state, self.closed_at = IncidentState.CLOSED, now
        self.dirty.add(("incident", self.id))
        self._record("IncidentClosed", {}, actor, now)
        self._settle(actor, now, mark)

    def reopen(
        self, *, version: int, actor: Actor, now: datetime, justification: str, steps: tuple[str, ...] = ()
    ) -> None:
        """Open a closed incident again (coordinator only), optionally putting ended steps back to active."""
        self._check_version(version)
        if self.state is not IncidentState.CLOSED:
            raise IllegalTransition(REOPEN_NOT_CLOSED(), rule="reopen-closed")
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed(REOPEN_COORDINATOR(), rule="reopen-coordinator")
        justification = self._justification(justification)
        steps = tuple(dict.fromkeys(steps))  # a step named twice is reopened once, not refused half-way
        for key in steps:
            if key not in self.steps:
                raise NotFound(STEP_UNKNOWN(step=key, definition=self.definition.ref), rule="unknown-step", step=key)
            if not self.steps[key].ended:
                raise IllegalTransition(REOPEN_NOT_ENDED(step=key, state=self.steps[key].state.value))
        mark = len(self.events)
        self.state, self.closed_at = IncidentState.OPEN, None
        self.dirty.add(("incident", self.id))
        self._record(
            "IncidentReopened",
            {"justification": text_digest(justification), "steps": list(steps)},
            actor,
            now,
        )
        for key in steps:
            step = self.steps[key]
            step.move(StepAction.REOPEN)
            step.ended_at = step.ended_by = step.justification = step.approved_by = None
            self._touch_step(key)
            self._record("StepReopened", {"step": key}, actor, now)
        self._settle(actor, now, mark)

    # ------------------------------------------------------------------ system actions

    def note(self, event_type: str, payload: Mapping[str, Any], *, actor: Actor, now: datetime) -> None:
        """Record a fact from outside the protocol engine (letters, citizens) without changing the version."""
        mark = len(self.events)
        self._record(event_type, dict(payload), actor, now)
        self._apply_deadline_rules(mark, actor, now)

    def check_deadlines(self, *, now: datetime, actor: Actor) -> None:
        """Record reminders that fell due and deadlines that passed; the scheduler calls this."""
        for deadline in self.deadlines.values():
            if deadline.state is not DeadlineState.OPEN:
                continue
            rule = self._rule(deadline.rule)
            reminders = deadline.reminder_times(rule.reminders) if rule else []
            while deadline.reminders_sent < len(reminders) and reminders[deadline.reminders_sent] <= now:
                deadline.reminders_sent += 1
                self._record(
                    "DeadlineApproaching",
                    {
                        "deadline_id": str(deadline.id),
                        "rule": deadline.rule,
                        "due_at": format_instant(deadline.due_at),
                        "reminder": deadline.reminders_sent,
                    },
                    actor,
                    now,
                )
                self.dirty.add(("deadline", deadline.id))
            if deadline.due_at < now:  # due_at itself is still in time, as when the step ends then
                self._miss(deadline, actor, now, rule)
            if rule:
                deadline.schedule(rule)
            self.dirty.add(("deadline", deadline.id))

    def escalate(self, deadline_id: UUID, *, to: list[str], roles: list[str], actor: Actor, now: datetime) -> bool:
        """Record that a missed deadline was brought to the people who must act (`to`: user ids), once.

        False when the deadline is unknown or already escalated: a handler that runs again records nothing."""
        deadline = self.deadlines.get(deadline_id)
        if deadline is None or deadline.escalations:
            return False
        deadline.escalations += 1
        self.dirty.add(("deadline", deadline.id))
        self._record(
            "DeadlineEscalated",
            {"deadline_id": str(deadline.id), "rule": deadline.rule, "roles": list(roles), "to": list(to)},
            actor,
            now,
        )
        return True

    # ------------------------------------------------------------------ queries

    def applies(self, key: str) -> bool | None:
        """Whether a step applies to this incident: True, False, or None while its facts are unknown."""
        condition = self.definition.step(key).applies_when
        return True if condition is None else condition.evaluate(self.facts)

    def blockers(self, key: str) -> list[str]:
        """The required steps that are not yet completed or waived."""
        return [r for r in self.definition.step(key).requires if not self.steps[r].ended]

    # ------------------------------------------------------------------ guards

    def refusal(self, action: StepAction, key: str, *, actor: Actor) -> ProtocolError | None:
        """Whether `actor` may take `action` on step `key` now; if not, the refusal naming its rule.

        These are the very guards the action methods run first (all but the version and the
        evidence, which arrive with a request), so what a view offers and what an action accepts
        cannot disagree. Who may act at all is the permission matrix's question, not this one.
        """
        try:
            self._guard(action, key, actor)
        except ProtocolError as refused:
            return refused
        return None

    def work_refusal(self, key: str) -> ProtocolError | None:
        """Whether work belonging to step `key` may go on now (letters for `inform`), whatever its state.

        The part of the step guards that holds beyond its own transitions: the incident is open,
        the step exists, and the steps it requires have ended.
        """
        try:
            self._require_open()
            self._require_requirements(self._known(key)[1])
        except ProtocolError as refused:
            return refused
        return None

    def _guard(
        self, action: StepAction, key: str, actor: Actor, *, deciding: Approval | None = None
    ) -> tuple[Step, StepDefinition]:
        """Raise the refusal of `action` on step `key`, in the order the protocol reports them.

        `deciding` is the four-eyes request being granted: it does not count as a waiver that
        already waits for approval.
        """
        self._require_open()
        step, spec = self._known(key)
        next_state(step.state, action, step=key)  # raises IllegalTransition naming the move
        if action is StepAction.START:
            self._require_ready(spec)
        elif action is StepAction.COMPLETE:
            if spec.completion == "system" and not actor.is_system:
                raise NotAllowed(
                    STEP_SYSTEM_COMPLETION(step=key),
                    rule="system-completion",
                    step=key,
                )
            self._require_requirements(spec)  # a requirement may be active again after a reopen
        elif action is StepAction.WAIVE:
            if step.state is StepState.PENDING:
                self._require_ready(spec)
            self._check_waiver(spec)
            if any(
                a.step == key and a.state is ApprovalState.PENDING and a is not deciding
                for a in self.approvals.values()
            ):
                raise StateConflict(WAIVER_PENDING(step=key), rule="approval-pending", step=key)
        return step, spec

    # ------------------------------------------------------------------ internals

    def _check_version(self, version: int) -> None:
        if version != self.version:
            raise StaleVersion(
                STALE_VERSION(expected=version, actual=self.version),
                expected=version,
                actual=self.version,
            )

    def _require_open(self) -> None:
        if self.state is not IncidentState.OPEN:
            raise IllegalTransition(INCIDENT_CLOSED(reference=self.reference), rule="incident-closed")

    def _prepare(self, key: str, action: StepAction, version: int, actor: Actor) -> tuple[Step, StepDefinition]:
        self._check_version(version)
        return self._guard(action, key, actor)

    def _known(self, key: str) -> tuple[Step, StepDefinition]:
        if key not in self.steps:
            raise NotFound(STEP_UNKNOWN(step=key, definition=self.definition.ref), rule="unknown-step", step=key)
        return self.steps[key], self.definition.step(key)

    def _require_requirements(self, spec: StepDefinition) -> None:
        blockers = self.blockers(spec.key)
        if blockers:
            raise StepBlocked(
                STEP_REQUIRES(step=spec.key, blockers=joined(blockers)),
                rule="requires",
                step=spec.key,
                blockers=blockers,
            )

    def _require_ready(self, spec: StepDefinition) -> None:
        self._require_requirements(spec)
        applies = self.applies(spec.key)
        condition = spec.applies_when.describe() if spec.applies_when else ""
        if applies is None:
            raise StepBlocked(
                STEP_APPLIES_UNKNOWN(step=spec.key, condition=condition),
                rule="applies",
                step=spec.key,
            )
        if applies is False:
            raise StepBlocked(STEP_DOES_NOT_APPLY(step=spec.key), rule="applies", step=spec.key)

    def _check_waiver(self, spec: StepDefinition) -> None:
        waiver = spec.waiver
        if not waiver.allowed:
            raise NotAllowed(WAIVER_NOT_ALLOWED(step=spec.key), rule="waiver-not-allowed", step=spec.key)
        if waiver.forbidden_when is not None and waiver.forbidden_when.evaluate(self.facts):
            raise NotAllowed(
                waiver.forbidden_reason or WAIVER_FORBIDDEN(step=spec.key, condition=waiver.forbidden_when.describe()),
                rule="waiver-forbidden",
                step=spec.key,
            )

    def _pending_approval(self, approval_id: UUID, version: int, actor: Actor, own_allowed: bool = False) -> Approval:
        self._check_version(version)
        self._require_open()
        approval = self.approvals.get(approval_id)
        if approval is None:
            raise NotFound(APPROVAL_UNKNOWN(approval_id=approval_id, reference=self.reference), rule="unknown-approval")
        if approval.state is not ApprovalState.PENDING:
            raise IllegalTransition(
                APPROVAL_DECIDED(approval_id=approval_id, state=approval.state.value), rule="approval-decided"
            )
        if not actor.has(Role.COORDINATOR) and not (own_allowed and approval.requested_by == actor.ref()):
            raise NotAllowed(FOUR_EYES_ROLE(), rule="four-eyes-role")
        return approval

    @staticmethod
    def _validated(schema: EvidenceSchema, evidence: Mapping[str, Any] | None) -> dict[str, Any]:
        clean, errors = schema.validate(evidence)
        if errors:
            raise InvalidEvidence(EVIDENCE_INVALID(), errors=errors)
        return clean

    def _refuse_future_start(self, clean: Mapping[str, Any], now: datetime) -> None:
        """A moment a deadline runs from cannot lie ahead: a later start would move the deadline."""
        starts = {r.runs_from_fact for r in self.definition.deadlines if r.runs_from_fact is not None}
        errors: dict[str, list[str]] = {
            name: [IN_THE_FUTURE()] for name in sorted(starts & set(clean)) if parse_instant(clean[name]) > now
        }
        if errors:
            raise InvalidEvidence(EVIDENCE_FUTURE(), errors=errors)

    @staticmethod
    def _justification(text: str) -> str:
        problem = text_problem(text or "")
        if problem:
            raise InvalidEvidence(JUSTIFICATION_INVALID(), errors={"justification": [problem]})
        text = (text or "").strip()
        if len(text) < 10:
            raise InvalidEvidence(JUSTIFICATION_MISSING(), errors={"justification": [TOO_SHORT(limit=10)]})
        if len(text) > JUSTIFICATION_LIMIT:
            raise InvalidEvidence(
                JUSTIFICATION_TOO_LONG(),
                errors={"justification": [TOO_LONG(limit=JUSTIFICATION_LIMIT)]},
            )
        return text

    def _start(
        self,
        step: Step,
        spec: StepDefinition,
        actor: Actor,
        now: datetime,
        clean: dict[str, Any],
        *,
        automatic: bool,
    ) -> None:
        step.move(StepAction.START)
        step.started_at, step.started_by, step.start_evidence = now, actor.ref(), clean
        self._touch_step(step.key)
        self._record(
            "StepStarted",
            {
                "step": step.key,
                "automatic": automatic,
                "evidence": evidence_for_event(spec.start_evidence, clean),
            },
            actor,
            now,
        )
        if "assign_investigator" in spec.effects and clean.get("investigator"):
            user_id = UUID(clean["investigator"])
            if user_id not in self.assignments:
                self.assignments.add(user_id)
                self.dirty.add(("assignment", user_id))
                self._record("InvestigatorAssigned", {"user_id": str(user_id), "step": step.key}, actor, now)

    def _waive(self, step: Step, actor: Actor, now: datetime, justification: str, *, approval: Approval | None) -> None:
        step.move(StepAction.WAIVE)
        step.ended_at, step.ended_by, step.justification = now, actor.ref(), justification
        step.approved_by = actor.ref() if approval else None
        self._touch_step(step.key)
        self._record(
            "StepWaived",
            {
                "step": step.key,
                "justification": text_digest(justification),
                "approval_id": str(approval.id) if approval else None,
                "requested_by": approval.requested_by if approval else actor.ref(),
            },
            actor,
            now,
        )

    def _touch_step(self, key: str) -> None:
        self.dirty.add(("step", key))

    def _check_guards(self, spec: StepDefinition, evidence: Mapping[str, Any]) -> None:
        """The definition's guards on this step: evidence the facts call for, refused with the rule named.

        A fact not known yet leaves a guard's `when` undetermined, and the guard then holds back
        nothing; its `require` must be plainly true (an absent field does not satisfy it)."""
        for guard in spec.guards:
            if guard.when.evaluate(self.facts) is not True:
                continue
            if guard.require.evaluate({**self.facts, **evidence}) is not True:
                fields = sorted(guard.require.facts_used() & set(spec.evidence.names)) or ["evidence"]
                raise InvalidEvidence(guard.reason, errors={name: [guard.reason] for name in fields}, rule=guard.rule)

    def _record(self, event_type: str, payload: dict[str, Any], actor: Actor, now: datetime) -> None:
        self.events.append(DomainEvent(event_type, payload, actor.ref(), now))

    def _settle(self, actor: Actor, now: datetime, mark: int, *, bump: bool = True) -> None:
        """What follows every accepted action: applicability, automatic starts, deadlines, the version."""
        self._reevaluate_applicability(now)
        self._auto_start(now)
        self._apply_deadline_rules(mark, actor, now)
        if bump:
            self.version += 1
            self.dirty.add(("incident", self.id))

    def _reevaluate_applicability(self, now: datetime) -> None:
        for key, step in self.steps.items():
            applies = self.applies(key)
            if applies is False and step.state is StepState.PENDING:
                step.move(StepAction.LAPSE)
                self._touch_step(key)
                condition = self.definition.step(key).applies_when
                self._record(
                    "StepNotApplicable",
                    {
                        "step": key,
                        "condition": condition.describe() if condition else "",
                    },
                    SYSTEM,
                    now,
                )
                for deadline in self.deadlines.values():
                    if deadline.state is DeadlineState.OPEN and deadline.step == key:
                        deadline.state = DeadlineState.NOT_APPLICABLE
                        deadline.next_check_at = None
                        self.dirty.add(("deadline", deadline.id))
                        self._record(
                            "DeadlineWithdrawn",
                            {
                                "deadline_id": str(deadline.id),
                                "rule": deadline.rule,
                                "reason": "step does not apply",
                            },
                            SYSTEM,
                            now,
                        )
            elif applies is True and step.state is StepState.NOT_APPLICABLE:
                step.move(StepAction.REVIVE)
                self._touch_step(key)
                self._record("StepApplicable", {"step": key}, SYSTEM, now)

    def _auto_start(self, now: datetime) -> None:
        for key, spec in self.definition.steps.items():
            step = self.steps[key]
            if spec.auto_start and step.state is StepState.PENDING and not self.blockers(key) and self.applies(key):
                self._start(step, spec, SYSTEM, now, {}, automatic=True)

    # ------------------------------------------------------------------ deadlines

    def _rule(self, key: str) -> DeadlineRule | None:
        return self.definition.deadline_rule(key)

    def _apply_deadline_rules(self, mark: int, actor: Actor, now: datetime) -> None:
        """Meet and set deadlines for the events recorded since `mark`, in order, with the facts as they now stand."""
        index = mark
        while index < len(self.events):
            event = self.events[index]
            index += 1
            if event.type.startswith("Deadline"):
                continue
            for deadline in list(self.deadlines.values()):
                rule = self._rule(deadline.rule)
                waiting = deadline.met_at is None and deadline.state in (DeadlineState.OPEN, DeadlineState.MISSED)
                if rule and waiting and self._meets(rule, deadline, event):
                    self._meet(deadline, rule, SYSTEM, event.at, waived=event.type == "StepWaived")
            for rule in self.definition.deadlines:
                if rule.trigger.matches(event.type, event.payload):
                    self._set_deadline(rule, event, SYSTEM)

    @staticmethod
    def _meets(rule: DeadlineRule, deadline: Deadline, event: DomainEvent) -> bool:
        if not rule.met_by.matches(event.type, event.payload):
            return False
        return rule.subject is None or str(event.payload.get(rule.subject)) == deadline.subject

    def _set_deadline(self, rule: DeadlineRule, event: DomainEvent, actor: Actor) -> None:
        if rule.applies_when is not None and rule.applies_when.evaluate(self.facts) is not True:
            return
        if rule.effective_from is not None and local_date(event.at) < rule.effective_from:
            return
        step = _step_of(rule.met_by)
        if step in self.steps and self.steps[step].settled:
            return  # its step has ended already or does not apply: nothing can meet it, so nothing falls due
        subject = str(event.payload[rule.subject]) if rule.subject else None
        if any(
            d.rule == rule.key and d.subject == subject and d.state is DeadlineState.OPEN
            for d in self.deadlines.values()
        ):
            return
        agreed = self._agreed_date(rule, event)
        if agreed:
            due = self.calendar.due_on(agreed, rule.calendar)
        else:
            due = self.calendar.due(self._runs_from(rule, event), rule.period, rule.calendar)
        deadline = Deadline(
            id=self.new_id(),
            rule=rule.key,
            subject=subject,
            step=step,
            set_at=event.at,
            due_at=due.at,
            last_day=due.last_day,
            legal_basis=rule.legal_basis,
        )
        deadline.schedule(rule)
        self.deadlines[deadline.id] = deadline
        self.dirty.add(("deadline", deadline.id))
        self._record(
            "DeadlineSet",
            {
                "deadline_id": str(deadline.id),
                "rule": rule.key,
                "step": deadline.step,
                "subject": subject,
                "due_at": format_instant(due.at),
                "last_day": due.last_day.isoformat() if due.last_day else None,
                "legal_basis": rule.legal_basis,
                "agreed": agreed is not None,
            },
            actor,
            event.at,
        )

    def _runs_from(self, rule: DeadlineRule, event: DomainEvent) -> datetime:
        """The moment a period runs from: the rule's fact when known, else the trigger or the report.

        For AI Act art. 73 and GDPR art. 33 that is when the organisation became aware, so a slow
        assessment shows as a late report instead of moving the deadline.
        """
        if rule.runs_from_fact is not None and self.facts.get(rule.runs_from_fact):
            return parse_instant(self.facts[rule.runs_from_fact])
        return self.reported_at if rule.runs_from == "reported" else event.at

    def _agreed_date(self, rule: DeadlineRule, event: DomainEvent) -> date | None:
        if not rule.due_from_evidence:
            return None
        value = (event.payload.get("evidence") or {}).get(rule.due_from_evidence)
        if not value:
            return None
        return date.fromisoformat(value)

    def _meet(self, deadline: Deadline, rule: DeadlineRule, actor: Actor, at: datetime, *, waived: bool) -> None:
        """The deadline's step ended: met or met late when completed; waived when waived in time.

        Past the due moment the miss is recorded first (if the sweep has not already). A waiver
        does not meet a deadline: in time it is `waived`, too late it stays `missed`."""
        if deadline.state is DeadlineState.OPEN and deadline.due_at < at:
            self._miss(deadline, actor, at, rule)
        on_time = deadline.state is DeadlineState.OPEN
        payload = {"deadline_id": str(deadline.id), "rule": deadline.rule, "on_time": on_time}
        if waived:
            if on_time:
                deadline.state = DeadlineState.WAIVED
            deadline.schedule(rule)
            self.dirty.add(("deadline", deadline.id))
            self._record("DeadlineWaived", payload, actor, at)
            return
        deadline.state = DeadlineState.MET if on_time else DeadlineState.MET_LATE
        deadline.met_at = at
        deadline.schedule(rule)
        self.dirty.add(("deadline", deadline.id))
        self._record("DeadlineMet", payload, actor, at)

    def _miss(self, deadline: Deadline, actor: Actor, now: datetime, rule: DeadlineRule | None) -> None:
        deadline.state, deadline.missed_at = DeadlineState.MISSED, now
        deadline.next_check_at = None
        self.dirty.add(("deadline", deadline.id))
        self._record(
            "DeadlineMissed",
            {
                "deadline_id": str(deadline.id),
                "rule": deadline.rule,
                "due_at": format_instant(deadline.due_at),
                "escalate_to": list(rule.escalate_to) if rule else [],
            },
            actor,
            now,
        )


def _step_of(match: EventMatch) -> str | None:
    step = match.where.get("step")
    return str(step) if step is not None else None
