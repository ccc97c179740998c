"""A look before a campaign: how many letters it would write per channel, and one person's letter.

Nothing here writes. The counts are the campaign's own (`LetterRepository.campaign_channels`: the
same persons and the same channel policy as the campaign's insert), the refusal is the campaign's
own (`campaign_refusal`), and the letter is rendered by the code that renders the real one
(`incident_facts` with the organisation's letterhead and logo, `letter_context` + `render_letter`,
and `render_pdf` for post), with one difference: where the
reader's personal code goes, a placeholder that is visibly no code and that no code field accepts
(`letters.PREVIEW_CODE`). No code is minted, no letter row, copy or event is written.
"""

from __future__ import annotations

import uuid
from typing import Any

from notifications import messages
from notifications.campaigns import RECIPIENTS, campaign_refusal, check_kind
from notifications.crypto import Vault
from notifications.identity import open_recipient
from notifications.letters import incident_facts, letter_context
from notifications.model import AffectedPerson, choose_channel
from notifications.pdf import render_pdf
from notifications.rendering import render_letter
from notifications.storage import NotificationsUnitOfWork
from protocol.calendar import local_date
from protocol.errors import NotFound, StateConflict
from protocol.identity import Principal
from protocol.permissions import require
from protocol.services.access import incident_for

CHANNEL_KEYS = ("email", "post", "none")  # "none": nobody to write to; the letter fails at once


def plan_campaign(
    *, uow: NotificationsUnitOfWork, principal: Principal, incident_id: uuid.UUID, kind: str
) -> dict[str, Any]:
    """What starting a campaign of `kind` would do now: the letters it would write per channel and in
    all. Refused, as `start_campaign` would refuse it, when the campaign may not start; `letters` is 0
    when everyone has this letter already. Only for those who may start a campaign."""
    check_kind(kind)
    with uow.read_only():
        incident, _actor = incident_for(uow, principal, incident_id, "letters.send", lock=False)
        refused = campaign_refusal(uow, incident, kind)
        if refused is not None:
            raise refused
        found = uow.letters.campaign_channels(incident_id=incident_id, kind=kind, recipients=RECIPIENTS[kind])
    channels = {key: found.get(key, 0) for key in CHANNEL_KEYS}
    channels.update(found)  # a channel the policy gains later is counted, not dropped
    return {"kind": kind, "letters": sum(found.values()), "channels": channels}


def preview_letter(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    kind: str,
    base_url: str,
    person_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The letter of `kind` as `person_id` (default: the first person the campaign would write to) would
    receive it if it went out now, with a placeholder where their code goes; and the channel it would
    take. `letter` is the `RenderedLetter` (subject, e-mail HTML and text); `preview_letter_pdf` gives
    the post letter. Only for those who may start a campaign and see who the persons are."""
    check_kind(kind)
    recipients = RECIPIENTS[kind]
    with uow.read_only():
        incident, _actor = incident_for(uow, principal, incident_id, "letters.send", lock=False)
        require(principal, "persons.read_identity", incident.organisation_id)
        if person_id is None:
            person_id = uow.letters.campaign_person(incident_id=incident_id, kind=kind, recipients=recipients)
        if person_id is None:  # everyone has this letter already: show it for the first person
            first = uow.persons.of_kind(incident_id, recipients)[:1]
            person_id = first[0].id if first else None
        person = uow.persons.get(person_id) if person_id is not None else None
        if person_id is None:
            nobody = messages.NO_AFFECTED_PERSONS if kind == "notification" else messages.NO_REPORTER_CONTACT
            raise StateConflict(nobody(), rule="no-recipients")
        if person is None or person.incident_id != incident_id or person.kind != recipients:
            raise NotFound(messages.PERSON_NOT_HERE(), rule="not-found")
        facts = incident_facts(uow, incident_id)
        recipient = open_recipient(vault, person)
        channel = choose_channel(
            AffectedPerson(person.id, person.language, person.consent_electronic, person.has_email, person.has_address)
        )
    now = uow.now()
    context = letter_context(
        facts,
        letter_id=uuid.UUID(int=0),  # no letter exists: its reference ends in 00000000
        language=person.language,
        recipient=recipient,
        sent_on=local_date(now),
        code=None,
        preview=True,
        base_url=base_url,
    )
    return {
        "kind": kind,
        "person_id": person.id,
        "language": person.language,
        "channel": channel.value if channel else "none",
        "email": recipient.email,
        "letter": render_letter(kind, person.language, context),
    }


def preview_letter_pdf(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    kind: str,
    base_url: str,
    person_id: uuid.UUID | None = None,
) -> bytes:
    """The same preview as the post letter: the PDF the print batch would hold (with the placeholder code)."""
    found = preview_letter(
        uow=uow,
        vault=vault,
        principal=principal,
        incident_id=incident_id,
        kind=kind,
        base_url=base_url,
        person_id=person_id,
    )
    data, _placed = render_pdf([found["letter"]])
    return data
