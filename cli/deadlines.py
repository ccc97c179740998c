"""`herstel deadlines calc`: when a legal period after an event expires, and each day that extended it.
`herstel deadlines overdue` (or `--overdue`): the deadlines past due and not met, on every open incident."""

from __future__ import annotations

import click

from cli.context import INSTALLATION, Context, pass_context
from protocol.services import calculate_due, legal_calendars, overdue_deadlines
from web.explanations import catalogue_gettext, explain

RULES = ["atw", "eu", "hours", "workdays"]


@click.group(invoke_without_command=True)
@click.option("--overdue", is_flag=True, help="List the overdue deadlines (the same as `herstel deadlines overdue`).")
@click.pass_context
def deadlines(click_context: click.Context, overdue: bool) -> None:
    """Legal deadlines."""
    if click_context.invoked_subcommand is not None:
        return
    if not overdue:
        click.echo(click_context.get_help())
        return
    click_context.invoke(deadlines_overdue)


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


@deadlines.command("overdue")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@pass_context
def deadlines_overdue(context: Context, limit: int) -> None:
    """Deadlines past due and not met on open incidents, longest overdue first: reference, step,
    rule, due, days overdue, owner (what `Wat op u wacht` shows each owner, for the whole installation)."""
    rows = overdue_deadlines(uow=context.herstel.uow(), principal=INSTALLATION, limit=limit)
    if not rows:
        click.echo("no overdue deadlines")
        return
    header = ("reference", "step", "rule", "due", "days overdue", "owner")
    table = [
        (
            row["reference"],
            row["step"] or "-",
            row["rule"],
            row["due_at"].isoformat(timespec="minutes").replace("+00:00", "Z"),
            str(row["days_overdue"]),
            row["owner"]["name"] if row["owner"] else "-",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in (header, *table)) for i in range(len(header))]
    for line in (header, *table):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
