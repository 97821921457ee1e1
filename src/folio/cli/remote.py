"""The client commands of `folio`: My documents from a terminal, through folio.client.

They work against any DocSpace-compatible server. The server and key come from
`--url`/`--key`, else FOLIO_URL/FOLIO_API_KEY, else what `folio login` stored.
Files and folders are named by id or by path ("Projects/2026/report.docx").
Output is for people (tables, human sizes, relative dates, a progress bar on a
terminal) unless `--json` asks for the server's own objects.

Exit codes: 0 done, 1 error, 2 usage, 3 not found or not permitted,
4 authentication. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import json
import socket
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from folio.cli.output import ProgressBar, human_size, relative_date, table
from folio.cli.userconfig import (
    Login,
    load_login,
    save_login,
    upload_state_path,
    write_state,
)
from folio.client import (
    AuthenticationError,
    ClientError,
    DownloadInterrupted,
    File,
    Folder,
    Folio,
    NotFound,
    Operation,
    PermissionDenied,
    UploadInterrupted,
    UploadState,
)

__all__ = ["EXIT_AUTH", "EXIT_ERROR", "EXIT_NOT_FOUND", "Failure", "register"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 1
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4

NOT_LOGGED_IN = (
    "No server to talk to: run `folio login`, or set FOLIO_URL and FOLIO_API_KEY"
)


class Failure(click.ClickException):
    """A client command failed; click prints `Error: message` and exits."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _exit_code(error: ClientError) -> int:
    if isinstance(error, AuthenticationError):
        return EXIT_AUTH
    if isinstance(error, NotFound | PermissionDenied):
        return EXIT_NOT_FOUND
    return EXIT_ERROR


def _message(error: ClientError) -> str:
    if isinstance(error, AuthenticationError):
        return f"{error.message}; check the key, or run `folio login` again"
    return error.message


class Remote:
    """What a client command runs with: the server, the key, the output style."""

    def __init__(self, url: str | None, key: str | None, as_json: bool) -> None:
        self.json = as_json
        stored = load_login() if not (url and key) else None
        self.url = url or (stored.url if stored else None)
        self.key = key or (stored.key if stored else None)
        self._client: Folio | None = None

    @property
    def client(self) -> Folio:
        if self._client is None:
            if not self.url or not self.key:
                raise Failure(NOT_LOGGED_IN, EXIT_AUTH)
            self._client = Folio(self.url, self.key)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def show(self, human: str, data: Any) -> None:
        """Print for people, or the data as JSON with --json."""
        if self.json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        elif human:
            click.echo(human)

    def bar(self, label: str) -> ProgressBar:
        bar = ProgressBar(label if len(label) <= 30 else label[:29] + "…")
        bar.enabled = bar.enabled and not self.json
        return bar

    # Naming things

    def item(self, name: str, *, root: str = "@my") -> File | Folder:
        """The file or folder an argument names: an id, "@my", "@trash" or a path."""
        client = self.client
        if name.isdigit():
            try:
                return client.get_file(int(name))
            except NotFound:
                pass
            try:
                return client.get_folder(int(name))
            except NotFound:
                raise NotFound(f"Nothing has the id {name}", status=404) from None
        if name.strip().lower() in ("@my", "@trash"):
            return client.list(name.strip().lower(), count=1).folder
        return client.find(name, root=root)

    def folder(self, name: str) -> Folder:
        found = self.item(name)
        if not isinstance(found, Folder):
            raise Failure(f"{name} is a file, not a folder")
        return found

    def folder_id(self, name: str) -> int:
        """A folder's id, asking the server only when the name is a path."""
        if name.isdigit():
            return int(name)
        return self.folder(name).id


def remote_command(name: str | None = None) -> Callable[[F], click.Command]:
    """Make a client command: add --url, --key and --json, and map its errors."""

    def decorate(func: F) -> click.Command:
        @functools.wraps(func)
        def run(url: str | None, key: str | None, as_json: bool, **kwargs: Any) -> Any:
            remote = Remote(url, key, as_json)
            try:
                return func(remote, **kwargs)
            except ClientError as error:
                raise Failure(_message(error), _exit_code(error)) from error
            except ValueError as error:
                raise Failure(str(error)) from error
            except OSError as error:
                where = f"{error.filename}: " if error.filename else ""
                raise Failure(f"{where}{error.strerror or error}") from error
            except KeyboardInterrupt:
                raise Failure("Interrupted") from None
            finally:
                remote.close()

        command = click.option(
            "--json", "as_json", is_flag=True, help="Print JSON for scripts."
        )(run)
        command = click.option(
            "--key",
            envvar="FOLIO_API_KEY",
            help="API key (default: $FOLIO_API_KEY, else the stored login).",
        )(command)
        command = click.option(
            "--url",
            envvar="FOLIO_URL",
            help="Server URL (default: $FOLIO_URL, else the stored login).",
        )(command)
        return click.command(name)(command)

    return decorate


