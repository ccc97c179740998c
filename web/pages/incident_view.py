"""The incident page's model: one card per step with its deadlines, who did what, and its action forms.

The forms come from the step definitions' evidence schemas (see `forms`), the offered actions from
the service's view of the incident (`actions` per step, already checked against the transition
table, the guards and the permission matrix). A form sent back with errors or a refusal is rebuilt
from its `FormState`, so the user's input is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for

from protocol.services import FieldSpec, ProtocolDefinition, ProtocolError, StaleVersion, list_documents, list_staff
from web.context import principal
from web.messages import Words, render
from web.pages.common import actor_name, day, lang, may, me, uow, user_name, when
from web.pages.forms import Field, build_fields, flat_errors
from web.pages.letters_text import LETTER_STATUSES
from web.pages.text import DEADLINE_STATES, STEP_ACTIONS, STEP_STATES, _, choice, label, period, rule_explanation


@dataclass
class Refusal:
    """Why the protocol refused an action: its rule, its words in the page's language, and the rule in plain words."""

    rule: str
    message: str
    explanation: str
    stale: bool = False
    source: str = ""  # the refusal as the engine gave it (code and parameters), to word it again

    @classmethod
    def of(cls, error: ProtocolError, definition: ProtocolDefinition | None = None) -> Refusal:
        message = render(error.message, words=page_words(definition))
        return cls(error.rule, message, rule_explanation(error.rule), isinstance(error, StaleVersion), error.message)

    def reword(self, definition: ProtocolDefinition) -> None:
        """Name the steps by their titles, once the page knows the incident's definition."""
        self.message = render(self.source, words=page_words(definition))


def page_words(definition: ProtocolDefinition | None) -> Words:
    """A refusal's parameters as a page shows them: step titles for step keys, states and actions in words."""
    page_lang = lang()

    def step(key: str) -> str:
        return definition.step(key).title_for(page_lang) if definition and key in definition.steps else key

    def words(name: str, value: Any) -> Any:
        if name in ("step", "steps", "blockers") and isinstance(value, str):
            return ", ".join(step(key) for key in value.split(", "))
        if name == "state" and isinstance(value, str):
            return label(STEP_STATES, value) if value in STEP_STATES else label(LETTER_STATUSES, value)
        if name == "action" and isinstance(value, str) and value in STEP_ACTIONS:
            return label(STEP_ACTIONS, value)
        return value

    return words


@dataclass
class FormState:
    """A form sent back to its author: what they gave, and what was wrong with it."""

    target: str  # "complete:report", "waive:suspend", "approve:<id>", "close", "upload:investigate", ...
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    extra_rows: dict[str, int] = field(default_factory=dict)
    refusal: Refusal | None = None

    def general_errors(self, known: set[str]) -> list[str]:
        """Errors that belong to no field on the form."""
        return [m for name, msgs in self.errors.items() if name.split("[")[0] not in known for m in msgs]


def step_cards(
    incident: dict[str, Any], definition: ProtocolDefinition, state: FormState | None
) -> list[dict[str, Any]]:
    """Everything the page shows per step, in the definition's order."""
    page_lang = lang()
    documents = _documents(incident)
    cards = []
    for key in definition.order():
        step, spec = incident["steps"][key], definition.step(key)
        forms = [_action_form(incident, key, action, definition, state, documents) for action in step["actions"]]
        # a refusal of an action this step no longer offers (or never did) is shown on the step itself
        orphan = (
            state.refusal
            if state is not None
            and state.target.endswith(f":{key}")
            and state.target.split(":")[0] not in step["actions"]
            and not state.target.startswith("upload:")
            else None
        )
        schemas = {"start": spec.start_evidence, "complete": spec.evidence}
        wants_document = any(f.type == "document" for s in schemas.values() for f in s.fields)
        # offer an upload where a form asks for a document: before that the file has nowhere to go
        needs_upload = any(
            f.type == "document" for action in step["actions"] if action in schemas for f in schemas[action].fields
        )
        upload = None
        if needs_upload and may("document.upload", incident["organisation_id"]):
            mine = state if state and state.target == f"upload:{key}" else None
            upload = {"id": f"upload-{key}", "state": mine, "errors": (mine.errors if mine else {})}
        cards.append(
            {
                "key": key,
                "letters": definition.citizen_step("letters") is spec,  # the step letters start and complete
                "title": spec.title_for(page_lang),
                "description": spec.description.get(page_lang) or spec.description.get("en", ""),
                "step": step,
                "blockers": [
                    definition.step(b).title_for(page_lang) for b in step["blockers"] if b in definition.steps
                ],
                "deadlines": [deadline_row(d) for d in incident["deadlines"] if d["step"] == key],
                "given": _given(spec.start_evidence.fields, step["start_evidence"], documents)
                + _given(spec.evidence.fields, step["evidence"], documents),
                "forms": forms,
                "refusal": orphan,
                "upload": upload,
                "documents": documents if wants_document else [],
                "approvals": [a for a in incident["approvals"] if a["step"] == key and a["state"] == "pending"],
            }
        )
    return cards


