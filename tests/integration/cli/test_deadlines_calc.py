"""`herstel deadlines calc`: the calculator from the command line, through click's runner."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import main


def calc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["deadlines", "calc", *args])
    return result.exit_code, result.output


def test_fifteen_days_under_eu_law() -> None:
    code, out = calc("--from", "2028-05-11", "--period", "P15D", "--rule", "eu", "--lang", "en")

    assert code == 0, out
    assert "due_at: 2028-05-26T22:00:00Z" in out
    assert "last_day: 2028-05-26" in out


def test_the_atw_names_the_decree_day_in_dutch() -> None:
    code, out = calc("--from", "2028-05-11", "--period", "P15D", "--rule", "atw")

    assert code == 0, out
    assert "last_day: 2028-05-29" in out
    assert "Vrijdag 26 mei 2028 is een feestdag (gelijkgestelde dag)" in out


def test_six_weeks_over_whit_monday() -> None:
    code, out = calc("--from", "2026-04-13", "--period", "P6W", "--rule", "atw", "--lang", "en")

    assert code == 0, out
    assert "last_day: 2026-05-26" in out
    assert "(Tweede pinksterdag)" in out


def test_72_hours_across_the_autumn_clock_change() -> None:
    code, out = calc("--from", "2026-10-23T10:00:00+02:00", "--period", "PT72H", "--rule", "hours", "--lang", "en")

    assert code == 0, out
    assert "due_at: 2026-10-26T08:00:00Z" in out
    assert "last_day: -" in out
    assert "next full hour" in out


def test_a_count_beyond_the_decree_days_warns() -> None:
    code, out = calc("--from", "2029-05-07", "--period", "P1D", "--rule", "workdays", "--lang", "en")

    assert code == 0, out
    assert "Warning: calendar nl-atw knows the days equated with holidays by decree only up to 2028" in out


def test_a_duration_the_law_does_not_use_is_refused_naming_the_field() -> None:
    code, out = calc("--from", "2028-05-11", "--period", "P1Y", "--rule", "eu")

    assert code == 1
    assert '"period"' in out
    assert "PnD, PnW, PnM or PTnH" in out


def test_an_unknown_rule_is_refused() -> None:
    code, out = calc("--from", "2028-05-11", "--period", "P1D", "--rule", "julian")

    assert code == 2
    assert "atw" in out
