"""Sending letters: claim, render, hand to a channel, record — each state change a compare-and-set.

A batch of letter ids (one worker message) goes through these steps:

1. claim: queued → sending for the letters that are due, with a lease (one UPDATE … RETURNING);
2. per chunk of `RECORD_EVERY` letters: render (a fresh access code each), write the attempt rows
   with the codes' hashes *before* sending (so a code that reached a reader always opens their
   letter, even if the worker dies right after), send, then record the outcomes in one
   transaction, fenced by the attempt number so a late worker cannot overwrite a newer attempt;
3. permanent email failures (and emails that keep failing) fall back to post in the same run;
4. post letters of the batch become one print batch (PDF + manifest in a zip);
5. the ledger rows are covered by a `LettersBatchRecorded` event, and `inform` completes when
   the incident's last letter is final.

A worker killed mid-chunk leaves at most `RECORD_EVERY` letters sent but unrecorded; after the
lease they are sent again (same Message-ID, so the receiving side can recognise the repeat).
A batch that raises gives back at once the letters no channel has seen yet (queued, due now), so
the message's retry sends them within seconds; only the failed chunk's letters wait for the lease.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from notifications import messages
from notifications.attempts import DeliveryReport, Job, backoff, transition
from notifications.channels import Channel, Outcome, Outgoing, PostChannel, SmtpChannel
from notifications.codes import new_access_code
from notifications.copies import seal_copy
from notifications.crypto import Vault
from notifications.decision_letters import Decision, decision_context, remedy_last_day
from notifications.errors import ChannelUnavailable
from notifications.identity import open_recipient
from notifications.ledger import settle_incident
from notifications.letters import IncidentFacts, incident_facts, letter_context
from notifications.model import AttemptOutcome, LetterChannel, LetterEvent
from notifications.rendering import render_letter
from notifications.response_handling import decision_reasons
from notifications.settings import NotificationsSettings as Settings
from notifications.storage import NotificationsUnitOfWork, UnitOfWorkFactory
from notifications.tables import PrintBatchRow
from protocol.calendar import LegalCalendar, local_date

log = logging.getLogger(__name__)

RECORD_EVERY = 100  # letters per recording transaction: the most a killed worker can send twice
POST_BATCH = 500  # letters per print batch


ChannelFactory = Callable[[str], Channel]


@dataclass(frozen=True)
class _Run:
    """What every step of one `deliver_letters` call works with."""

    uow_factory: UnitOfWorkFactory
    vault: Vault
    settings: Settings


def deliver_letters(
    *,
    uow_factory: UnitOfWorkFactory,
    vault: Vault,
    settings: Settings,
    letter_ids: Sequence[uuid.UUID | str],
    channels: ChannelFactory | None = None,
) -> DeliveryReport:
    """Render and send the given letters that are due; safe to call twice with the same ids.

    Several transactions (claim, pre-record, record per chunk), each from `uow_factory`; `settings`
    gives the lease, the retry policy and the base URL printed in the letters; `channels` defaults
    to `default_channels(settings)`."""
    ids = [uuid.UUID(str(i)) for i in letter_ids]
    report = DeliveryReport()
    make = channels or default_channels(settings)
    run = _Run(uow_factory, vault, settings)
    jobs = _claim(run, ids, report)
    post_jobs = [j for j in jobs if j.channel == LetterChannel.POST]
    email_jobs = [j for j in jobs if j.channel == LetterChannel.EMAIL]
    retry: list[tuple[uuid.UUID, float]] = []
    begun: set[uuid.UUID] = set()  # letters whose chunk has started: they may have reached a channel
    try:
        _send_all(run, make, email_jobs, post_jobs, report, retry, begun)
    except Exception:
        _give_back(run, [j for j in email_jobs + post_jobs if j.letter_id not in begun])
        raise
    for incident_id in report.incidents:
        settle_incident(uow=uow_factory(), incident_id=incident_id)
    by_delay: dict[float, list[uuid.UUID]] = defaultdict(list)
    for letter_id, delay in retry:
        by_delay[delay].append(letter_id)
    for delay, letters in by_delay.items():
        try:
            uow_factory().dispatch(letters, delay=delay)
        except Exception as error:  # the recovery sweep finds them when their time has come
            log.warning("could not schedule %d retry(s): %s", len(letters), type(error).__name__)
    return report


def default_channels(settings: Settings) -> ChannelFactory:
    """The installation's channels: SMTP from its settings, post into its data directory."""

    def make(name: str) -> Channel:
        if name == LetterChannel.EMAIL:
            return SmtpChannel(settings)
        if name == LetterChannel.POST:
            return PostChannel(settings.data_dir)
        raise ChannelUnavailable(messages.NO_CHANNEL(channel=name))

    return make


