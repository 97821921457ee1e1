"""The `folio` command: the server, and administration of its data folder."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from folio import logs
from folio.cli import remote
from folio.config import Settings
from folio.errors import FolioError
from folio.persistence.database import SchemaOutdated
from folio.services.accounts import Caller
from folio.services.space import Space

__all__ = ["main"]

P = ParamSpec("P")
T = TypeVar("T")

OWNER_EMAIL = "owner@folio.local"

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data folder (default: $FOLIO_DATA_DIR or ./folio-data).",
)


def _settings(data_dir: Path | None, **overrides: Any) -> Settings:
    return Settings.from_env(data_dir=data_dir, **overrides)


def _run(settings: Settings, work: Callable[[Space], Awaitable[T]]) -> T:
    """Open the data folder (creating and migrating it), do the work, close it."""

    async def run() -> T:
        space = Space.from_settings(settings)
        await space.open(migrate=settings.migrate)
        try:
            return await work(space)
        finally:
            await space.aclose()

    try:
        return asyncio.run(run())
    except FolioError as exc:
        raise click.ClickException(exc.message) from exc
    except SchemaOutdated as exc:
        raise click.ClickException(str(exc)) from exc


async def _user(space: Space, email: str) -> Any:
    portal_id = await space.accounts.portal()
    user = await space.accounts.user_by_email(portal_id, email)
    if user is None:
        raise click.ClickException(f"There is no user with the e-mail {email}.")
    return user


@click.group()
@click.version_option(package_name="folio")
def main() -> None:
    """Folio: a self-hosted document space that speaks the DocSpace Files API."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to bind.")
@data_dir_option
@click.option(
    "--no-fsync",
    is_flag=True,
    default=False,
    help="Do not fsync uploads before answering (for throwaway data only).",
)
@click.option("--public-url", default=None, help="Origin clients reach this server at.")
@click.option(
    "--emulator",
    is_flag=True,
    default=None,
    help="Emulator mode: many portals, resets, snapshots, faults (never real data).",
)
@click.option(
    "--ephemeral",
    is_flag=True,
    default=False,
    help="Keep the data in a temporary folder, removed at exit.",
)
@click.option(
    "--rate-limit",
    is_flag=True,
    default=None,
    help="Limit request rates as DocSpace does (emulator mode).",
)
@click.option(
    "--no-migrate",
    is_flag=True,
    default=False,
    help="Refuse to start on an outdated schema instead of upgrading it.",
)
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    no_fsync: bool,
    public_url: str | None,
    emulator: bool | None,
    ephemeral: bool,
    rate_limit: bool | None,
    no_migrate: bool,
) -> None:
    """Serve the API, creating the data folder and an owner account on first start."""
    import uvicorn

    from folio.api.app import create_app

    temporary = None
    if ephemeral:
        if data_dir is not None:
            raise click.UsageError("--ephemeral and --data-dir exclude each other.")
        temporary = Path(tempfile.mkdtemp(prefix="folio-"))
        data_dir = temporary
    try:
        settings = _settings(
            data_dir,
            # Throwaway data needs no fsync.
            fsync=False if no_fsync or ephemeral else None,
            public_url=public_url,
            emulator=emulator,
            rate_limit=rate_limit,
            migrate=False if no_migrate else None,
        )
        logs.configure(json_lines=settings.log_json)
        _run(settings, _first_start)
        mode = "emulator mode" if settings.emulator else "self-hosted mode"
        where = "a temporary folder" if temporary else str(settings.data_dir)
        # A line for people in text mode; one structured event in JSON mode.
        if settings.log_json:
            logging.getLogger("folio.cli").info(
                "event=serve.start url=http://%s:%d mode=%s", host, port, mode
            )
        else:
            click.echo(
                f"Folio is serving {where} at http://{host}:{port} in {mode}",
                err=True,
            )
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level="info",
            # Logging is set up above; Folio's middleware writes the access lines.
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=5,
            # Folio serves no WebSockets; not loading their support starts faster.
            ws="none",
        )
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


async def _first_start(space: Space) -> None:
    """Create the owner of an empty data folder and show their credentials once."""
    portal_id = await space.accounts.portal()
    if await space.accounts.has_users(portal_id):
        return
    password = secrets.token_urlsafe(12)
    try:
        owner = await space.accounts.add_user(
            portal_id, OWNER_EMAIL, password, first_name="Folio", last_name="Owner",
            is_owner=True,
        )  # fmt: skip
    except Exception:
        # Nodes started together on an empty database race to create the owner;
        # the one that lost finds the owner there and has nothing to show.
        if await space.accounts.has_users(portal_id):
            return
        raise
    new = await space.accounts.create_key(Caller(owner), "folio-owner")
    click.echo("Created the owner account. These are shown only once:")
    click.echo(f"  e-mail:   {owner.email}")
    click.echo(f"  password: {password}")
    click.echo(f"  API key:  {new.secret}")


@main.group()
def user() -> None:
    """Manage the users of a data folder."""


@user.command("add")
@click.argument("email")
@click.option("--password", default=None, help="Password (generated if not given).")
@click.option("--name", default="", help='Full name, "First Last".')
@click.option("--admin", is_flag=True, default=False, help="Make the user an admin.")
@data_dir_option
def user_add(
    email: str, password: str | None, name: str, admin: bool, data_dir: Path | None
) -> None:
    """Add a user who logs in with EMAIL."""
    first, _, last = name.strip().partition(" ")
    chosen = password or secrets.token_urlsafe(12)

    async def add(space: Space) -> None:
        portal_id = await space.accounts.portal()
        created = await space.accounts.add_user(
            portal_id, email, chosen, first_name=first, last_name=last, is_admin=admin
        )
        click.echo(f"Added {created.email} ({created.id}).")
        if password is None:
            click.echo(f"  password: {chosen}")

    _run(_settings(data_dir), add)


