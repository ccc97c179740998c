"""The `herstel` command: administration, the processes of a production setup, and the demo."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from cli import deadlines, export, letterhead, persons, serve, transparency
from cli.context import INSTALLATION, Context, pass_context
from installation import database_status, downgrade_database, upgrade_database
from protocol.services import (
    CheckpointFormatError,
    ConfigError,
    ProtocolError,
    check_definition_file,
    create_checkpoint,
    create_organisation,
    create_token,
    create_user,
    invite_user,
    list_definitions,
    list_tokens,
    list_users,
    make_process_private,
    organisation_id_for,
    register_definition,
    revoke_role,
    revoke_token,
    set_user_active,
    verify_against_checkpoint,
    verify_all,
    verify_incident,
)

ROLES = ["officer", "coordinator", "investigator", "oversight", "admin"]


class HerstelGroup(click.Group):
    """Turns the errors users can cause into one clear line and exit status 1 or 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProtocolError as error:
            details = getattr(error, "errors", None)
            click.echo(
                f"error: {error}" + (f" {json.dumps(details, ensure_ascii=False)}" if details else ""),
                err=True,
            )
            sys.exit(1)
        except ConfigError as error:
            click.echo(f"configuration error: {error}", err=True)
            sys.exit(2)
        except CheckpointFormatError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)


@click.group(cls=HerstelGroup)
@click.option("--data-dir", envvar="HERSTEL_DATA_DIR", default=None, help="Where the embedded database and keys live.")
@click.option("-v", "--verbose", count=True, help="More logging.")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, verbose: int) -> None:
    """Herstel: carry a discriminating algorithm through the discrimination protocol."""
    make_process_private()  # before anything is written: the data directory holds personal data
    logging.basicConfig(
        level=logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Context(data_dir=data_dir)


# ---------------------------------------------------------------------- database


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_context
def db_upgrade(context: Context, revision: str) -> None:
    """Create or migrate the schema; registers the built-in protocol definitions."""
    registered = upgrade_database(herstel=context.herstel, revision=revision)
    status = database_status(herstel=context.herstel)
    click.echo(f"database at revision {status['current']}; protocols: {', '.join(registered) or '-'}")


@db.command("downgrade")
@click.option("--revision", required=True, help="Target revision, e.g. base.")
@pass_context
def db_downgrade(context: Context, revision: str) -> None:
    """Migrate the schema down (destroys data of the removed tables)."""
    downgrade_database(herstel=context.herstel, revision=revision)
    click.echo(f"database at revision {database_status(herstel=context.herstel)['current']}")


@db.command("status")
@pass_context
def db_status(context: Context) -> None:
    """Show the schema revision and whether the models drift from it."""
    status = database_status(herstel=context.herstel)
    click.echo(json.dumps(status, indent=1))
    if not status["up_to_date"] or status["drift"]:
        sys.exit(1)


# ---------------------------------------------------------------------- organisations and users


@main.group()
def organisation() -> None:
    """Organisations sharing this installation."""


@organisation.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--prefix", "reference_prefix", required=True, help="Capital letters for incident references.")
@pass_context
def organisation_create(context: Context, slug: str, name: str, reference_prefix: str) -> None:
    """Add an organisation."""
    organisation_id = create_organisation(
        uow=context.herstel.uow(), slug=slug, name=name, reference_prefix=reference_prefix
    )
    click.echo(str(organisation_id))


organisation.add_command(letterhead.letterhead)


@main.group()
def user() -> None:
    """Users and their roles."""


@user.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    help="Organisation slug, once per organisation the roles hold in (default: the default organisation). "
    "An oversight body supervising several organisations is given each.",
)
@click.option("--name", default=None, help="Display name.")
@click.option("--password", is_flag=True, help="Ask for a password (for the pages).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def user_create(
    context: Context,
    email: str,
    roles: tuple[str, ...],
    organisations: tuple[str, ...],
    name: str | None,
    password: bool,
    password_stdin: bool,
) -> None:
    """Create a user (or add roles to an existing one), in one or more organisations."""
    secret = None
    if password_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    elif password:
        secret = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    herstel = context.herstel
    # every slug is resolved first, so a misspelt one grants nothing anywhere
    organisation_ids = [
        organisation_id_for(uow=herstel.uow(), slug=slug) for slug in dict.fromkeys(organisations or (None,))
    ]
    user_id = None
    for organisation_id in organisation_ids:
        user_id = create_user(
            uow=herstel.uow(),
            by=INSTALLATION,
            email=email,
            roles=list(roles),
            organisation_id=organisation_id,
            display_name=name,
            password=secret,
        )
        secret = None  # set once, with the first organisation
    where = f" in {', '.join(organisations)}" if organisations else ""
    click.echo(f"user {email} ({user_id}): {', '.join(roles)}{where}")


