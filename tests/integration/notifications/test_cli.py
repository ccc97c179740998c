"""`herstel persons import INCIDENT FILE --user EMAIL`: counts on success, every bad row on refusal."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import main
from installation import bootstrap, load_settings, upgrade_database
from notifications.services import list_persons, open_vault, unit_of_work
from tests.integration.notifications.conftest import people, persons_file
from tests.integration.notifications.stack import officer_and_incident


def test_persons_import_from_the_command_line(tmp_path):
    env = {"HERSTEL_DATA_DIR": str(tmp_path), "HERSTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    herstel = bootstrap(load_settings(env))  # the same data directory, so the same generated keys
    upgrade_database(herstel=herstel)
    officer, incident = officer_and_incident(herstel)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(persons_file(people(3)))
    bad.write_bytes(persons_file(people(3)).replace(b"1234 AB", b"12345"))
    runner = CliRunner()

    result = runner.invoke(
        main, ["persons", "import", str(incident["id"]), str(good), "--user", "o@example.nl"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "imported 3 person(s), merged 0 duplicate row(s)" in result.output

    result = runner.invoke(
        main, ["persons", "import", str(incident["id"]), str(bad), "--user", "o@example.nl"], env=env
    )
    assert result.exit_code == 1
    assert "row 2: postal_code: not a Dutch postcode" in result.output
    assert "row 4: postal_code" in result.output

    result = runner.invoke(
        main, ["persons", "import", str(incident["id"]), str(good), "--user", "nobody@x.nl"], env=env
    )
    assert result.exit_code == 1
    assert "no user nobody@x.nl" in result.output
    assert (
        list_persons(
            uow=unit_of_work(herstel), vault=open_vault(herstel.settings), principal=officer, incident_id=incident["id"]
        )["total"]
        == 3
    )
    herstel.close()