def _entry_row(entry: File | Folder) -> list[str]:
    if isinstance(entry, Folder):
        return [str(entry.id), entry.title + "/", "-", relative_date(entry.updated)]
    return [
        str(entry.id),
        entry.title,
        human_size(entry.size),
        relative_date(entry.updated),
    ]


def _sorted(entries: Iterable[File | Folder]) -> list[File | Folder]:
    return sorted(entries, key=lambda e: (not e.is_folder, e.title.casefold()))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _items(operation: Operation, fallback: int) -> str:
    return _count(operation.processed or fallback, "item")


# login and whoami


@click.command()
@click.argument("url", required=False)
@click.option("--key", help="An API key (sk-…); asked for when not given.")
@click.option("--email", help="Log in with an e-mail and password instead of a key.")
@click.option("--password", help="The password (asked for when not given).")
def login(
    url: str | None, key: str | None, email: str | None, password: str | None
) -> None:
    """Store the server URL and an API key for the other commands.

    With --email, the password logs in once and a new API key is created and
    stored; the password itself is not kept. The file is readable by you alone.
    """
    url = url or click.prompt("Server URL")
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    try:
        if email:
            password = password or click.prompt("Password", hide_input=True)
            with Folio(url, email=email, password=password) as by_password:
                name = f"folio cli on {socket.gethostname()}"[:30]
                key = by_password.create_api_key(name).key
        key = key or click.prompt("API key", hide_input=True)
        with Folio(url, key) as client:
            try:
                who = client.me()
                greeting = f"Logged in to {url} as {who.display_name} <{who.email}>."
            except PermissionDenied:
                # A key limited to files may not read the profile; files will do.
                client.my_documents(count=1)
                greeting = f"Logged in to {url}."
    except ClientError as error:
        raise Failure(_message(error), _exit_code(error)) from error
    except ValueError as error:
        raise Failure(str(error)) from error
    path = save_login(Login(url, key))
    click.echo(greeting)
    click.echo(f"Stored in {path}.")


@remote_command()
def whoami(remote: Remote) -> None:
    """Show who the key belongs to, and how much space they use."""
    profile = remote.client.me()
    quota = human_size(profile.quota_limit) if profile.quota_limit >= 0 else "unlimited"
    remote.show(
        f"{profile.display_name} <{profile.email}>\n"
        f"Server: {remote.url}\n"
        f"Used:   {human_size(profile.used_space)} of {quota}",
        {"url": remote.url, "profile": dict(profile.raw)},
    )


# Reading


@remote_command("ls")
@click.argument("folder", default="@my")
def ls(remote: Remote, folder: str) -> None:
    """List a folder (default: My documents); folders first, then files."""
    client = remote.client
    target: Folder | File
    if folder.isdigit():
        try:
            target = client.list(int(folder), count=1).folder
        except NotFound:
            target = remote.item(folder)
    else:
        target = remote.item(folder)
    if isinstance(target, File):
        remote.show(
            table(
                ["ID", "NAME", "SIZE", "MODIFIED"], [_entry_row(target)], right=(0, 2)
            ),
            {"file": dict(target.raw)},
        )
        return
    pages = list(client.pages(target.id))
    entries = _sorted(entry for page in pages for entry in page.entries)
    first = pages[0]
    if not entries:
        human = f"{first.folder.title} is empty."
    else:
        human = table(
            ["ID", "NAME", "SIZE", "MODIFIED"],
            [_entry_row(entry) for entry in entries],
            right=(0, 2),
        )
    remote.show(
        human,
        {
            "folder": dict(first.folder.raw),
            "path": [dict(part.raw) for part in first.path],
            "total": first.total,
            "folders": [dict(e.raw) for e in entries if isinstance(e, Folder)],
            "files": [dict(e.raw) for e in entries if isinstance(e, File)],
        },
    )


