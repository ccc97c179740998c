"""`herstel up`/`demo` without services: the in-process sink, the embedded workers, the seeded campaign."""

from __future__ import annotations

import time

from installation import bootstrap, upgrade_database
from installation.sink import on_up
from notifications.services import (
    get_captured_mail,
    letters_summary,
    list_captured_mail,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import Principal
from tests.conftest import make_settings
from tests.integration.notifications.conftest import assessed_incident


def test_demo_letters_reach_the_sink_through_the_embedded_workers(tmp_path):
    herstel = bootstrap(make_settings(tmp_path, f"sqlite:///{tmp_path / 'demo.db'}"))
    upgrade_database(herstel=herstel)
    herstel, stop_sink = on_up(herstel)
    assert herstel.settings.smtp_host == "127.0.0.1"
    assert herstel.settings.smtp_port > 0
    from notifications.demo import seed
    from protocol.services import create_user, ensure_default_organisation, get_principal, register_algorithm
    from workers.embedded import EmbeddedStack

    stack = EmbeddedStack(herstel, worker_threads=2, scheduler=False)
    stack.start()
    try:
        organisation = ensure_default_organisation(uow=herstel.uow())
        officer = get_principal(
            uow=herstel.uow(),
            user_id=create_user(
                uow=herstel.uow(),
                by=Principal.installation(),
                email="o@demo.nl",
                roles=["officer"],
                organisation_id=organisation,
            ),
        )
        algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Demo", lars="12345670")
        incident = assessed_incident(herstel, officer, algorithm, "established")
        seeded = seed(
            uow_factory=unit_of_work_factory(herstel),
            vault=herstel.vault,
            max_bytes=herstel.settings.max_body_bytes,
            incident_id=incident["id"],
            officer=officer,
            persons=20,
        )
        assert seeded["imported"] == 20
        assert seeded["letters"] == 20
        deadline = time.monotonic() + 60
        summary = {}
        while time.monotonic() < deadline:
            summary = letters_summary(uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"])
            if summary["open"] == 0:
                break
            time.sleep(0.2)
        assert summary["open"] == 0
        assert summary["by_status"] == {"delivered": 20}
        mailbox = list_captured_mail(uow=unit_of_work(herstel), data_dir=herstel.settings.data_dir, principal=officer)
        assert mailbox["total"] == summary["by_channel"]["email"]["delivered"]
        first = get_captured_mail(
            uow=unit_of_work(herstel),
            data_dir=herstel.settings.data_dir,
            principal=officer,
            mail_id=mailbox["items"][0]["id"],
        )
        assert "Gemeente Voorbeeldstad" in first["text"]
        assert (
            get_captured_mail(
                uow=unit_of_work(herstel),
                data_dir=herstel.settings.data_dir,
                principal=officer,
                mail_id="../../etc/passwd",
            )
            is None
        )
    finally:
        stack.stop()
        stop_sink()
        herstel.close()
