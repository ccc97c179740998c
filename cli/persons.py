"""`herstel persons import INCIDENT FILE`: load the affected persons of an incident from a CSV file."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import click

from cli.context import Context, pass_context
from notifications.services import FileTooLarge, PersonsFileRejected, import_persons, unit_of_work
from protocol.services import NotFound, Principal, get_principal, list_users, messages


@click.group()
def persons() -> None:
    """Affected persons of an incident."""


def _principal(context: Context, email: str) -> Any:
    herstel = context.herstel
    user = next(
        (u for u in list_users(uow=herstel.uow(), by=Principal.installation()) if u["email"].lower() == email.lower()),
        None,
    )
    if user is None:
        raise NotFound(messages.NO_USER(user=email), rule="unknown-user")
    return get_principal(uow=herstel.uow(), user_id=user["id"])


@persons.command("import")
@click.argument("incident", type=click.UUID)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The officer on whose behalf the file is imported.")
@pass_context
def persons_import(context: Context, incident: uuid.UUID, file: Path, email: str) -> None:
    """Import a CSV of affected persons (all or nothing; every bad row is listed)."""
    principal = _principal(context, email)
    data = file.read_bytes()
    with click.progressbar(length=100, label="checking and storing", show_percent=True) as bar:
        shown = [0]

        def progress(stage: str, done: int, total: int) -> None:
            share = (0 if stage == "check" else 50) + int(50 * done / max(total, 1))
            if share > shown[0]:
                bar.update(share - shown[0])
                shown[0] = share

        try:
            result = import_persons(
                uow=unit_of_work(context.herstel),
                vault=context.herstel.vault,
                max_bytes=context.herstel.settings.max_body_bytes,
                principal=principal,
                incident_id=incident,
                data=data,
                progress=progress,
            )
        except PersonsFileRejected as refused:
            bar.render_finish()
            click.echo(f"refused: {refused.message}", err=True)
            for row in refused.rows:
                click.echo(f"  row {row.row}: {row.field}: {row.message}", err=True)
            if refused.total > len(refused.rows):
                click.echo(f"  … and {refused.total - len(refused.rows)} more", err=True)
            sys.exit(1)
        except FileTooLarge as error:
            bar.render_finish()
            click.echo(f"refused: {error}", err=True)
            sys.exit(1)
        bar.update(100 - shown[0])
    click.echo(f"imported {result['imported']} person(s), merged {result['merged']} duplicate row(s)")