@remote_command()
@click.argument("file")
def versions(remote: Remote, file: str) -> None:
    """List the stored versions of a file, newest first."""
    found = remote.item(file)
    if not isinstance(found, File):
        raise Failure(f"{file} is a folder; only files have versions")
    history = sorted(
        remote.client.versions(found), key=lambda v: v.version, reverse=True
    )
    remote.show(
        table(
            ["VERSION", "SIZE", "MODIFIED", "AUTHOR", "COMMENT"],
            [
                [
                    str(v.version),
                    human_size(v.size),
                    relative_date(v.modified),
                    v.author.display_name if v.author else "",
                    v.comment or "",
                ]
                for v in history
            ],
            right=(0, 1),
        ),
        [dict(v.raw) for v in history],
    )


@remote_command()
@click.option("--empty", is_flag=True, help="Delete everything in Trash for good.")
def trash(remote: Remote, empty: bool) -> None:
    """List Trash, or empty it."""
    client = remote.client
    if empty:
        operation = client.empty_trash()
        remote.show("Emptied Trash.", dict(operation.raw))
        return
    entries = _sorted(client.entries("@trash"))
    rows = [
        [*_entry_row(entry), entry.origin_title or str(entry.origin_id or "")]
        for entry in entries
    ]
    remote.show(
        table(["ID", "NAME", "SIZE", "DELETED", "FROM"], rows, right=(0, 2))
        if rows
        else "Trash is empty.",
        {
            "folders": [dict(e.raw) for e in entries if isinstance(e, Folder)],
            "files": [dict(e.raw) for e in entries if isinstance(e, File)],
        },
    )


# Transfers


@remote_command()
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--to", "folder", default="@my", help="Folder (id or path).")
@click.option(
    "--new", "create_new", is_flag=True, help='Keep both: a taken name becomes "x (1)".'
)
def put(remote: Remote, files: tuple[Path, ...], folder: str, create_new: bool) -> None:
    """Upload files. A taken name gets a new version unless --new is given.

    Large files go in chunks; if an upload breaks, the same command resumes it.
    """
    client = remote.client
    folder_id = (
        client.list(folder.lower(), count=1).folder.id
        if folder.lower() in ("@my", "@trash")
        else remote.folder_id(folder)
    )
    done = []
    for path in files:
        uploaded = _put_one(remote, path, folder_id, create_new)
        done.append(uploaded)
        if not remote.json:
            click.echo(
                f"Uploaded {path.name} as {uploaded.title} "
                f"({human_size(uploaded.size)}, id {uploaded.id}, "
                f"version {uploaded.version})."
            )
    remote.show("", [dict(f.raw) for f in done])


def _put_one(remote: Remote, path: Path, folder_id: int, create_new: bool) -> File:
    assert remote.url is not None
    state_path = upload_state_path(remote.url, folder_id, path)
    resume = None
    if state_path.exists():
        try:
            resume = UploadState.from_json(state_path.read_text())
        except (ValueError, KeyError):
            state_path.unlink(missing_ok=True)

    def checkpoint(state: UploadState) -> None:
        write_state(state_path, state.to_json())

    bar = remote.bar(path.name)
    try:
        try:
            uploaded = remote.client.upload(
                path,
                folder_id,
                create_new=create_new,
                progress=bar,
                resume=resume,
                checkpoint=checkpoint,
            )
        except ValueError:
            if resume is None:
                raise
            # The file changed since the broken upload: start it afresh.
            state_path.unlink(missing_ok=True)
            uploaded = remote.client.upload(
                path,
                folder_id,
                create_new=create_new,
                progress=bar,
                checkpoint=checkpoint,
            )
    except UploadInterrupted as error:
        raise Failure(
            f"{error.message}. Run the same command again to resume."
        ) from error
    finally:
        bar.close()
    state_path.unlink(missing_ok=True)
    return uploaded


@remote_command()
@click.argument("file")
@click.option(
    "-o", "--output", default=None, help="Where to save it: a path, a folder or -."
)
@click.option("--version", type=int, default=None, help="An earlier version.")
def get(remote: Remote, file: str, output: str | None, version: int | None) -> None:
    """Download a file (into the current folder unless -o says otherwise)."""
    found = remote.item(file)
    if not isinstance(found, File):
        raise Failure(f"{file} is a folder; only files can be downloaded")
    client = remote.client
    if output == "-":
        client.download_to(found, sys.stdout.buffer, version=version)
        return
    bar = remote.bar(found.title)
    try:
        saved = client.download(found, output, version=version, progress=bar)
    except DownloadInterrupted as error:
        raise Failure(
            f"{error.message}. Run the same command again to resume."
        ) from error
    finally:
        bar.close()
    size = saved.stat().st_size
    remote.show(
        f"Saved {found.title} ({human_size(size)}) to {saved}.",
        {"file": dict(found.raw), "path": str(saved), "bytes": size},
    )