@user.command("revoke")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--organisation", "organisations", multiple=True, help="Organisation slug, once per organisation.")
@pass_context
def user_revoke(context: Context, email: str, role: str, organisations: tuple[str, ...]) -> None:
    """Take a role away in one or more organisations; it ends at the user's next request."""
    herstel = context.herstel
    organisation_ids = [
        (slug, organisation_id_for(uow=herstel.uow(), slug=slug)) for slug in dict.fromkeys(organisations or (None,))
    ]
    for slug, organisation_id in organisation_ids:
        removed = revoke_role(
            uow=herstel.uow(), by=INSTALLATION, email=email, role=role, organisation_id=organisation_id
        )
        where = slug or "the default organisation"
        click.echo(f"user {email}: {role} in {where} " + ("revoked" if removed else "was not held"))


@user.command("invite")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--organisation", default=None, help="Organisation slug (default: the default organisation).")
@click.option("--name", default=None, help="Display name.")
@pass_context
def user_invite(
    context: Context, email: str, roles: tuple[str, ...], organisation: str | None, name: str | None
) -> None:
    """Invite someone: prints the single-use link with which they choose their own password (valid 7 days)."""
    herstel = context.herstel
    invitation = invite_user(
        uow=herstel.uow(),
        principal=INSTALLATION,
        email=email,
        roles=list(roles),
        organisation_id=organisation_id_for(uow=herstel.uow(), slug=organisation),
        display_name=name,
    )
    click.echo(f"invitation {invitation.id} for {invitation.email}: {', '.join(invitation.roles)}")
    click.echo("give this link to the invitee only (it is not shown again):")
    click.echo(invitation.link(herstel.settings.base_url))


@user.command("list")
@pass_context
def user_list(context: Context) -> None:
    """List users and their roles."""
    for row in list_users(uow=context.herstel.uow(), by=INSTALLATION):
        roles = ", ".join(role for _, role in row["roles"])
        click.echo(f"{row['email']}\t{roles}\t{'active' if row['active'] else 'inactive'}")


@user.command("deactivate")
@click.argument("email")
@pass_context
def user_deactivate(context: Context, email: str) -> None:
    """Switch a user off; their tokens stop working."""
    set_user_active(uow=context.herstel.uow(), by=INSTALLATION, email=email, active=False)
    click.echo(f"user {email} deactivated")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--user", "email", required=True)
@click.option("--name", default="api")
@pass_context
def token_create(context: Context, email: str, name: str) -> None:
    """Issue an API token; the token is the last line printed, and is shown only once."""
    issued = create_token(uow=context.herstel.uow(), by=INSTALLATION, email=email, name=name)
    click.echo(f"token {issued.id} for {email} (keep it secret; it is not shown again):")
    click.echo(issued.secret)


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
@pass_context
def token_revoke(context: Context, token_id: uuid.UUID) -> None:
    """Revoke a token."""
    revoke_token(uow=context.herstel.uow(), principal=INSTALLATION, token_id=token_id)
    click.echo(f"token {token_id} revoked")


@token.command("list")
@pass_context
def token_list(context: Context) -> None:
    """List every token (never the secrets)."""
    for row in list_tokens(uow=context.herstel.uow(), principal=INSTALLATION):
        state = "revoked" if row["revoked_at"] else "active"
        click.echo(f"{row['id']}\t{row['prefix']}…\t{row['user_id']}\t{row['name']}\t{state}")


# ---------------------------------------------------------------------- protocol definitions


@main.group()
def protocol() -> None:
    """Protocol definitions."""


@protocol.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def protocol_check(file: Path) -> None:
    """Validate a definition file; names the file and key of the first problem."""
    definition = check_definition_file(file)
    click.echo(
        f"{file}: {definition.ref} is valid: {len(definition.steps)} steps, {len(definition.deadlines)} deadline rules"
    )


