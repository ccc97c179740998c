"""`herstel deadlines calc`: when a legal period after an event expires, and each day that extended it."""

from __future__ import annotations

import click

from protocol.services import calculate_due, legal_calendars
from web.explanations import catalogue_gettext, explain

RULES = ["atw", "eu", "hours", "workdays"]


@click.group()
def deadlines() -> None:
    """Legal deadlines."""


@deadlines.command("calc")
@click.option("--from", "start", required=True, help="The day (2028-05-11) or moment with zone of the event.")
@click.option("--period", required=True, help="ISO 8601: PnD (working days under workdays), PnW, PnM or PTnH.")
@click.option("--rule", type=click.Choice(RULES), required=True, help="atw, eu (Regulation 1182/71), hours, workdays.")
@click.option(
    "--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language of the explanation."
)
def deadlines_calc(start: str, period: str, rule: str, lang: str) -> None:
    """Count a period as the law counts it; the event's own day is not part of a period in days."""
    due = calculate_due(calendars=legal_calendars(), start=start, period=period, rule=rule)
    click.echo(f"due_at: {due['due_at'].isoformat().replace('+00:00', 'Z')}")
    click.echo(f"last_day: {due['last_day'].isoformat() if due['last_day'] else '-'}")
    for number, part in enumerate(explain(due["explanation"], gettext=catalogue_gettext(lang), locale=lang), 1):
        click.echo(f"{number}. {part['text']}")
