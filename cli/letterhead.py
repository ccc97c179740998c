"""`herstel organisation letterhead ORG`: show or set whose letters an organisation's letters are."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import INSTALLATION, Context, pass_context
from notifications.services import LOGO_LIMIT, get_letterhead, set_letterhead
from protocol.services import organisation_id_for

# option → the letterhead's field; an option not given keeps what the letterhead says now
FIELDS = {
    "name": "name",
    "address": "postal_address",
    "phone": "phone",
    "email": "email",
    "website": "website",
    "signatory_name": "signatory_name",
    "signatory_title": "signatory_title",
}


@click.command("letterhead")
@click.argument("organisation")
@click.option("--name", default=None, help="The organisation's name as letters print it.")
@click.option(
    "--address",
    multiple=True,
    help="The postal address, where readers send an objection: once per line "
    "(--address 'Postbus 1234' --address '1000 AB  Voorbeeldstad'), or one value with line breaks.",
)
@click.option("--phone", default=None, help="The phone number readers call with questions.")
@click.option("--email", default=None, help="An e-mail address for questions (optional).")
@click.option("--website", default=None, help="The organisation's website (optional).")
@click.option("--signatory-name", default=None, help="Who signs the letters.")
@click.option("--signatory-title", default=None, help="Their function, e.g. 'directeur Dienstverlening'.")
@click.option(
    "--logo",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=f"A PNG or JPEG file of at most {LOGO_LIMIT // 1024} KiB.",
)
@click.option("--remove-logo", is_flag=True, help="Letters from now on without a logo.")
@pass_context
def letterhead(
    context: Context,
    /,
    organisation: str,
    address: tuple[str, ...],
    logo: Path | None,
    remove_logo: bool,
    **given: str | None,
) -> None:
    """Show an organisation's letterhead (ORGANISATION is its slug), or set what the options give.

    Letters sent before keep the letterhead they were sent with."""
    herstel = context.herstel
    organisation_id = organisation_id_for(uow=herstel.uow(), slug=organisation)
    current = get_letterhead(uow=herstel.uow(), principal=INSTALLATION, organisation_id=organisation_id)
    changes = {FIELDS[option]: value for option, value in given.items() if value is not None}
    if address:
        changes["postal_address"] = "\n".join(address)
    if changes or logo is not None or remove_logo:
        values = {field: str(current[field] or "") for field in FIELDS.values()} | changes
        current = set_letterhead(
            uow=herstel.uow(),
            principal=INSTALLATION,
            organisation_id=organisation_id,
            values=values,
            logo=_read(logo, LOGO_LIMIT + 1) if logo is not None else None,
            remove_logo=remove_logo,
        )
        click.echo(f"letterhead of {organisation} set")
    for option, field in FIELDS.items():
        value = str(current[field] or "-").replace("\n", " / ")
        click.echo(f"{option.replace('_', '-')}: {value}")
    shown = current["logo"]
    click.echo(
        f"logo: {shown['media_type']} {shown['width']}x{shown['height']} {shown['sha256'][:12]}" if shown else "logo: -"
    )
    if current["missing"]:
        click.echo(f"campaigns refused until set: {', '.join(current['missing'])}", err=True)


def _read(path: Path, limit: int) -> bytes:
    """At most `limit` bytes: one more than a logo may have is enough to refuse it as too large."""
    with path.open("rb") as file:
        return file.read(limit)