@protocol.command("register")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--organisation", default=None, help="Organisation slug the definition belongs to.")
@pass_context
def protocol_register(context: Context, file: Path, organisation: str | None) -> None:
    """Register a new definition version (a registered version never changes)."""
    herstel = context.herstel
    organisation_id = organisation_id_for(uow=herstel.uow(), slug=organisation) if organisation else None
    definition = register_definition(
        uow=herstel.uow(), text=file.read_text("utf-8"), source=str(file), organisation_id=organisation_id
    )
    click.echo(f"registered {definition.ref} ({definition.digest[:12]})")


@protocol.command("list")
@pass_context
def protocol_list(context: Context) -> None:
    """List the registered definitions."""
    for row in list_definitions(uow=context.herstel.uow()):
        click.echo(f"{row['key']}@{row['version']}\t{row['digest'][:12]}")


# ---------------------------------------------------------------------- the timeline


@main.command()
@click.argument("incident", required=False, type=click.UUID)
@click.option("--all", "verify_everything", is_flag=True, help="Verify every incident's chain.")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, path_type=Path),
    help="Also check the chains against a kept checkpoint.",
)
@click.option(
    "--public-key",
    default=None,
    help="Checkpoints must be signed with this (base64) key; default: the installation's own signing key.",
)
@pass_context
def verify(
    context: Context,
    incident: uuid.UUID | None,
    verify_everything: bool,
    checkpoint_file: Path | None,
    public_key: str | None,
) -> None:
    """Recompute hash chains and name the first event that does not match. Exit 1 if any fails.

    Each chain is also held to the latest signed checkpoint in the database, when there is one.
    """
    herstel = context.herstel
    failed = False
    if checkpoint_file is not None:
        result = verify_against_checkpoint(
            uow_factory=herstel.uow,
            document=checkpoint_file.read_text("utf-8"),
            trusted_public_key=public_key,
        )
        click.echo(json.dumps(result, default=str, indent=1))
        failed |= not result["valid"]
    if incident is None and not verify_everything and checkpoint_file is None:
        raise click.UsageError("name an INCIDENT, or give --all or --checkpoint")
    reports = []
    key = public_key or herstel.checkpoint_public_key()
    if incident is not None:
        reports.append(
            verify_incident(uow=herstel.uow(), principal=INSTALLATION, incident_id=incident, trusted_public_key=key)
        )
    if verify_everything:
        reports.extend(verify_all(uow_factory=herstel.uow, principal=INSTALLATION, trusted_public_key=key))
    for report in reports:
        if report.valid:
            held = f", holds the checkpoint of {report.checkpoint_at.isoformat()}" if report.checkpoint_at else ""
            click.echo(f"{report.incident_id}: valid, {report.events} events, head {report.head}{held}")
        else:
            failed = True
            click.echo(f"{report.incident_id}: INVALID at event {report.first_invalid_seq}: {report.reason}")
    if verify_everything:
        click.echo(f"{sum(r.valid for r in reports)} of {len(reports)} chains valid")
    if failed:
        sys.exit(1)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the signed document here.")
@pass_context
def checkpoint(context: Context, out: Path | None) -> None:
    """Sign the head of every chain now; `verify` holds chains to it, and a copy kept outside proves more."""
    herstel = context.herstel
    signed = create_checkpoint(
        uow=herstel.uow(), principal=INSTALLATION, private_key=herstel.settings.signing_key_bytes()
    )
    document = signed.to_json()
    if out is not None:
        out.write_text(document, "utf-8")
    click.echo(f"checkpoint of {len(signed.heads)} chain(s), root {signed.root}, key {signed.public_key}")
    if out is None:
        click.echo(document)


@main.group()
def keys() -> None:
    """Secrets for a production installation."""


@keys.command("generate")
def keys_generate() -> None:
    """Print fresh values for the secret settings, as environment lines (store them in a secret store)."""
    import base64
    import secrets

    def b64(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode()

    key_id = "k" + secrets.token_hex(3)
    click.echo(f"HERSTEL_SECRET_KEY={secrets.token_urlsafe(48)}")
    click.echo(f"HERSTEL_ENCRYPTION_KEYS={key_id}:{b64(32)}")
    click.echo(f"HERSTEL_HASH_KEY={b64(32)}")
    click.echo(f"HERSTEL_SIGNING_KEY={b64(32)}")


# the commands of the other modules (they import `cli.context`, never this module)
for _command in (
    serve.up,
    serve.demo,
    serve.web,
    serve.worker,
    serve.scheduler,
    persons.persons,
    transparency.log_group,
    deadlines.deadlines,
    export.export,
    export.verify_export_command,
):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
