"""The letter and its state machine, written as a transition table; the channel policy, declared once.

    queued ──claim──▶ sending ──deliver──▶ delivered
      │  ▲               │ │ └──hand_over──▶ sent ──confirm──▶ delivered
      │  └─retry/reroute/recover─┘ │                  └──bounce───▶ failed
      └──unreachable──▶ failed ◀──fail──┘

A letter's status is stored as the enum's value, so the strings in the database are exactly
these. Every status the storage writes is taken from this table, and every compare-and-set
`UPDATE … WHERE status IN (…)` takes its allowed-from set from it (`sources`), so a move that is
not here cannot happen anywhere.

The channel policy says how a person is written to: email only with recorded consent (Wmebv) and
an address, else post; when email gives up (a permanent failure, or its attempts used up), post;
each channel with its own cap. Python (`choose_channel`, `give_up`) and the SQL of the
PostgreSQL campaign insert (generated from `CHANNEL_POLICY`) both read this one declaration.

Pure: imports nothing but the standard library and the protocol's own error hierarchy.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from protocol.errors import IllegalTransition, Template, joined


class LetterStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker (new, retried, rerouted or taken back)
    SENDING = "sending"  # claimed by a worker under a lease
    SENT = "sent"  # handed to a channel that confirms delivery later (Berichtenbox)
    DELIVERED = "delivered"  # the channel took responsibility: SMTP acceptance, a print batch handed over
    FAILED = "failed"  # no channel reaches the reader


class LetterEvent(StrEnum):
    CLAIM = "claim"  # a worker takes a due letter
    DELIVER = "deliver"  # the channel took it
    HAND_OVER = "hand_over"  # the channel took it and confirms delivery later
    CONFIRM = "confirm"  # that confirmation (no connected channel sends one yet)
    BOUNCE = "bounce"  # that channel's later refusal (no connected channel sends one yet)
    RETRY = "retry"  # a temporary failure: the same channel again, later
    REROUTE = "reroute"  # email gave up: the letter goes by post instead, at once
    FAIL = "fail"  # the last channel gave up
    RECOVER = "recover"  # its worker went silent past the lease: queued again
    UNREACHABLE = "unreachable"  # nobody to write to: failed as the letter is created


TRANSITIONS: dict[tuple[LetterStatus, LetterEvent], LetterStatus] = {
    (LetterStatus.QUEUED, LetterEvent.CLAIM): LetterStatus.SENDING,
    (LetterStatus.QUEUED, LetterEvent.UNREACHABLE): LetterStatus.FAILED,
    (LetterStatus.SENDING, LetterEvent.DELIVER): LetterStatus.DELIVERED,
    (LetterStatus.SENDING, LetterEvent.HAND_OVER): LetterStatus.SENT,
    (LetterStatus.SENDING, LetterEvent.RETRY): LetterStatus.QUEUED,
    (LetterStatus.SENDING, LetterEvent.REROUTE): LetterStatus.QUEUED,
    (LetterStatus.SENDING, LetterEvent.FAIL): LetterStatus.FAILED,
    (LetterStatus.SENDING, LetterEvent.RECOVER): LetterStatus.QUEUED,
    (LetterStatus.SENT, LetterEvent.CONFIRM): LetterStatus.DELIVERED,
    (LetterStatus.SENT, LetterEvent.BOUNCE): LetterStatus.FAILED,
}

# Final: no way out. `inform` completes when every letter of the incident is final.
# The refusal of a move the table has not (its Dutch is in the web's catalogue; see protocol.messages)
LETTER_TRANSITION = Template("letter.transition", "a %(state)s letter cannot %(action)s")
LETTER_TRANSITION_POSSIBLE = Template(
    "letter.transition-possible", "a %(state)s letter cannot %(action)s (possible: %(possible)s)"
)
FINAL = frozenset(s for s in LetterStatus if not any(source is s for source, _ in TRANSITIONS))
OPEN = frozenset(LetterStatus) - FINAL
# Held by a worker: what a claim leads to. Only the holder (fenced by the attempt number) moves it.
LEASED = frozenset({TRANSITIONS[(LetterStatus.QUEUED, LetterEvent.CLAIM)]})


def sources(event: LetterEvent) -> frozenset[LetterStatus]:
    """The statuses `event` may move a letter from: the allowed-from set of its compare-and-set."""
    return frozenset(s for s, e in TRANSITIONS if e is event)


def target(event: LetterEvent) -> LetterStatus:
    """The status `event` moves a letter to (each event has one)."""
    (to,) = {to for (_, e), to in TRANSITIONS.items() if e is event}
    return to


def from_statuses(to: LetterStatus) -> frozenset[LetterStatus]:
    """The statuses some event leads from to `to`."""
    return frozenset(s for (s, _), t in TRANSITIONS.items() if t is to)


def next_status(status: LetterStatus, event: LetterEvent) -> LetterStatus:
    """The status `event` leads to from `status`, or IllegalTransition (rule `letter-transition`) naming both."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        allowed = sorted(e.value for (s, e) in TRANSITIONS if s is status)
        words = {"state": status.value, "action": event.value}
        raise IllegalTransition(
            LETTER_TRANSITION_POSSIBLE(**words, possible=joined(allowed)) if allowed else LETTER_TRANSITION(**words),
            rule="letter-transition",
            state=status.value,
            action=event.value,
        ) from None