# ---------------------------------------------------------------------- claiming


def _claim(run: _Run, ids: Sequence[uuid.UUID], report: DeliveryReport, *, count: bool = True) -> list[Job]:
    """queued → sending, then open the recipients of what was claimed (one transaction)."""
    if not ids:
        return []
    vault = run.vault
    lease = timedelta(seconds=run.settings.letter_lease_seconds)
    with run.uow_factory() as uow:
        now = uow.now()
        letters = uow.letters.claim(ids, now=now, lease_until=now + lease)
        report.leased_at = report.leased_at or now
        persons = uow.persons.many(letter.person_id for letter in letters)
        # Each channel has its own cap: count a retried letter's earlier attempts on its channel
        # (a first attempt, nearly every letter, needs no query).
        earlier = uow.letters.attempts_on_channel([letter for letter in letters if letter.attempts > 1])
        facts: dict[uuid.UUID, IncidentFacts] = {}
        jobs = []
        for letter in sorted(letters, key=lambda letter: letter.id):
            if letter.incident_id not in facts:
                facts[letter.incident_id] = incident_facts(uow, letter.incident_id)
            person = persons[letter.person_id]
            jobs.append(
                Job(
                    letter_id=letter.id,
                    attempt=letter.attempts,
                    incident_id=letter.incident_id,
                    kind=letter.kind,
                    language=letter.language,
                    channel=letter.channel,
                    has_address=person.has_address,
                    recipient=open_recipient(vault, person),
                    facts=facts[letter.incident_id],
                    channel_attempt=earlier.get(letter.id, 0) + 1,
                    decision=_decision(uow, vault, letter.response_id) if letter.response_id else None,
                )
            )
        uow.commit()
    if count:
        report.claimed += len(jobs)
    return jobs


def _send_all(
    run: _Run,
    make: ChannelFactory,
    email_jobs: list[Job],
    post_jobs: list[Job],
    report: DeliveryReport,
    retry: list[tuple[uuid.UUID, float]],
    begun: set[uuid.UUID],
) -> None:
    """Email in chunks of `RECORD_EVERY` (letters the channel refuses for good join the post), then
    post in print batches; each chunk's letters go into `begun` before it starts."""
    if email_jobs:
        with _channel(make, LetterChannel.EMAIL) as email:
            for chunk, rest in _chunks(email_jobs, RECORD_EVERY, begun):
                fallback = _run_chunk(run, email, chunk, rest + post_jobs, report, retry)
                if fallback:
                    post_jobs += _claim(run, fallback, report, count=False)
    if post_jobs:
        with _channel(make, LetterChannel.POST) as post:
            for chunk, rest in _chunks(post_jobs, POST_BATCH, begun):
                _run_chunk(run, post, chunk, rest, report, retry)


@contextmanager
def _channel(make: ChannelFactory, name: str) -> Iterator[Channel | None]:
    """The channel `name`, closed on leaving (None if it cannot be opened: its letters are retried)."""
    try:
        channel: Channel | None = make(name)
    except ChannelUnavailable as error:
        log.warning("channel %s unavailable: %s", name, error)
        channel = None
    try:
        yield channel
    finally:
        if channel is not None:
            channel.close()


def _chunks(jobs: list[Job], size: int, begun: set[uuid.UUID]) -> Iterator[tuple[list[Job], list[Job]]]:
    """Each chunk of `jobs` with the jobs after it; a chunk's letters go into `begun` as it is handed out."""
    for start in range(0, len(jobs), size):
        chunk = jobs[start : start + size]
        begun.update(job.letter_id for job in chunk)
        yield chunk, jobs[start + size :]


def _give_back(run: _Run, jobs: Sequence[Job]) -> None:
    """Queue again, due now, the letters of a failed batch that no channel has seen, so the message's
    retry claims them in seconds instead of after the lease. It is the recovery sweep's move, taken
    early; the letters of the chunk that failed may have been sent and wait for the lease as before."""
    if not jobs:
        return
    try:
        with run.uow_factory() as uow:
            fenced = [(job.letter_id, job.attempt) for job in jobs]
            uow.letters.settle(fenced, LetterEvent.RECOVER, {"lease_until": None, "next_attempt_at": uow.now()})
            uow.commit()
    except Exception as error:  # the database is what failed: the lease takes them back
        log.warning("could not give back %d letter(s): %s", len(jobs), type(error).__name__)


