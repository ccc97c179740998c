"""An incident's timeline: its events in order, in plain words, with their hashes and the chain's verification."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, render_template, request, url_for

from protocol.services import ProtocolDefinition, get_incident, get_timeline, verify_incident
from web.context import herstel, principal
from web.pages.common import day, definition, lang, may, uow, user_name
from web.pages.letters_text import CHANNELS, LETTER_KINDS_TEXT
from web.pages.text import DECISION_OUTCOMES, _, choice, humanise, label

blp = Blueprint("timeline_page", __name__)
PER_PAGE = 50
HASH_SHOWN = 12


def _step_title(protocol: ProtocolDefinition, key: Any) -> str:
    return protocol.step(key).title_for(lang()) if key in protocol.steps else str(key or "")


def _rule_title(protocol: ProtocolDefinition, key: Any) -> str:
    rule = protocol.deadline_rule(str(key))
    return rule.title_for(lang()) if rule else str(key or "")


def _evidence(protocol: ProtocolDefinition, step: Any, evidence: dict[str, Any]) -> str:
    """The short facts of a step's evidence (texts are on the chain only as digests, so they are left out)."""
    if step not in protocol.steps:
        return ""
    spec = protocol.step(step)
    labels = {f.name: f.label_for(lang()) for f in (*spec.start_evidence.fields, *spec.evidence.fields)}
    types = {f.name: f.type for f in (*spec.start_evidence.fields, *spec.evidence.fields)}
    parts = []
    for name, value in evidence.items():
        kind = types.get(name)
        if kind == "enum":
            parts.append(f"{labels[name]}: {choice(value)}")
        elif kind == "boolean":
            answer = _("Yes") if value else _("No")  # outside the f-string, where the extractor sees it
            parts.append(f"{labels[name]}: {answer}")
        elif kind == "integer":
            parts.append(f"{labels[name]}: {value}")
        elif kind == "user":
            parts.append(f"{labels[name]}: {user_name(value)}")
        elif kind == "list" and isinstance(value, list):
            parts.append(f"{labels[name]}: {len(value)}")
    return "; ".join(parts)


def summary(event: dict[str, Any], protocol: ProtocolDefinition) -> str:
    """What an event says, in a line (the full payload is on the page too)."""
    payload, kind = event["payload"], event["type"]
    step = _step_title(protocol, payload.get("step")) if payload.get("step") else ""
    if kind == "IncidentReported":
        grounds = ", ".join(choice(g) for g in payload.get("protected_grounds", []))
        return _(
            "%(reference)s; signal from: %(source)s; grounds: %(grounds)s",
            reference=payload.get("reference", ""),
            source=choice(payload.get("source", "")),
            grounds=grounds or "—",
        )
    if kind == "StepCompleted":
        facts = _evidence(protocol, payload.get("step"), payload.get("evidence") or {})
        return f"{step}. {facts}" if facts else step
    if kind == "StepStarted":
        facts = _evidence(protocol, payload.get("step"), payload.get("evidence") or {})
        auto = _("automatically") if payload.get("automatic") else ""
        return "; ".join(p for p in (step, auto, facts) if p)
    if kind in (
        "DeadlineSet",
        "DeadlineMet",
        "DeadlineMissed",
        "DeadlineApproaching",
        "DeadlineEscalated",
        "DeadlineWithdrawn",
        "DeadlineMissAccounted",
    ):
        title = _rule_title(protocol, payload.get("rule"))
        if kind == "DeadlineSet":
            return _(
                "%(title)s; last day %(day)s; %(basis)s",
                title=title,
                day=day(payload.get("last_day")),
                basis=payload.get("legal_basis", ""),
            )
        if kind == "DeadlineMet":
            return f"{title}; " + (_("on time") if payload.get("on_time") else _("late"))
        return title
    if kind == "InvestigatorAssigned":
        return _("%(name)s, for %(step)s", name=user_name(payload.get("user_id")), step=step)
    if kind in ("OwnerAssigned", "CitizenResponseAssigned"):
        return str(user_name(payload.get("user_id")))
    if kind == "CitizenObjectionDecided" or (kind == "CitizenResponseAnswered" and payload.get("outcome")):
        return str(DECISION_OUTCOMES.get(str(payload.get("outcome")), ""))
    if kind == "LetterQueued":
        return f"{label(LETTER_KINDS_TEXT, str(payload.get('kind')))}; {label(CHANNELS, str(payload.get('channel')))}"
    if kind == "AlgorithmSuspended":
        return _("scope: %(scope)s", scope=choice(payload.get("scope") or "")) if payload.get("scope") else ""
    if kind == "ApprovalRejected" and payload.get("withdrawn"):
        return _("%(step)s; withdrawn by the one who asked", step=step)
    if kind == "PersonIdentityOpened":
        return _("person %(id)s", id=payload.get("person_id", ""))
    if kind == "DocumentAdded":
        return _("%(type)s, %(size)s bytes", type=payload.get("content_type", ""), size=payload.get("size", ""))
    if step:
        return step
    scalars = [
        f"{humanise(k)}: {v}"
        for k, v in payload.items()
        if isinstance(v, (str, int, float, bool)) and not str(v).startswith("sha256:")
    ]
    return "; ".join(scalars[:4])


@blp.get("/incidents/<uuid:incident_id>/timeline")
def show(incident_id: uuid.UUID) -> str:
    raw = request.args.get("after_seq", "0")
    after_seq = int(raw) if raw.isdigit() and len(raw) < 12 else 0
    incident = get_incident(uow=uow(), principal=principal(), incident_id=incident_id)
    protocol = definition(incident["protocol"]["key"], incident["protocol"]["version"])
    timeline = get_timeline(
        uow=uow(), principal=principal(), incident_id=incident_id, after_seq=after_seq, limit=PER_PAGE
    )
    events = [
        {
            **event,
            "summary": summary(event, protocol),
            "short_hash": event["hash"][:HASH_SHOWN],
            "payload_json": json.dumps(event["payload"], indent=2, ensure_ascii=False, sort_keys=True),
        }
        for event in timeline["events"]
    ]
    report = None
    if may("incident.verify", incident["organisation_id"]):
        report = verify_incident(
            uow=uow(),
            principal=principal(),
            incident_id=incident_id,
            trusted_public_key=herstel().checkpoint_public_key(),
        )
    return render_template(
        "timeline.html",
        incident=incident,
        events=events,
        total=timeline["total"],
        after_seq=after_seq,
        next_url=url_for("timeline_page.show", incident_id=incident_id, after_seq=timeline["next_after_seq"])
        if timeline["next_after_seq"]
        else None,
        previous_url=url_for("timeline_page.show", incident_id=incident_id, after_seq=max(0, after_seq - PER_PAGE))
        if after_seq > 0
        else None,
        report=report,
        page_url=url_for("timeline_page.show", incident_id=incident_id),
    )