@user.command("set-quota")
@click.argument("email")
@click.argument("quota", metavar="BYTES")
@data_dir_option
def user_set_quota(email: str, quota: str, data_dir: Path | None) -> None:
    """Limit the space EMAIL may use to BYTES ("unlimited" or -1 for no limit).

    Uploads, copies and restores that would go past it are refused with 402;
    what is stored already stays.
    """
    text = quota.strip().lower()
    if text in ("unlimited", "none", "-1"):
        limit = -1
    elif text.isdigit():
        limit = int(text)
    else:
        raise click.BadParameter(
            "a number of bytes, or 'unlimited'", param_hint="BYTES"
        )

    async def set_quota(space: Space) -> None:
        found = await _user(space, email)
        await space.accounts.set_quota(found, limit)
        shown = "no limit" if limit < 0 else f"{limit} bytes"
        click.echo(f"Set the quota of {found.email} to {shown}.")

    _run(_settings(data_dir), set_quota)


@main.group()
def key() -> None:
    """Manage API keys."""


@key.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="A name for the key.")
@click.option("--expires-days", type=click.IntRange(1, 365), default=None)
@data_dir_option
def key_create(
    email: str, name: str, expires_days: int | None, data_dir: Path | None
) -> None:
    """Create an API key for EMAIL; the key alone is the last line printed."""

    async def create(space: Space) -> None:
        owner = await _user(space, email)
        new = await space.accounts.create_key(Caller(owner), name, None, expires_days)
        click.echo(f"Created key {new.key.id} for {owner.email}.")
        click.echo(new.secret)

    _run(_settings(data_dir), create)


@key.command("list")
@click.argument("email")
@data_dir_option
def key_list(email: str, data_dir: Path | None) -> None:
    """List the API keys of EMAIL."""

    async def listing(space: Space) -> None:
        owner = await _user(space, email)
        for found in await space.accounts.keys_of_user(owner):
            state = "active" if found.is_active else "revoked"
            expires = (
                found.expires_at.date().isoformat() if found.expires_at else "never"
            )
            click.echo(
                f"{found.id}  sk-***{found.postfix}  {state:<7}  expires {expires}  "
                f"{found.name}"
            )

    _run(_settings(data_dir), listing)


@key.command("revoke")
@click.argument("key_id")
@data_dir_option
def key_revoke(key_id: str, data_dir: Path | None) -> None:
    """Revoke the API key KEY_ID: it stops working at once."""

    async def revoke(space: Space) -> None:
        found = await space.accounts.revoke_key(key_id)
        if found is None:
            raise click.ClickException(f"There is no API key {key_id}.")
        click.echo(f"Revoked key {key_id}.")

    _run(_settings(data_dir), revoke)


@contextlib.contextmanager
def _database_errors() -> Iterator[None]:
    """Turn a database that cannot be reached into one line and exit status 1."""
    import sqlalchemy as sa

    try:
        yield
    except sa.exc.OperationalError as exc:
        raise click.ClickException(
            f"Cannot reach the database: {str(exc.orig).strip()}"
        ) from exc


@main.group()
def db() -> None:
    """Inspect and upgrade the schema of the metadata database."""


@db.command("upgrade")
@data_dir_option
def db_upgrade(data_dir: Path | None) -> None:
    """Bring the database schema up to the newest revision (safe to run twice)."""
    from folio.persistence.database import Database

    settings = _settings(data_dir)
    database = Database(settings.effective_database_url)
    with _database_errors():
        before = database.current_revision()
        database.upgrade()
        after = database.current_revision()
    if before == after:
        click.echo(f"The schema is up to date at revision {after}.")
    else:
        click.echo(f"Upgraded the schema from {before or 'empty'} to {after}.")


@db.command("current")
@data_dir_option
def db_current(data_dir: Path | None) -> None:
    """Show the schema revision of the database, and whether it is the newest."""
    from folio.persistence.database import Database

    settings = _settings(data_dir)
    database = Database(settings.effective_database_url)
    with _database_errors():
        current, head = database.current_revision(), database.head_revision()
    state = "up to date" if current == head else f"behind; the newest is {head}"
    click.echo(f"{current or 'empty'} ({state})")
    if current != head:
        raise SystemExit(1)


@main.command("copy-to")
@click.option(
    "--database-url", required=True, help="The target's metadata database (URL)."
)
@click.option("--storage-url", required=True, help="The target's content store (URL).")
@data_dir_option
def copy_to(database_url: str, storage_url: str, data_dir: Path | None) -> None:
    """Copy this data folder's users, keys, files and history to another deployment.

    The way from the embedded deployment to scale-out: stop the server first, then
    copy into an empty PostgreSQL database and object store, and serve from there.
    """
    from folio.services.relocation import TargetNotEmpty, copy_space

    source_settings = _settings(data_dir)
    target_settings = dataclasses.replace(
        source_settings, database_url=database_url, storage_url=storage_url
    )

    async def copy(source: Space) -> None:
        target = Space.from_settings(target_settings)
        await target.open(migrate=True)
        try:
            report = await copy_space(source, target)
        except TargetNotEmpty as exc:
            raise click.ClickException(f"{exc}; copy only into a new one.") from exc
        finally:
            await target.aclose()
        click.echo(
            f"Copied {report.blobs} contents ({report.bytes} bytes) and "
            f"{sum(report.rows.values())} records."
        )

    _run(source_settings, copy)


# The client commands (ls, put, get, …) talk to a server through folio.client.
# TODO: the administration imports at the top of this module (services, SQLAlchemy,
# argon2) load for every client command too, adding about a second to each
# `folio ls`; importing them inside the administration commands would spare that.
remote.register(main)
