"""`herstel log checkpoint` and `herstel log verify`: the installation-wide transparency log."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.context import Context, pass_context
from protocol.services import installation_public_key, sign_log, verify_log


@click.group("log")
def log_group() -> None:
    """The transparency log of every event (signed tree heads)."""


@log_group.command("checkpoint")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the signed head here."
)
@pass_context
def log_checkpoint(context: Context, out: Path | None) -> None:
    """Sequence the committed events into the log and sign its head now."""
    herstel = context.herstel
    head = sign_log(uow_factory=herstel.uow, private_key=herstel.settings.signing_key_bytes())
    document = json.dumps(head, indent=1, sort_keys=True)
    if out is not None:
        out.write_text(document + "\n", "utf-8")
        click.echo(f"tree head of size {head['size']}, root {head['root']}, key {head['key_id']}")
    else:
        click.echo(document)


@log_group.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A signed tree head kept outside Herstel.",
)
@click.option(
    "--public-key", default=None, help="The (base64) key it must be signed with; default: this installation's."
)
@pass_context
def log_verify(context: Context, checkpoint_file: Path, public_key: str | None) -> None:
    """Recompute the log from the events' contents and compare it with a kept head. Exit 1 if it differs."""
    herstel = context.herstel
    key = public_key or installation_public_key(private_key=herstel.settings.signing_key_bytes())
    report = verify_log(uow=herstel.uow(), document=checkpoint_file.read_text("utf-8"), public_key=key)
    click.echo(json.dumps(report, indent=1))
    if not report["valid"]:
        where = report["first_invalid_leaf"]
        click.echo(f"INVALID{'' if where is None else f' at leaf {where}'}: {report['reason']}", err=True)
        sys.exit(1)
