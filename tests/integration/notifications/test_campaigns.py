"""A campaign against a real SMTP server: one message per person, retries, post fallback, recovery."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from notifications import delivery
from notifications.crypto import Vault
from notifications.identity import open_identity, seal_identity
from notifications.services import (
    letters_summary,
    normalize_access_code,
    open_citizen_session,
    open_vault,
    recover_letters,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
    verify_letters_ledger,
)
from notifications.tables import LetterAttemptRow, LetterRow
from protocol.services import Principal, get_incident, get_timeline, verify_incident
from tests.integration import racers
from tests.integration.notifications.conftest import (
    CODE,
    import_readers,
    people,
    persons_file,
    publish_events,
    run_letters,
    start_notification,
)


def attempts(herstel, letter_id):
    with herstel.uow().read_only() as uow:
        rows = uow.session.query(LetterAttemptRow).filter_by(letter_id=letter_id).order_by(LetterAttemptRow.number)
        return [(r.channel, r.outcome) for r in rows]


def letter_for(herstel, **where):
    with herstel.uow().read_only() as uow:
        row = uow.session.query(LetterRow).filter_by(**where).one()
        uow.session.expunge(row)  # keep its loaded values after the read-only transaction ends
        return row


def manifests(data_dir: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted((Path(data_dir) / "print" / "outbox").glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            assert archive.read("letters.pdf").startswith(b"%PDF")
            rows += list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode()), delimiter=";"))
    return rows


def test_one_letter_per_person_right_language_code_and_date_then_inform_completes(
    mailing, officer, incident, smtp_server, dispatched, clock
):
    everyone = people(12, consent=lambda i: i < 8)  # 8 by email, 4 by post
    result = import_readers(mailing, officer, incident["id"], everyone)
    assert result == {"imported": 12, "merged": 0, "rows": 12}
    campaign = start_campaign(
        uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification"
    )
    assert campaign["created"]
    assert campaign["letters"] == 12
    assert campaign["channels"] == {"email": 8, "post": 4}
    assert (
        get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])["steps"]["inform"]["state"]
        == "active"
    )

    run_letters(mailing, dispatched, clock)

    messages = smtp_server.messages()
    assert sorted(str(m["To"]) for m in messages) == sorted(p["email"] for p in everyone[:8])
    for message in messages:
        person = next(p for p in everyone if p["email"] == str(message["To"]))
        text = " ".join(message.get_body(("plain",)).get_content().split())
        english = person["lang"] == "en"
        assert message["Content-Language"] == person["lang"]
        assert ("Dear " if english else "Beste ") + person["name"] in text
        # a notification is not a decision: it says so, and quotes no objection period (docs/letters.md)
        assert ("This letter is not a decision." if english else "Deze brief is geen besluit.") in text
        assert ("no later than" if english else "uiterlijk op") not in text
        session = open_citizen_session(
            uow_factory=unit_of_work_factory(mailing),
            vault=open_vault(mailing.settings),
            access_code=CODE.search(text).group(1),
        )
        assert str(session.letter_id) == str(message["X-Herstel-Letter"])
        assert session.language == person["lang"]
    assert len({m["Message-ID"] for m in messages}) == 8

    posted = manifests(mailing.settings.data_dir)
    assert len(posted) == 4
    assert {r["postal_code"] for r in posted} == {"1234 AB"}

    summary = letters_summary(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": 12}
    assert summary["open"] == 0
    assert summary["by_channel"] == {"email": {"delivered": 8}, "post": {"delivered": 4}}
    assert summary["campaigns"][0]["completed_at"] is not None
    inform = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])["steps"]["inform"]
    assert inform["state"] == "completed"
    assert inform["ended_by"] == "system"
    assert inform["evidence"] == {"letters": 12, "delivered": 12, "failed": 0, "by_email": 8, "by_post": 4}
    assert verify_incident(uow=mailing.uow(), principal=Principal.installation(), incident_id=incident["id"]).valid
    assert verify_letters_ledger(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])["valid"]

    again = start_campaign(
        uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification"
    )
    assert again == {"campaign_id": campaign["campaign_id"], "kind": "notification", "letters": 0, "created": False}
    events = get_timeline(uow=mailing.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    types = [e["type"] for e in events]
    assert types.count("LetterCampaignStarted") == 1
    assert "LettersBatchRecorded" in types
    assert not {"LetterSent", "LetterDelivered", "LetterFailed"} & set(types)


def test_temporary_failures_are_retried_with_backoff_and_delivered_once(
    mailing, officer, incident, smtp_server, dispatched, clock
):
    reader = people(1, email=lambda i: "tempfail2-lezer@example.nl")
    start_notification(mailing, officer, incident["id"], reader)
    reports = run_letters(mailing, dispatched, clock)

    assert [(r.retrying, r.delivered) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    assert smtp_server.recipients() == {"tempfail2-lezer@example.nl": 1}
    letter = letter_for(mailing, incident_id=incident["id"])
    assert (letter.status, letter.channel, letter.attempts) == ("delivered", "email", 3)
    assert attempts(mailing, letter.id) == [("email", "temporary"), ("email", "temporary"), ("email", "delivered")]
    assert (
        verify_letters_ledger(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])["attempts"] == 3
    )


def test_permanent_failure_falls_back_to_post(mailing, officer, incident, smtp_server, dispatched, clock):
    reader = people(1, email=lambda i: "permfail-lezer@example.nl")
    start_notification(mailing, officer, incident["id"], reader)
    run_letters(mailing, dispatched, clock)

    assert smtp_server.messages() == []
    letter = letter_for(mailing, incident_id=incident["id"])
    assert (letter.status, letter.channel) == ("delivered", "post")
    assert attempts(mailing, letter.id) == [("email", "permanent"), ("post", "delivered")]
    assert [r["letter_id"] for r in manifests(mailing.settings.data_dir)] == [str(letter.id)]
    inform = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])["steps"]["inform"]
    assert inform["state"] == "completed"


def test_a_worker_that_dies_mid_send_is_recovered_and_its_code_still_works(
    mailing, officer, incident, smtp_server, dispatched, clock
):
    start_notification(mailing, officer, incident["id"], people(3))
    publish_events(mailing)
    ((letter_ids, _),) = dispatched.take()
    # a worker claims, renders and writes its attempts, then dies before sending anything
    from notifications.crypto import Vault

    vault = Vault.from_settings(mailing.settings)
    run = delivery._Run(unit_of_work_factory(mailing), vault, mailing.settings)
    jobs = delivery._claim(run, letter_ids, delivery.DeliveryReport())
    base_url = mailing.settings.base_url
    outgoing = [delivery._render(vault, base_url, job, clock.now) for job in jobs]
    delivery._write_pending_attempts(run, jobs, outgoing, clock.now)
    assert (
        recover_letters(
            uow_factory=unit_of_work_factory(mailing),
            lease=timedelta(seconds=mailing.settings.letter_lease_seconds),
            data_dir=mailing.settings.data_dir,
        )["recovered"]
        == 0
    )  # the lease still holds

    clock.advance(seconds=mailing.settings.letter_lease_seconds + 1)
    result = recover_letters(
        uow_factory=unit_of_work_factory(mailing),
        lease=timedelta(seconds=mailing.settings.letter_lease_seconds),
        data_dir=mailing.settings.data_dir,
    )
    assert result["recovered"] == 3
    assert result["redispatched"] == 3
    for job in jobs:
        assert attempts(mailing, job.letter_id) == [("email", "abandoned")]
    # a code printed by the dead worker (had it reached a reader) still opens that reader's letter
    code = normalize_access_code(CODE.search(outgoing[0].letter.text).group(1))
    assert (
        open_citizen_session(
            uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=code
        ).letter_id
        == jobs[0].letter_id
    )

    run_letters(mailing, dispatched, clock)
    assert sorted(smtp_server.recipients().values()) == [1, 1, 1]
    summary = letters_summary(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": 3}


def test_the_sweep_leaves_a_new_campaign_to_its_fan_out_and_takes_it_over_only_after_the_lease(
    mailing, officer, incident, smtp_server, dispatched, clock
):
    start_notification(mailing, officer, incident["id"], people(3))
    # the campaign is queued, its LetterCampaignStarted event not yet relayed: nothing dispatched
    assert (
        recover_letters(
            uow_factory=unit_of_work_factory(mailing),
            lease=timedelta(seconds=mailing.settings.letter_lease_seconds),
            data_dir=mailing.settings.data_dir,
        )["redispatched"]
        == 0
    )
    assert dispatched.take() == []
    # had the fan-out never come, the letters would not wait for ever
    clock.advance(seconds=mailing.settings.letter_lease_seconds + 1)
    assert (
        recover_letters(
            uow_factory=unit_of_work_factory(mailing),
            lease=timedelta(seconds=mailing.settings.letter_lease_seconds),
            data_dir=mailing.settings.data_dir,
        )["redispatched"]
        == 3
    )
    run_letters(mailing, dispatched, clock)
    assert sorted(smtp_server.recipients().values()) == [1, 1, 1]


def test_two_workers_with_the_same_batch_send_each_letter_once(
    mailing, officer, incident, smtp_server, dispatched, clock
):
    start_notification(mailing, officer, incident["id"], people(5))
    publish_events(mailing)
    ((letter_ids, _),) = dispatched.take()
    first = delivery.deliver_letters(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        settings=mailing.settings,
        letter_ids=letter_ids,
    )
    second = delivery.deliver_letters(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        settings=mailing.settings,
        letter_ids=letter_ids,
    )  # a redelivered message
    assert (first.claimed, second.claimed) == (5, 0)
    assert sorted(smtp_server.recipients().values()) == [1] * 5


def test_campaign_refusals(mailing, officer, incident, algorithm, dispatched):
    from notifications.services import PersonsFileRejected
    from protocol.services import InvalidEvidence, StateConflict

    with pytest.raises(StateConflict, match="import the affected persons"):
        start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification")
    with pytest.raises(StateConflict, match="only for an unfounded signal"):
        start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="unfounded")
    with pytest.raises(InvalidEvidence) as caught:
        start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="flyer")
    assert "kind" in caught.value.errors
    bad = persons_file(people(3)).replace(b"1234 AB", b"12345", 1)
    with pytest.raises(PersonsFileRejected) as refused:
        import_readers(mailing, officer, incident["id"], bad)
    assert [(e.row, e.field) for e in refused.value.rows] == [(2, "postal_code")]
    assert letters_summary(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])["total"] == 0


def test_lease_is_renewed_while_a_long_batch_is_sent(mailing, officer, incident, smtp_server, dispatched, clock):
    start_notification(mailing, officer, incident["id"], people(30))
    reports = run_letters(mailing, dispatched, clock)
    assert sum(r.delivered for r in reports) == 30
    assert sum(r.lost_race for r in reports) == 0
    events = get_timeline(uow=mailing.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    recorded = [e["payload"] for e in events if e["type"] == "LettersBatchRecorded"]
    assert sum(p["attempts"] for p in recorded) == 30
    assert all(json.dumps(p).count("@") == 0 for p in recorded)
    assert timedelta(seconds=mailing.settings.letter_lease_seconds) > timedelta(0)


def give_old_address(herstel, incident_id, index, email):
    """An address that older imports let through, written straight into the person's sealed row."""
    vault = Vault.from_settings(herstel.settings)
    with herstel.uow() as uow:
        rows = sorted(uow.persons.of_kind(incident_id, "affected"), key=lambda row: open_identity(vault, row)["name"])
        row = rows[index]
        old = open_identity(vault, row)
        sealed = seal_identity(vault, row.id, bsn=old["bsn"], name=old["name"], address=old["address"], email=email)
        uow.persons.update_many([{"id": row.id, **sealed}])
        uow.commit()
    return row.id


