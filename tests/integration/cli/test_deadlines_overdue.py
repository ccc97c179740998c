"""`herstel deadlines overdue`: the deadlines past due and not met, with their owners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from installation import bootstrap, load_settings, upgrade_database
from tests.integration.notifications.stack import officer_and_incident


def test_overdue_deadlines_are_listed_with_step_rule_days_and_owner(tmp_path: Path) -> None:
    env = {"HERSTEL_DATA_DIR": str(tmp_path), "HERSTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    runner = CliRunner()
    herstel = bootstrap(load_settings(env))
    upgrade_database(herstel=herstel)
    herstel.close()
    empty = runner.invoke(main, ["deadlines", "overdue"], env=env)
    assert empty.exit_code == 0, empty.output
    assert "no overdue deadlines" in empty.output

    past = datetime.now(UTC) - timedelta(days=120)  # the incident was worked on four months ago
    herstel = bootstrap(load_settings(env), clock=lambda: past)
    _officer, incident = officer_and_incident(herstel)
    herstel.close()
    result = runner.invoke(main, ["deadlines", "overdue"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["reference", "step", "rule", "due", "days", "overdue", "owner"]
    rows = [line for line in lines[1:] if line.startswith(incident["reference"])]
    assert rows, result.output
    for row in rows:
        cells = row.split()
        assert int(cells[4]) > 0  # whole days overdue
        assert cells[-1] != "-"  # the reporting officer owns it
    # `herstel deadlines --overdue`, as the issue spells it, is the same list
    flag = runner.invoke(main, ["deadlines", "--overdue"], env=env)
    assert flag.exit_code == 0, flag.output
    assert flag.output == result.output
    bare = runner.invoke(main, ["deadlines"], env=env)
    assert bare.exit_code == 0
    assert "--overdue" in bare.output  # no choice made: the group's help