def _decision(uow: NotificationsUnitOfWork, vault: Vault, response_id: uuid.UUID) -> Decision | None:
    """The decision a decision letter sends, its reasons opened (None if absent: the letter fails to render)."""
    row = uow.responses.get(response_id)
    reasons = decision_reasons(vault, row) if row is not None else None
    if row is None or row.decision_outcome is None or reasons is None:
        return None
    return Decision(row.id, row.kind, row.decision_outcome, reasons, local_date(row.received_at))


# ---------------------------------------------------------------------- one chunk


def _run_chunk(
    run: _Run,
    channel: Channel | None,
    chunk: list[Job],
    remaining: Iterable[Job],
    report: DeliveryReport,
    retry: list[tuple[uuid.UUID, float]],
) -> list[uuid.UUID]:
    """Render, pre-record, send and record one chunk; returns letters that now go by post."""
    uow = run.uow_factory()
    now = uow.now()
    name = chunk[0].channel
    outgoing: list[Outgoing] = []
    unrendered: list[Outcome] = []  # a letter that cannot be rendered fails alone, its neighbours go on
    rendered: list[Outgoing | None] = []  # per job of the chunk; None where rendering failed
    for job in chunk:
        try:
            item = _render(run.vault, run.settings.base_url, job, now, calendar=uow.calendar.atw)
        except Exception as error:
            log.warning("letter %s could not be rendered: %s", job.letter_id, type(error).__name__)
            unrendered.append(
                Outcome(job.letter_id, job.attempt, AttemptOutcome.PERMANENT, detail=f"render {type(error).__name__}")
            )
            rendered.append(None)
        else:
            outgoing.append(item)
            rendered.append(item)
    by_id = {job.letter_id: job for job in chunk}
    _write_pending_attempts(run, chunk, rendered, now)
    if channel is None:
        outcomes = [
            Outcome(o.letter_id, o.attempt, AttemptOutcome.TEMPORARY, detail=f"{name} channel unavailable")
            for o in outgoing
        ]
    else:
        outcomes = _send(channel, outgoing)
    outcomes += unrendered
    batch = channel.batch if isinstance(channel, PostChannel) else None
    fallback = _record(run, by_id, outcomes, remaining, batch, report, retry)
    if isinstance(channel, PostChannel) and batch is not None:
        with run.uow_factory().read_only() as reading:
            recorded = reading.letters.print_batch(batch.id) is not None
        if recorded:
            channel.publish(batch.id)
        else:
            channel.discard(batch.id)
        channel.batch = None
    return fallback


def _render(vault: Vault, base_url: str, job: Job, now: datetime, *, calendar: LegalCalendar | None = None) -> Outgoing:
    """One letter, rendered for this attempt; a decision letter's last day is counted on `calendar` (the Atw's)."""
    code = new_access_code()
    job.sent_on = local_date(now)
    context = letter_context(
        job.facts,
        letter_id=job.letter_id,
        language=job.language,
        recipient=job.recipient,
        sent_on=job.sent_on,
        code=code,
        base_url=base_url,
    )
    if job.decision is not None:
        if calendar is None:
            raise ValueError("a decision letter needs the Atw calendar to count its last day")
        # the remedy period runs from the day after sending: counted from this rendering, the moment it leaves
        context |= decision_context(job.decision, language=job.language, last_day=remedy_last_day(calendar, now))
    letter = render_letter(job.kind, job.language, context)
    job.letter_sha256, job.copy_sealed = seal_copy(vault, job.letter_id, job.attempt, letter)  # kept as sent
    address = job.recipient.address or {}
    return Outgoing(
        letter_id=job.letter_id,
        attempt=job.attempt,
        letter=letter,
        code_hash=vault.code_hash(code),
        started_at=now,
        email=job.recipient.email,
        postal_code=address.get("postal_code", ""),
    )


def _send(channel: Channel, outgoing: list[Outgoing]) -> list[Outcome]:
    """The channel's outcomes; should it raise after all (it must not, for one letter), none of the
    letters is known to have left, and all are tried again later rather than left "sending"."""
    if not outgoing:
        return []
    try:
        return channel.send(outgoing)
    except Exception as error:
        log.warning("channel %s failed a batch of %d: %s", channel.name, len(outgoing), type(error).__name__)
        detail = f"{channel.name} channel {type(error).__name__}"
        return [Outcome(o.letter_id, o.attempt, AttemptOutcome.TEMPORARY, detail=detail) for o in outgoing]