def _action_form(
    incident: dict[str, Any],
    key: str,
    action: str,
    definition: ProtocolDefinition,
    state: FormState | None,
    documents: list[dict[str, Any]],
) -> dict[str, Any]:
    spec = definition.step(key)
    target = f"{action}:{key}"
    mine = state if state is not None and state.target == target else None
    form_id = f"{action}-{key}"
    fields: list[Field] = []
    one_of: list[list[str]] = []
    if action in ("start", "complete"):
        schema = spec.start_evidence if action == "start" else spec.evidence
        fields = build_fields(
            schema,
            form_id=form_id,
            lang=lang(),
            values=mine.values if mine else None,
            errors=mine.errors if mine else None,
            options=lambda field_spec: _options(field_spec, documents),
            extra_rows=mine.extra_rows if mine else None,
        )
        labels = {f.name: f.label_for(lang()) for f in schema.fields}
        one_of = [[labels.get(n, n) for n in group] for group in schema.one_of]
    two_person = spec.waiver.two_person_when
    known = {f.name for f in fields} | {"justification", "version"}
    return {
        "id": form_id,
        "action": action,
        "url": url_for(f"incident_page.{action}_step", incident_id=incident["id"], step=key),
        "fields": fields,
        "invalid": flat_errors(fields),
        "general_errors": mine.general_errors(known) if mine else [],
        "justification": (mine.values.get("justification", "") if mine else ""),
        "justification_errors": (mine.errors.get("justification", []) if mine else []),
        "refusal": mine.refusal if mine else None,
        "open": mine is not None,
        "one_of": one_of,
        "four_eyes": action == "waive"
        and two_person is not None
        and two_person.evaluate(incident["facts"]) is not False,
    }


def _options(spec: FieldSpec, documents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    if spec.type == "document":
        return [(str(d["id"]), f"{d['filename']} ({when(d['uploaded_at'])})") for d in documents]
    users = list_staff(uow=uow(), principal=principal(), role=spec.role)
    return [(str(u["id"]), str(u["display_name"])) for u in users if u["active"]]


def _documents(incident: dict[str, Any]) -> list[dict[str, Any]]:
    if not may("document.read", incident["organisation_id"]):
        return []
    return list_documents(uow=uow(), principal=principal(), incident_id=incident["id"])


def _given(
    specs: tuple[FieldSpec, ...], values: dict[str, Any], documents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The evidence recorded on a step, labelled and readable."""
    shown = []
    for spec in specs:
        if spec.name not in (values or {}):
            continue
        value = values[spec.name]
        if spec.type == "list":
            rows = [_given(spec.fields, item, documents) for item in value]
            shown.append({"label": spec.label_for(lang()), "rows": rows})
        else:
            shown.append({"label": spec.label_for(lang()), **_display(spec, value, documents)})
    return shown


def _display(spec: FieldSpec, value: Any, documents: list[dict[str, Any]]) -> dict[str, Any]:
    if spec.type == "boolean":
        return {"text": _("Yes") if value else _("No")}
    if spec.type == "enum":
        return {"text": choice(value)}
    if spec.type == "datetime":
        return {"text": when(datetime.fromisoformat(str(value).replace("Z", "+00:00")))}
    if spec.type == "date":
        return {"text": day(str(value))}
    if spec.type == "user":
        return {"text": user_name(value)}
    if spec.type == "document":
        found = next((d for d in documents if str(d["id"]) == str(value)), None)
        if found is None:
            return {"text": _("a document")}
        return {"text": found["filename"], "document": found}
    return {"text": str(value), "long": spec.type == "text"}


def deadline_row(deadline: dict[str, Any]) -> dict[str, Any]:
    """A deadline as people read it: what, by when, on what basis, and how it stands."""
    hours = (deadline.get("period") or "").endswith("hours")
    state = deadline["state"]
    if state == "open" and deadline["overdue"]:
        state = "overdue"
    return {
        "title": deadline["title"].get(lang()) or deadline["title"].get("en") or deadline["rule"],
        "due": when(deadline["due_at"]) if hours else day(deadline["last_day"]),
        "due_is_moment": hours,
        "legal_basis": deadline["legal_basis"],
        "period": period(deadline.get("period")),
        "state": state,
        "state_label": label(DEADLINE_STATES, state),
        "settled_at": when(deadline["met_at"] or deadline["missed_at"]),
        "warn": state in ("overdue", "missed", "met_late"),
    }


def approval_rows(incident: dict[str, Any], state: FormState | None) -> list[dict[str, Any]]:
    """The incident's four-eyes requests, with what the signed-in user can do about each."""
    definition_titles = {k: v["title"].get(lang()) or v["title"].get("en") or k for k, v in incident["steps"].items()}
    rows = []
    may_decide = may("approval.decide", incident["organisation_id"])
    for approval in reversed(incident["approvals"]):
        pending = approval["state"] == "pending"
        own = approval["requested_by"] == me()
        mine = state if state is not None and state.target.endswith(f":{approval['id']}") else None
        rows.append(
            {
                **approval,
                "step_title": definition_titles.get(approval["step"], approval["step"]),
                "requested_by_name": actor_name(approval["requested_by"]),
                "decided_by_name": actor_name(approval["decided_by"]),
                "pending": pending,
                "own": own,
                "can_decide": pending and may_decide and not own,
                "can_withdraw": pending and own,
                "refusal": mine.refusal if mine else None,
                "note_input": mine.values.get("note", "") if mine else "",
            }
        )
    return rows
