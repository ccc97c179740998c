"""The letters ledger on the timeline: batches of attempts vouched for by a digest, and `inform` completing itself.

Per-letter facts live in `letter_attempts`. Instead of three events per letter, the timeline gets
one `LettersBatchRecorded` per batch: counts and a SHA-256 over the ledger rows it covers. The
chain thereby vouches for every attempt (change a row and `verify_letters_ledger` names the batch)
without 300,000 appends serialised on one incident's chain. Each attempt's line ends with the
SHA-256 of the letter as rendered for it (`notifications.copies`), so the batch digest is a hash
over the per-letter digests too: a stored letter is shown only if it hashes to its line's digest,
and the line is vouched for by the chain.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from notifications.letters import citizen_definition
from notifications.model import FINAL, LetterChannel, LetterStatus
from notifications.storage import NotificationsUnitOfWork
from notifications.tables import LetterAttemptRow
from protocol.services import append_to_timeline, complete_step_as_system

RECORD_LIMIT = 20_000  # attempts per LettersBatchRecorded event


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="microseconds") if moment else ""


def ledger_line(row: LetterAttemptRow) -> str:
    """The canonical text of one attempt row as the digest covers it (ids, outcomes, times; no personal data)."""
    return "|".join(
        [
            str(row.id),
            str(row.letter_id),
            str(row.number),
            row.channel,
            row.outcome,
            "" if row.smtp_code is None else str(row.smtp_code),
            _iso(row.started_at),
            _iso(row.finished_at),
            str(row.print_batch_id or ""),
            row.code_hash or "",
        ]
        # the digest of the letter as sent (notifications.copies); absent from rows written before
        # letters were kept, whose lines (and so their recorded batch digests) stay as they were
        + ([row.letter_sha256] if row.letter_sha256 else [])
    )


def ledger_digest(rows: Iterable[LetterAttemptRow]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(ledger_line(row).encode("utf-8") + b"\n")
    return "sha256:" + digest.hexdigest()


def record_batch(uow: NotificationsUnitOfWork, incident_id: uuid.UUID) -> int:
    """Cover the incident's finished, unrecorded attempts with one timeline event; returns how many.

    Call inside a transaction that holds the incident's row lock (see `settle_incident`), so two
    workers never cover the same rows.
    """
    rows = uow.letters.unrecorded_attempts(incident_id, RECORD_LIMIT)
    if not rows:
        return 0
    batch_ref = uuid.uuid4()
    uow.letters.mark_recorded([r.id for r in rows], batch_ref)
    outcomes = Counter(r.outcome for r in rows)
    channels = Counter(r.channel for r in rows)
    append_to_timeline(
        uow,
        incident_id=incident_id,
        event_type="LettersBatchRecorded",
        payload={
            "batch_ref": str(batch_ref),
            "attempts": len(rows),
            "letters": len({r.letter_id for r in rows}),
            "first_attempt_id": rows[0].id,
            "last_attempt_id": rows[-1].id,
            "outcomes": dict(sorted(outcomes.items())),
            "channels": dict(sorted(channels.items())),
            "digest": ledger_digest(rows),
            "letters_as_sent": sum(1 for r in rows if r.letter_sha256),  # lines carrying a letter's SHA-256
        },
    )
    return len(rows)


def letter_counts(
    uow: NotificationsUnitOfWork, incident_id: uuid.UUID, *, campaigns_only: bool = False
) -> dict[str, Any]:
    """Counts of the incident's letters (or only its campaigns' letters) per status, per channel, and per kind."""
    by_status: Counter[str] = Counter()
    by_channel: dict[str, Counter[str]] = {}
    by_kind: Counter[str] = Counter()
    for kind, status, channel, count in uow.letters.counts(incident_id, campaigns_only=campaigns_only):
        by_status[status] += count
        by_channel.setdefault(channel, Counter())[status] += count
        by_kind[kind] += count
    total = sum(by_status.values())
    return {
        "total": total,
        "by_status": dict(by_status),
        "by_channel": {c: dict(v) for c, v in by_channel.items()},
        "by_kind": dict(by_kind),
        "open": total - sum(by_status.get(s, 0) for s in FINAL),  # by the model: statuses with no way out
    }


def settle_incident(*, uow: NotificationsUnitOfWork, incident_id: uuid.UUID) -> dict[str, Any]:
    """Record the incident's new attempts on the timeline and, once every campaign letter is delivered
    or finally failed, complete `inform` as the system. One transaction; safe to run at any time.
    Decision letters are recorded on the ledger like every letter, but they answer a citizen: they
    neither hold `inform` open nor count in its evidence.

    Returns what was recorded, whether `inform` completed, and the letter counts, which are left
    out while letters are still open."""
    with uow:
        uow.lock_incident(incident_id)
        recorded = 0
        while True:  # several events if a sweep finds more than RECORD_LIMIT rows
            covered = record_batch(uow, incident_id)
            recorded += covered
            if covered < RECORD_LIMIT:
                break
        if uow.letters.has_open(incident_id, campaigns_only=True):
            # The usual case while a campaign runs: skip the counts, a scan of every letter of the
            # incident (~30 ms at 30,000 letters) done under the incident's lock after each batch.
            uow.commit()
            return {"recorded": recorded, "inform_completed": False}
        counts = letter_counts(uow, incident_id, campaigns_only=True)
        completed = False
        if counts["total"] and not counts["open"] and not uow.letters.count_unrecorded(incident_id):
            by_channel = counts["by_channel"]
            evidence = {
                "letters": counts["total"],
                "delivered": counts["by_status"].get(LetterStatus.DELIVERED, 0),
                "failed": counts["by_status"].get(LetterStatus.FAILED, 0),
                "by_email": by_channel.get(LetterChannel.EMAIL, {}).get(LetterStatus.DELIVERED, 0),
                "by_post": by_channel.get(LetterChannel.POST, {}).get(LetterStatus.DELIVERED, 0),
            }
            # the step the definition names as the one letters complete, with the counts its evidence declares
            definition = citizen_definition(uow, uow.incidents.get(incident_id, lock=False).definition)
            step = definition.citizen_step("letters")
            if step is not None:
                completed = complete_step_as_system(
                    uow,
                    incident_id=incident_id,
                    step=step.key,
                    evidence={k: v for k, v in evidence.items() if k in step.evidence.names},
                )
            uow.letters.complete_campaigns(incident_id, uow.now())
        uow.commit()
    return {"recorded": recorded, "inform_completed": completed, **counts}


def verify_ledger(uow: NotificationsUnitOfWork, incident_id: uuid.UUID) -> dict[str, Any]:
    """Recompute every LettersBatchRecorded digest from the rows it names (inside a read transaction)."""
    batches = mismatched = attempts = 0
    failures = []
    # Collect first: the chain is streamed over the session's own connection, which cannot run
    # another query until the stream is exhausted.
    recorded = [
        (seq, json.loads(payload_json))
        for seq, event_type, _at, _actor, payload_json, _prev, _hash in uow.timeline.chain_rows(incident_id)
        if event_type == "LettersBatchRecorded"
    ]
    for seq, payload in recorded:
        rows = uow.letters.attempts_of_batch(uuid.UUID(payload["batch_ref"]))
        batches += 1
        attempts += len(rows)
        if len(rows) != payload["attempts"] or ledger_digest(rows) != payload["digest"]:
            mismatched += 1
            failures.append({"seq": seq, "batch_ref": payload["batch_ref"], "rows": len(rows)})
    unrecorded = uow.letters.count_unrecorded(incident_id)
    return {
        "valid": mismatched == 0,
        "batches": batches,
        "attempts": attempts,
        "unrecorded": unrecorded,
        "failures": failures,
    }