# Changes


@remote_command()
@click.argument("title")
@click.option("--to", "folder", default="@my", help="Folder (id or path).")
def new(remote: Remote, title: str, folder: str) -> None:
    """Create a blank document; its kind comes from the title (.docx, .xlsx, …)."""
    target = remote.folder(folder)
    created = remote.client.create(title, target)
    remote.show(
        f"Created {created.title} (id {created.id}) in {target.title}.",
        dict(created.raw),
    )


@remote_command()
@click.argument("path")
@click.option("-p", "--parents", is_flag=True, help="Create missing parents too.")
def mkdir(remote: Remote, path: str, parents: bool) -> None:
    """Create a folder, such as Projects/2026."""
    client = remote.client
    names = [part for part in path.replace("\\", "/").split("/") if part]
    if not names:
        raise click.UsageError("Give the new folder a name.")
    current = client.list("@my", count=1).folder
    created: Folder | None = None
    for index, name in enumerate(names):
        last = index == len(names) - 1
        try:
            child = client.find(name, root=current)
        except NotFound:
            if not (last or parents):
                raise
            created = client.mkdir(name, current)
            current = created
            continue
        if last:
            if parents and isinstance(child, Folder):
                created = child
                break
            raise Failure(f"{path} already exists")
        if not isinstance(child, Folder):
            raise Failure(f"{'/'.join(names[: index + 1])} is a file, not a folder")
        current = child
    assert created is not None
    remote.show(f"Created folder {path} (id {created.id}).", dict(created.raw))


def _transfer_command(kind: str) -> click.Command:
    past = {"mv": "Moved", "cp": "Copied"}[kind]

    @remote_command(kind)
    @click.argument("sources", nargs=-1, required=True)
    @click.argument("destination")
    @click.option(
        "--on-conflict",
        type=click.Choice(["skip", "overwrite", "duplicate"]),
        default=None,
        help="When the folder holds the same name (server default: skip).",
    )
    def command(
        remote: Remote,
        sources: tuple[str, ...],
        destination: str,
        on_conflict: str | None,
    ) -> None:
        items = [remote.item(source) for source in sources]
        target = remote.folder(destination)
        move_or_copy = remote.client.move if kind == "mv" else remote.client.copy
        conflict: Any = on_conflict
        operation = move_or_copy(*items, to=target, conflict=conflict)
        remote.show(
            f"{past} {_items(operation, len(items))} to {target.title}.",
            dict(operation.raw),
        )

    verb = {"mv": "Move", "cp": "Copy"}[kind]
    command.help = f"{verb} files and folders into a folder (by id or path)."
    return command


@remote_command()
@click.argument("items", nargs=-1, required=True)
@click.option("--now", is_flag=True, help="Delete for good instead of to Trash.")
def rm(remote: Remote, items: tuple[str, ...], now: bool) -> None:
    """Move files and folders to Trash (with --now: delete them for good)."""
    found = [remote.item(item) for item in items]
    operation = remote.client.delete(*found, immediately=now)
    done = _items(operation, len(found))
    remote.show(
        f"Deleted {done}." if now else f"Moved {done} to Trash.", dict(operation.raw)
    )


@remote_command()
@click.argument("items", nargs=-1, required=True)
@click.option("--to", "folder", default=None, help="Restore here instead.")
def restore(remote: Remote, items: tuple[str, ...], folder: str | None) -> None:
    """Move items out of Trash, back where they were deleted from.

    Name them by id or by their title in Trash.
    """
    found = [remote.item(item, root="@trash") for item in items]
    for entry in found:
        if not entry.in_trash:
            raise Failure(f"{entry.title} is not in Trash")
    target = remote.folder(folder) if folder else None
    operations = remote.client.restore(*found, to=target)
    where = f" to {target.title}" if target else ""
    remote.show(
        f"Restored {_count(len(found), 'item')}{where}.",
        [dict(op.raw) for op in operations],
    )


COMMANDS = [
    login,
    whoami,
    ls,
    put,
    get,
    new,
    mkdir,
    _transfer_command("mv"),
    _transfer_command("cp"),
    rm,
    trash,
    restore,
    versions,
]


def register(group: click.Group) -> None:
    """Add the client commands to the `folio` command group."""
    for command in COMMANDS:
        group.add_command(command)