@pytest.fixture
def plain_smtp_server(tmp_path):
    """A server that, like many, does not offer SMTPUTF8."""
    from tests.smtp import SmtpServer

    server = SmtpServer(tmp_path / "plain-smtp", smtputf8=False)
    server.start()
    yield server
    server.stop()


def test_one_unsendable_address_fails_that_letter_alone_and_sends_its_neighbours_once(
    mailing, officer, incident, plain_smtp_server, dispatched, clock
):
    smtp_server = plain_smtp_server
    settings = dataclasses.replace(mailing.settings, smtp_port=smtp_server.port)
    mailing = dataclasses.replace(mailing, settings=settings)
    everyone = people(5, language=lambda i: "nl")
    import_readers(mailing, officer, incident["id"], everyone)
    accented = give_old_address(mailing, incident["id"], 1, "jöhn@exämple.nl")  # needs SMTPUTF8: not offered
    no_domain = give_old_address(mailing, incident["id"], 3, "anna@exämple..nl")  # no IDNA form at all
    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification")
    run_letters(mailing, dispatched, clock)

    good = {p["email"]: 1 for i, p in enumerate(everyone) if i not in (1, 3)}
    assert smtp_server.recipients() == good
    for person_id, reason in ((accented, "SMTPUTF8"), (no_domain, "domain")):
        letter = letter_for(mailing, person_id=person_id)
        assert (letter.status, letter.channel) == ("delivered", "post")
        assert attempts(mailing, letter.id) == [("email", "permanent"), ("post", "delivered")]
        with mailing.uow().read_only() as uow:
            first = uow.session.query(LetterAttemptRow).filter_by(letter_id=letter.id, number=1).one()
            assert reason in first.detail
    summary = letters_summary(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": 5}
    assert sorted(r["letter_id"] for r in manifests(mailing.settings.data_dir)) == sorted(
        str(letter_for(mailing, person_id=p).id) for p in (accented, no_domain)
    )

    # after the lease nothing is taken back and nobody gets a second letter
    clock.advance(seconds=mailing.settings.letter_lease_seconds + 1)
    assert (
        recover_letters(
            uow_factory=unit_of_work_factory(mailing),
            lease=timedelta(seconds=mailing.settings.letter_lease_seconds),
            data_dir=mailing.settings.data_dir,
        )["recovered"]
        == 0
    )
    run_letters(mailing, dispatched, clock)
    assert smtp_server.recipients() == good


def test_an_accented_address_goes_by_email_where_the_server_offers_smtputf8(
    mailing, officer, incident, smtp_server, dispatched, clock
):
    import_readers(mailing, officer, incident["id"], people(1))
    person_id = give_old_address(mailing, incident["id"], 0, "jöhn@exämple.nl")
    start_campaign(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"], kind="notification")
    run_letters(mailing, dispatched, clock)

    assert smtp_server.recipients() == {"jöhn@xn--exmple-cua.nl": 1}
    letter = letter_for(mailing, person_id=person_id)
    assert (letter.status, letter.channel) == ("delivered", "email")


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has no row locks: one writer at a time
def test_a_worker_quicker_than_the_fan_out_commit_waits_for_it_and_sends_the_batch(
    backend, mailing, officer, incident, smtp_server, clock
):
    """The fan-out marks a campaign's letters dispatched, sends its messages and only then commits:
    a worker that takes a message at once finds every letter locked. It must wait for the commit
    and send them, not skip them and leave them to the recovery sweep a lease later."""
    start_notification(mailing, officer, incident["id"], people(4))
    reports: list[delivery.DeliveryReport] = []

    def deliver(letter_ids):
        reports.append(
            delivery.deliver_letters(
                uow_factory=unit_of_work_factory(mailing),
                vault=open_vault(mailing.settings),
                settings=mailing.settings,
                letter_ids=letter_ids,
            )
        )

    def claiming_at_once(letter_ids, delay):
        """The broker and a worker quicker than the fan-out's commit: the worker claims before
        `dispatch` returns, and the fan-out commits only when the claim has ended or is waiting."""
        worker = threading.Thread(target=deliver, args=(list(letter_ids),))
        worker.start()
        racers.wait_until_blocked(mailing, worker)
        workers.append(worker)

    workers: list[threading.Thread] = []
    mailing.dispatch.connect(claiming_at_once)
    try:
        publish_events(mailing)
    finally:
        mailing.dispatch.connect(None)
    (worker,) = workers
    worker.join(60)
    assert not worker.is_alive()
    assert [report.claimed for report in reports] == [4]
    assert sorted(smtp_server.recipients().values()) == [1] * 4


def test_a_batch_that_fails_gives_back_at_once_the_letters_no_channel_has_seen(
    mailing, officer, incident, smtp_server, dispatched, clock, monkeypatch
):
    """The database fails mid-batch (the second chunk's attempts cannot be written): the chunk before
    it is recorded, its own letters wait for the lease (the code cannot tell whether they left), and
    the letters after it are queued again, due now, so the message's retry sends them at once
    instead of ten minutes later."""
    monkeypatch.setattr(delivery, "RECORD_EVERY", 2)
    start_notification(mailing, officer, incident["id"], people(5))
    publish_events(mailing)
    ((letter_ids, _),) = dispatched.take()
    write_pending = delivery._write_pending_attempts
    chunks = []

    def fails_on_the_second_chunk(*args, **kwargs):
        chunks.append(1)
        if len(chunks) == 2:
            raise ConnectionResetError("the database went away")
        return write_pending(*args, **kwargs)

    def deliver():
        return delivery.deliver_letters(
            uow_factory=unit_of_work_factory(mailing),
            vault=open_vault(mailing.settings),
            settings=mailing.settings,
            letter_ids=letter_ids,
        )

    monkeypatch.setattr(delivery, "_write_pending_attempts", fails_on_the_second_chunk)
    with pytest.raises(ConnectionResetError):
        deliver()
    monkeypatch.setattr(delivery, "_write_pending_attempts", write_pending)
    with mailing.uow().read_only() as uow:
        rows = uow.session.query(LetterRow).order_by(LetterRow.id).all()
        statuses = [(row.status, row.lease_until is None) for row in rows]
    # in id order, as the batch goes: two sent, two held under the lease, the last given back
    assert statuses == [("delivered", True)] * 2 + [("sending", False)] * 2 + [("queued", True)]
    retried = deliver()  # the message's retry, seconds later: no waiting for the lease
    assert retried.claimed == 1
    assert retried.delivered == 1
    assert sorted(smtp_server.recipients().values()) == [1, 1, 1]
