"""`herstel export` and `herstel verify-export`: an incident's bundle, and checking one offline."""

from __future__ import annotations

import base64
import binascii
import json
import sys
import uuid
from pathlib import Path

import click

from cli.context import INSTALLATION, Context, pass_context
from protocol.services import export_incident, verify_export


@click.command("export")
@click.argument("incident", type=click.UUID)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The bundle (a zip).")
@click.option(
    "--since",
    type=click.IntRange(min=0),
    default=None,
    help="Size of a kept tree head: add the consistency proof from it.",
)
@click.option(
    "--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Of the PDF summary."
)
@pass_context
def export(context: Context, incident: uuid.UUID, out: Path, since: int | None, language: str) -> None:
    """Write an incident's export bundle: events, inclusion proofs, the signed tree head, the definition, a PDF."""
    herstel = context.herstel
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("wb") as stream:
            manifest = export_incident(
                uow_factory=herstel.uow,
                principal=INSTALLATION,
                incident_id=incident,
                private_key=herstel.settings.signing_key_bytes(),
                out=stream,
                since=since,
                language=language,
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    click.echo(
        f"{manifest['events']} events of {manifest['reference']} under the tree head of size {manifest['tree_size']}"
    )


def _public_key(value: str) -> bytes:
    """A raw Ed25519 key from base64, or from a file holding it (or the /oversight/public-key document)."""
    path = Path(value)
    text = path.read_text("utf-8").strip() if path.is_file() else value.strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text)["public_key"])
        except (ValueError, KeyError, TypeError):
            raise click.BadParameter("a JSON key document must hold public_key", param_hint="--public-key") from None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise click.BadParameter("not base64", param_hint="--public-key") from None
    if len(key) != 32:
        raise click.BadParameter("an Ed25519 public key is 32 bytes", param_hint="--public-key")
    return key


@click.command("verify-export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", required=True, help="The trusted key (base64, or a file holding it).")
@click.option(
    "--checkpoint",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A tree head kept earlier: the bundle's must extend it.",
)
def verify_export_command(file: Path, public_key: str, checkpoint: Path | None) -> None:
    """Check a bundle offline (no database, no configuration). Exit 1 naming the first problem."""
    key = _public_key(public_key)
    earlier = None
    if checkpoint is not None:
        try:
            earlier = json.loads(checkpoint.read_text("utf-8"))
        except ValueError:
            raise click.BadParameter("not a JSON tree head", param_hint="--checkpoint") from None
    report = verify_export(file, key, earlier)
    click.echo(json.dumps(report.as_dict(), indent=1))
    if not report.valid:
        where = f"{report.member or 'bundle'}" + ("" if report.seq is None else f", event seq {report.seq}")
        click.echo(f"INVALID ({where}): {report.reason}", err=True)
        sys.exit(1)
