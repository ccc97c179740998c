"""Compliance figures for an oversight body: per organisation and period, how the protocol was kept.

The protocol's part of issue 9, item 5 (the letters' part is `notifications.oversight.letter_timeliness`,
composed with this one by the entry points, because the protocol imports nothing of notifications):

- the time from report to suspension: over the incidents whose `suspend` step was completed, the
  median, the 90th percentile (nearest rank) and the worst, in seconds;
- the deadlines per rule with their outcomes (`protocol.oversight.deadline_outcome`), so "missed per
  rule" is read off as `missed + met_late`;
- citizens' responses decided in time: the deadlines that run per response (their rule has a
  `subject`, e.g. `objection-decision`), as decided in time, decided late, undecided past due, pending.

The period is the incidents' report moment (`reported_from` inclusive, `reported_before` exclusive):
a figure describes the cases reported in it, however long they then ran. Only counts, durations
and rule keys leave here: no reference, title, person or free text.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from protocol import messages
from protocol.errors import NotFound
from protocol.identity import Principal
from protocol.oversight import BROKEN, DeadlineOutcome, deadline_outcome
from protocol.services.oversight import oversight_organisations
from protocol.storage.uow import UnitOfWork

SUSPEND_STEP = "suspend"


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def duration_figures(seconds: Sequence[float]) -> dict[str, Any]:
    """Count, median, 90th percentile and worst of durations in seconds (None when there are none)."""
    return {
        "count": len(seconds),
        "median_seconds": float(statistics.median(seconds)) if seconds else None,
        "p90_seconds": nearest_rank(seconds, 0.9),
        "worst_seconds": max(seconds) if seconds else None,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compliance_figures(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID | None = None,
    reported_from: datetime | None = None,
    reported_before: datetime | None = None,
) -> dict[str, Any]:
    """The protocol's compliance figures per supervised organisation, for incidents reported in the period."""
    with uow.read_only():
        granted = oversight_organisations(principal)
        if organisation_id is not None:
            if organisation_id not in granted:
                raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
            granted = {organisation_id}
        now = uow.now()
        rows = uow.incidents.oversight_rows(
            organisation_ids=granted, reported_from=reported_from, reported_before=reported_before
        )
        names = {o.id: o.name for o in uow.accounts.organisations(granted)}
        incidents: Counter[uuid.UUID] = Counter()
        suspension: dict[uuid.UUID, list[float]] = defaultdict(list)
        suspension_states: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
        by_rule: dict[uuid.UUID, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        titles: dict[str, dict[str, str]] = {}
        response_rules: set[str] = set()
        for row, steps, deadlines in rows:
            org = row.organisation_id
            incidents[org] += 1
            protocol = uow.definitions(row.protocol_key, row.protocol_version)
            rules = {rule.key: rule for rule in protocol.deadlines}
            step_states = {s.key: s.state for s in steps}
            for step in steps:
                if step.key != SUSPEND_STEP:
                    continue
                suspension_states[org][step.state] += 1
                if step.state == "completed" and step.ended_at is not None:
                    suspension[org].append((step.ended_at - row.reported_at).total_seconds())
            for d in deadlines:
                outcome = deadline_outcome(
                    state=d.state, due_at=d.due_at, met_at=d.met_at, step_state=step_states.get(d.step or ""), now=now
                )
                by_rule[org][d.rule][outcome.value] += 1
                rule = rules.get(d.rule)
                if rule is not None:
                    titles.setdefault(d.rule, dict(rule.title))
                    if rule.subject is not None:
                        response_rules.add(d.rule)
    organisations = []
    for org in sorted(granted, key=lambda o: (names.get(o, ""), str(o))):
        rules_shown: list[dict[str, Any]] = []
        not_kept = 0
        for rule_key in sorted(by_rule[org]):
            counts = by_rule[org][rule_key]
            applicable = sum(counts.values()) - counts[DeadlineOutcome.NOT_APPLICABLE.value]
            broken = sum(counts[o.value] for o in BROKEN)
            not_kept += broken
            rules_shown.append(
                {
                    "rule": rule_key,
                    "title": titles.get(rule_key, {}),
                    "outcomes": {o.value: counts[o.value] for o in DeadlineOutcome},
                    "applicable": applicable,
                    "not_kept": broken,
                    "missed": counts[DeadlineOutcome.MISSED.value],
                    "met_late": counts[DeadlineOutcome.MET_LATE.value],
                }
            )
        responses: Counter[str] = Counter()
        for rule_key in response_rules:
            responses.update(by_rule[org].get(rule_key, Counter()))
        in_time = responses[DeadlineOutcome.MET_ON_TIME.value] + responses[DeadlineOutcome.WAIVED.value]
        late = responses[DeadlineOutcome.MET_LATE.value]
        undecided = responses[DeadlineOutcome.MISSED.value]
        organisations.append(
            {
                "organisation_id": org,
                "organisation": names.get(org, ""),
                "incidents": incidents[org],
                "report_to_suspension": {
                    **duration_figures(suspension[org]),
                    "waived": suspension_states[org]["waived"],
                    "not_suspended": incidents[org]
                    - suspension_states[org]["completed"]
                    - suspension_states[org]["waived"],
                },
                "deadlines": rules_shown,
                "deadlines_not_kept": not_kept,
                "responses": {
                    "rules": sorted(response_rules),
                    "decided_in_time": in_time,
                    "decided_late": late,
                    "undecided_past_due": undecided,
                    "pending": responses[DeadlineOutcome.OPEN.value],
                    "share_in_time": _share(in_time, in_time + late + undecided),
                },
            }
        )
    return {
        "reported_from": reported_from,
        "reported_before": reported_before,
        "computed_at": now,
        "organisations": organisations,
    }