def _write_pending_attempts(run: _Run, chunk: list[Job], outgoing: Sequence[Outgoing | None], now: datetime) -> None:
    """The attempts, with their codes' hashes and their letters as sent (sealed, with their SHA-256),
    are on record before anything leaves (None: not rendered)."""
    rows = [
        {
            "letter_id": job.letter_id,
            "incident_id": job.incident_id,
            "number": job.attempt,
            "channel": job.channel,
            "started_at": now,
            "finished_at": None,
            "outcome": AttemptOutcome.PENDING,
            "code_hash": item.code_hash if item is not None else None,
            "letter_sha256": job.letter_sha256 if item is not None else None,
        }
        for job, item in zip(chunk, outgoing, strict=True)
    ]
    copies = [
        {
            "letter_id": job.letter_id,
            "number": job.attempt,
            "key_id": run.vault.key_id,
            "letter_sealed": job.copy_sealed,
        }
        for job, item in zip(chunk, outgoing, strict=True)
        if item is not None and job.copy_sealed is not None
    ]
    with run.uow_factory() as uow:
        for job, attempt_id in zip(chunk, uow.letters.add_attempts(rows), strict=True):
            job.attempt_row_id = attempt_id
        uow.letters.add_copies(copies)  # the letters as sent, in the transaction that records their codes
        uow.commit()
    for job in chunk:
        job.copy_sealed = None  # stored: let it go


def _record(
    run: _Run,
    jobs: dict[uuid.UUID, Job],
    outcomes: list[Outcome],
    remaining: Iterable[Job],
    batch: Any,
    report: DeliveryReport,
    retry: list[tuple[uuid.UUID, float]],
) -> list[uuid.UUID]:
    """One transaction: move each letter by compare-and-set, finish its attempt row, renew the lease of the rest."""
    settings = run.settings
    uow = run.uow_factory()
    now = uow.now()
    groups: dict[tuple[LetterEvent, tuple[tuple[str, Any], ...]], list[tuple[uuid.UUID, int]]] = defaultdict(list)
    events: dict[uuid.UUID, LetterEvent] = {}
    for outcome in outcomes:
        job = jobs[outcome.letter_id]
        event, values = transition(job, outcome, now, settings)
        events[job.letter_id] = event
        groups[(event, tuple(sorted(values.items())))].append((job.letter_id, job.attempt))
    with uow:
        if batch is not None:
            uow.letters.add_print_batch(
                PrintBatchRow(
                    id=batch.id,
                    incident_id=next(iter(jobs.values())).incident_id,
                    created_at=now,
                    letters=batch.letters,
                    pages=batch.pages,
                    file_name=batch.file_name,
                    sha256=batch.sha256,
                )
            )
        moved: set[uuid.UUID] = set()
        for (event, columns), fenced in groups.items():
            moved.update(uow.letters.settle(fenced, event, dict(columns)))
        if batch is not None and not moved:
            uow.letters.drop_print_batch(batch.id)  # every letter was taken back: this zip is never printed
        uow.letters.update_attempts(
            [
                {
                    "id": jobs[o.letter_id].attempt_row_id,
                    "outcome": o.status,
                    "finished_at": now,
                    "smtp_code": o.smtp_code,
                    "detail": o.detail,
                    "print_batch_id": o.print_batch_id,
                }
                for o in outcomes
                if o.letter_id in moved
            ]
        )
        lease = timedelta(seconds=settings.letter_lease_seconds)
        rest = [(j.letter_id, j.attempt) for j in remaining]
        if rest and (report.leased_at is None or now - report.leased_at > lease / 3):
            uow.letters.renew_lease(rest, now + lease)  # a long batch keeps its letters; a short one skips this
            report.leased_at = now
        uow.commit()
    fallback = []
    for outcome in outcomes:
        job = jobs[outcome.letter_id]
        if job.letter_id not in moved:
            report.lost_race += 1  # the lease ran out and the recovery took it back: its new attempt decides
            continue
        report.incidents.add(job.incident_id)
        event = events[job.letter_id]
        if event in (LetterEvent.DELIVER, LetterEvent.HAND_OVER):
            report.delivered += 1
        elif event is LetterEvent.FAIL:
            report.failed += 1
        elif event is LetterEvent.REROUTE:
            report.to_post += 1
            fallback.append(job.letter_id)
        else:
            report.retrying += 1
            retry.append((job.letter_id, backoff(settings, job.channel_attempt).total_seconds()))
    return fallback
