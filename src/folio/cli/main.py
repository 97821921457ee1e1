"""The `folio` command: the server, and administration of its data folder."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from folio.config import Settings
from folio.errors import FolioError
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
        await space.open()
        try:
            return await work(space)
        finally:
            await space.aclose()

    try:
        return asyncio.run(run())
    except FolioError as exc:
        raise click.ClickException(exc.message) from exc


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
def serve(
    host: str, port: int, data_dir: Path | None, no_fsync: bool, public_url: str | None
) -> None:
    """Serve the API, creating the data folder and an owner account on first start."""
    import uvicorn

    from folio.api.app import create_app

    settings = _settings(
        data_dir, fsync=False if no_fsync else None, public_url=public_url
    )
    _run(settings, _first_start)
    click.echo(
        f"Folio is serving {settings.data_dir} at http://{host}:{port}", err=True
    )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


async def _first_start(space: Space) -> None:
    """Create the owner of an empty data folder and show their credentials once."""
    portal_id = await space.accounts.portal()
    if await space.accounts.has_users(portal_id):
        return
    password = secrets.token_urlsafe(12)
    owner = await space.accounts.add_user(
        portal_id, OWNER_EMAIL, password, first_name="Folio", last_name="Owner",
        is_owner=True,
    )  # fmt: skip
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