def allowed(status: LetterStatus, event: LetterEvent) -> bool:
    """Whether the table has this move."""
    return (status, event) in TRANSITIONS


# ---------------------------------------------------------------------- channels


class LetterChannel(StrEnum):
    EMAIL = "email"
    POST = "post"
    BERICHTENBOX = "berichtenbox"  # not connected: the policy never chooses it


class AttemptOutcome(StrEnum):
    """What one attempt came to, as stored on its row (the channel reports all but pending and abandoned)."""

    PENDING = "pending"  # written before sending
    DELIVERED = "delivered"
    SENT = "sent"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    ABANDONED = "abandoned"  # its worker went silent past the lease


@dataclass(frozen=True)
class ChannelRule:
    """One channel of the policy: when it may be chosen, how often it is tried, what follows when it gives up.

    `requires` names facts of the `AffectedPerson` (and columns of its table) that must all be true.
    """

    channel: LetterChannel
    requires: tuple[str, ...]
    max_attempts: int
    fallback: LetterChannel | None = None


# In order of preference: the first rule whose facts all hold is the person's channel.
CHANNEL_POLICY: tuple[ChannelRule, ...] = (
    ChannelRule(LetterChannel.EMAIL, ("consent_electronic", "has_email"), max_attempts=8, fallback=LetterChannel.POST),
    ChannelRule(LetterChannel.POST, ("has_address",), max_attempts=8),
)
RULES = {rule.channel: rule for rule in CHANNEL_POLICY}
UNREACHABLE_FAILURE = "no address to write to"
PLACEHOLDER_CHANNEL = LetterChannel.POST  # the column is not null; an unreachable letter counts as "none"


def channel_for(facts: Mapping[str, bool]) -> LetterChannel | None:
    """The first channel of the policy whose required facts all hold; None if none reaches the person."""
    for rule in CHANNEL_POLICY:
        if _meets(rule, facts):
            return rule.channel
    return None


def _meets(rule: ChannelRule, facts: Mapping[str, bool]) -> bool:
    return all(facts.get(fact, False) for fact in rule.requires)


@dataclass(frozen=True)
class AffectedPerson:
    """Someone a campaign writes to, as far as choosing a channel needs (identity stays sealed elsewhere)."""

    id: uuid.UUID
    language: str
    consent_electronic: bool
    has_email: bool
    has_address: bool

    def facts(self) -> dict[str, bool]:
        """What the channel policy asks of a person."""
        return {
            "consent_electronic": self.consent_electronic,
            "has_email": self.has_email,
            "has_address": self.has_address,
        }


def choose_channel(person: AffectedPerson) -> LetterChannel | None:
    """The person's channel by the policy; None if none reaches them."""
    return channel_for(person.facts())


def created_status(channel: LetterChannel | None) -> LetterStatus:
    """A new letter is queued, or failed at once when no channel reaches its reader."""
    return LetterStatus.QUEUED if channel else next_status(LetterStatus.QUEUED, LetterEvent.UNREACHABLE)


def after_failure(
    channel: str, channel_attempt: int, *, permanent: bool, facts: Mapping[str, bool]
) -> tuple[LetterEvent, LetterChannel | None]:
    """What follows a failed attempt, the `channel_attempt`-th on this channel: retry, reroute or fail.

    Retry while the channel's cap allows and the failure is temporary; then its fallback if the
    person's known `facts` meet that channel's requirements (the letter moves there); else fail.
    Returns the event and, for a reroute, the channel the letter moves to.
    """
    rule = RULES.get(LetterChannel(channel))
    if rule is None:  # a channel outside the policy is never retried
        return LetterEvent.FAIL, None
    if not permanent and channel_attempt < rule.max_attempts:
        return LetterEvent.RETRY, None
    if rule.fallback is not None and _meets(RULES[rule.fallback], facts):
        return LetterEvent.REROUTE, rule.fallback
    return LetterEvent.FAIL, None


# ---------------------------------------------------------------------- the objects passed around


@dataclass(frozen=True)
class Letter:
    """A letter as a worker claims it: who it is for, in which language, by which channel, which attempt."""

    id: uuid.UUID
    incident_id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    language: str
    channel: LetterChannel
    attempts: int
    response_id: uuid.UUID | None = None  # a decision letter: the review request or objection it decides


@dataclass(frozen=True)
class Campaign:
    """One decision to write to every person of an incident of one kind."""

    id: uuid.UUID
    incident_id: uuid.UUID
    kind: str
    letters: int
    started_at: datetime
    started_by: str
    completed_at: datetime | None = None
