"""Portals in emulator mode: register and remove them, reset, snapshot, restore,
seed, and add members with DocSpace's roles.

A portal's state is every row that belongs to it (see `persistence.portals`) plus
the content those rows name. Content is immutable and stored under generated keys,
so a snapshot keeps the keys, not copies; content stays while a file version or a
snapshot refers to it (`SnapshotAwareBlobStore` and the orphan sweep see to that).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import re
import secrets
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from anyio import to_thread

from folio.config import Settings
from folio.domain.entries import Entry, EntryType, StoredBlob, User
from folio.errors import AccessDenied, FolioError, InvalidRequest, NotFound
from folio.persistence.accounts import AccountQueries
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.portals import PortalQueries
from folio.persistence.tables import api_keys, auth_tokens, entries, users
from folio.services.accounts import Accounts, Caller, Role, hash_secret
from folio.services.documents import Documents
from folio.services.ports import BlobStore, BlobWriter, UploadPart

__all__ = [
    "PortalNameRejected",
    "Portals",
    "RegisteredPortal",
    "SnapshotAwareBlobStore",
    "SnapshotNotFound",
    "role_named",
]

log = logging.getLogger(__name__)

# DocSpace's portal names: letters, digits and hyphens (compared in lower case).
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MIN_NAME, MAX_NAME = 3, 63

# DocSpace's EmployeeType names and codes, to the roles Folio keeps.
_ROLE_NAMES = {
    "docspaceadmin": Role.DOCSPACE_ADMIN,
    "roomadmin": Role.ROOM_ADMIN,
    "user": Role.USER,
    "collaborator": Role.USER,
    "guest": Role.GUEST,
}
_ROLE_CODES = {1: Role.ROOM_ADMIN, 2: Role.GUEST, 3: Role.DOCSPACE_ADMIN, 4: Role.USER}

# Who may add whom: an owner anyone, a DocSpace admin anyone but another admin, a
# room admin users and guests (whom room admins invite in DocSpace).
_MAY_ADD = {
    Role.OWNER: {Role.DOCSPACE_ADMIN, Role.ROOM_ADMIN, Role.USER, Role.GUEST},
    Role.DOCSPACE_ADMIN: {Role.ROOM_ADMIN, Role.USER, Role.GUEST},
    Role.ROOM_ADMIN: {Role.USER, Role.GUEST},
}


def _now() -> datetime:
    return datetime.now(UTC)


class PortalNameRejected(InvalidRequest):
    """The portal service refused a name; `code` is its error code."""

    def __init__(self, code: str, message: str, variants: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.variants = variants or []


class SnapshotNotFound(NotFound):
    """No snapshot of that name was saved for the portal."""

    message = "The snapshot was not found"


def role_named(value: object, default: Role = Role.USER) -> Role:
    """Read a DocSpace EmployeeType, by name ("RoomAdmin") or code (1)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidRequest(f"Not a user type: {value!r}")
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        role = _ROLE_CODES.get(int(value))
    elif isinstance(value, str):
        role = _ROLE_NAMES.get(value.replace("_", "").replace(" ", "").lower())
    else:
        role = None
    if role is None:
        raise InvalidRequest(f"Not a user type: {value!r}")
    return role


@dataclasses.dataclass(frozen=True)
class RegisteredPortal:
    id: int
    name: str
    created: datetime
    owner: User


class Portals:
    """The emulator's portal-wide use cases."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        settings: Settings,
        accounts: Accounts,
        documents: Documents,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self.accounts = accounts
        self.documents = documents
        # Portal ids by name, read once: every request looks its portal up, and
        # portals change only through this service (one process per emulator).
        self._ids: dict[str, int] | None = None

    async def _by_name(self) -> dict[str, int]:
        if self._ids is None:
            async with self.db.read() as connection:
                rows = await PortalQueries(connection).all()
            self._ids = {row.name: int(row.id) for row in rows}
        return self._ids

    def domain(self, name: str) -> str:
        return f"{name}.{self.settings.emulator_domain}"

    # Finding the portal of a request

    async def resolve(self, names: Iterable[str]) -> int | None:
        """The first of these portal names that exists."""
        found = await self._by_name()
        for name in names:
            if name and name.lower() in found:
                return found[name.lower()]
        return None

    async def portal_of_secret(self, secret: str) -> int | None:
        """The portal an API key or a session token belongs to."""
        async with self.db.read() as connection:
            accounts = AccountQueries(connection)
            if secret.startswith("sk-"):
                key = await accounts.key_by_hash(hash_secret(secret))
                return None if key is None else key.portal_id
            row = await accounts.token(hash_secret(secret))
        return None if row is None else int(row.portal_id)

    async def only(self) -> int | None:
        """The portal every request uses while there is exactly one."""
        found = await self._by_name()
        return next(iter(found.values())) if len(found) == 1 else None

    async def all(self) -> list[Any]:
        """Every portal's row (id, name, created), oldest first."""
        async with self.db.read() as connection:
            return await PortalQueries(connection).all()

    async def owner(self, portal_id: int) -> User:
        async with self.db.read() as connection:
            row = (
                await connection.execute(
                    sa.select(users.c.id).where(
                        users.c.portal_id == portal_id, users.c.role == int(Role.OWNER)
                    )
                )
            ).first()
        if row is None:
            raise NotFound("The portal has no owner")
        return await self.accounts.user(row.id)

    # Registration and removal

    async def register(
        self,
        name: object,
        *,
        email: object,
        password: object = None,
        first_name: object = "",
        last_name: object = "",
    ) -> RegisteredPortal:
        """Create a portal and its owner, as DocSpace's portal service does."""
        first = str(first_name or "").strip()
        last = str(last_name or "").strip()
        if not first + last:
            raise PortalNameRejected("error", "name is required")
        if not isinstance(email, str) or not email.strip():
            raise PortalNameRejected("emailEmpty", "Email is required")
        if not isinstance(name, str) or not name.strip():
            chosen = await self._random_name()
        else:
            chosen = self._valid_name(name)
        secret = password if isinstance(password, str) and password else None
        now = _now()
        async with self.db.write() as connection:
            queries = PortalQueries(connection)
            if await queries.by_name(chosen) is not None:
                raise PortalNameRejected(
                    "portalNameExist", "Portal already exists", [chosen]
                )
            portal_id = await AccountQueries(connection).insert_portal(chosen, now)
        try:
            owner = await self.accounts.add_user(
                portal_id,
                email,
                secret or secrets.token_urlsafe(16),
                first_name=first,
                last_name=last,
                role=Role.OWNER,
            )
        except FolioError:
            async with self.db.write() as connection:
                await PortalQueries(connection).delete_portal(portal_id)
            raise
        (await self._by_name())[chosen] = portal_id
        log.info("event=portal.registered portal=%s", chosen)
        return RegisteredPortal(portal_id, chosen, now, owner)

    @staticmethod
    def _valid_name(name: str) -> str:
        name = name.strip().lower()
        if len(name) < MIN_NAME:
            raise PortalNameRejected("tooShortError", "Portal name is too short")
        if len(name) > MAX_NAME or not _NAME.match(name):
            raise PortalNameRejected(
                "portalNameIncorrect", "Unallowable symbols in portalName"
            )
        return name

    async def _random_name(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        while True:
            name = "docspace-" + "".join(secrets.choice(alphabet) for _ in range(6))
            async with self.db.read() as connection:
                if await PortalQueries(connection).by_name(name) is None:
                    return name

    async def delete(self, portal_id: int) -> None:
        """Remove a portal with every row, snapshot and piece of content it has."""
        async with self.db.write() as connection:
            queries = PortalQueries(connection)
            keys = await queries.blob_keys(portal_id)
            keys |= await queries.drop_snapshot(portal_id)
            await queries.wipe(portal_id)
            await queries.delete_portal(portal_id)
        self._ids = None
        await self._release(keys)
        log.info("event=portal.deleted portal_id=%d", portal_id)

    async def delete_as(self, caller: Caller) -> None:
        """DocSpace's "delete the portal immediately": for its owner only."""
        if caller.user.role != Role.OWNER:
            raise AccessDenied()
        await self.delete(caller.portal_id)

    # Reset, snapshots

    async def reset(self, portal_id: int) -> None:
        """Return a portal to its state at registration: its owner (with the
        owner's keys and sessions) and an empty My documents and Trash."""
        owner = await self.owner(portal_id)
        roots = [owner.my_folder_id, owner.trash_folder_id]
        async with self.db.write() as connection:
            queries = PortalQueries(connection)
            keys = await queries.blob_keys(portal_id)
            await queries.wipe(
                portal_id,
                keep={
                    "users": users.c.id == owner.id,
                    "api_keys": api_keys.c.user_id == owner.id,
                    "auth_tokens": auth_tokens.c.user_id == owner.id,
                    "entries": entries.c.id.in_(roots),
                },
            )
            await connection.execute(
                entries.update()
                .where(entries.c.id.in_(roots))
                .values(files_count=0, folders_count=0)
            )
            await connection.execute(
                users.update()
                .where(users.c.id == owner.id)
                .values(used_space=0, quota_limit=-1, sort_by=None, sort_order=None)
            )
        await self._release(keys)

    async def snapshot(self, portal_id: int, name: object) -> None:
        """Save the portal's state under a name (replacing one of that name)."""
        name = _snapshot_name(name)
        async with self.db.write() as connection:
            queries = PortalQueries(connection)
            state = await queries.dump(portal_id)
            keys = await queries.blob_keys(portal_id)
            released = await queries.save_snapshot(portal_id, name, state, keys, _now())
        await self._release(released)

    async def restore(self, portal_id: int, name: object) -> None:
        """Put the portal back in a saved state; the snapshot stays for reuse."""
        name = _snapshot_name(name)
        async with self.db.write() as connection:
            queries = PortalQueries(connection)
            state = await queries.snapshot(portal_id, name)
            if state is None:
                raise SnapshotNotFound()
            keys = await queries.blob_keys(portal_id)
            await queries.wipe(portal_id)
            # TODO: an upload session open when the snapshot was taken comes back
            # without the chunks it had received (they are not content yet); a
            # client resuming it after a restore has to start the upload again.
            await queries.load(state)
        await self._release(keys)

    async def snapshots(self, portal_id: int) -> list[str]:
        async with self.db.read() as connection:
            return await PortalQueries(connection).snapshot_names(portal_id)

    async def _release(self, keys: set[str]) -> None:
        """Delete content that neither a version nor a snapshot still refers to."""
        if not keys:
            return
        async with self.db.read() as connection:
            live = await PortalQueries(connection).live_keys(keys)
        await self.blobs.delete(sorted(keys - live))

    # Members

    async def add_member(
        self,
        caller: Caller,
        *,
        email: object,
        password: object = None,
        first_name: object = "",
        last_name: object = "",
        role: Role = Role.USER,
    ) -> User:
        """Add a member with a role, as far as the caller's own role allows."""
        allowed = _MAY_ADD.get(Role(caller.user.role), set())
        if role not in allowed:
            raise AccessDenied()
        if not isinstance(email, str):
            raise InvalidRequest("Value cannot be null. (Parameter 'email')")
        if await self.accounts.user_by_email(caller.portal_id, email) is not None:
            raise InvalidRequest("User with this email is already registered")
        return await self.accounts.add_user(
            caller.portal_id,
            email,
            password if isinstance(password, str) and password else _password(),
            first_name=str(first_name or ""),
            last_name=str(last_name or ""),
            role=role,
        )

    # Seeding

    async def seed(self, portal_id: int, spec: dict[str, Any]) -> dict[str, Any]:
        """Create users, folders and files from a description (see docs).

        Folders and files go into the My documents of the portal owner, or of the
        user an item names with "user" (an e-mail).
        """
        owner = await self.owner(portal_id)
        created: dict[str, list[dict[str, Any]]] = {
            "users": [],
            "folders": [],
            "files": [],
        }
        # Read the whole description first, so that a malformed one changes nothing.
        members = []
        for item in _items(spec, "users"):
            if not isinstance(item, dict) or not isinstance(item.get("email"), str):
                raise InvalidRequest("Each of users must be an object with an email")
            members.append((item, role_named(item.get("type", item.get("role")))))
        folders = [_path_and_user(item) for item in _items(spec, "folders")]
        files = []
        for item in _items(spec, "files"):
            path, user = _path_and_user(item)
            content = _content(item) if isinstance(item, dict) else None
            files.append((path, user, content))
        directory = spec.get("directory")
        if directory is not None:
            if not isinstance(directory, str):
                raise InvalidRequest("directory must be a path on the server")
            directory_path = Path(directory).expanduser()
            if not await to_thread.run_sync(directory_path.is_dir):
                raise InvalidRequest(f"Not a folder on the server: {directory}")
        # TODO: seeding is not one transaction: a failure past this point (an
        # e-mail taken, a user named that does not exist) leaves what was made
        # before it, and the caller has to reset the portal to start again.
        for item, role in members:
            user = await self.add_member(
                Caller(owner),
                email=item["email"],
                password=item.get("password"),
                first_name=item.get("firstName", ""),
                last_name=item.get("lastName", ""),
                role=role,
            )
            created["users"].append({"id": user.id, "email": user.email})
        seeder = _Seeder(self, portal_id, owner, created)
        for path, user in folders:
            await seeder.folder(await seeder.user(user), path)
        for path, user, content in files:
            await seeder.file(await seeder.user(user), path, content)
        if directory is not None:
            await seeder.directory(await seeder.user(spec.get("user")), directory_path)
        return created


def _snapshot_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise InvalidRequest("A snapshot needs a name of 1 to 255 characters")
    return name.strip()


def _password() -> str:
    return secrets.token_urlsafe(16)


def _items(spec: dict[str, Any], key: str) -> list[Any]:
    value = spec.get(key, [])
    if not isinstance(value, list):
        raise InvalidRequest(f"{key} must be a list")
    return value


def _path_and_user(item: object) -> tuple[list[str], object]:
    if isinstance(item, str):
        raw, user = item, None
    elif isinstance(item, dict) and isinstance(item.get("path"), str):
        raw, user = item["path"], item.get("user")
    else:
        raise InvalidRequest("A seeded folder or file needs a path")
    parts = [part for part in raw.replace("\\", "/").split("/") if part]
    if not parts or any(part in (".", "..") for part in parts):
        raise InvalidRequest(f"Not a usable path: {raw!r}")
    return parts, user


class _Seeder:
    """Creates folders and files for `Portals.seed`, remembering folders by path."""

    def __init__(
        self,
        portals: Portals,
        portal_id: int,
        owner: User,
        created: dict[str, list[dict[str, Any]]],
    ) -> None:
        self.portals = portals
        self.portal_id = portal_id
        self.owner = owner
        self.created = created
        self._folders: dict[tuple[str, tuple[str, ...]], Entry] = {}

    async def user(self, email: object) -> User:
        if email is None:
            return self.owner
        if not isinstance(email, str):
            raise InvalidRequest("user must be an e-mail address")
        found = await self.portals.accounts.user_by_email(self.portal_id, email)
        if found is None:
            raise InvalidRequest(f"There is no user {email} in the portal")
        if found.my_folder_id == 0:
            raise InvalidRequest(f"{email} has no My documents (guests have none)")
        return found

    async def folder(self, user: User, parts: list[str]) -> Entry:
        """The folder at a path below My documents, created as needed."""
        documents = self.portals.documents
        caller = Caller(user)
        current = await documents.my_documents(caller)
        for depth in range(len(parts)):
            key = (user.id, tuple(parts[: depth + 1]))
            known = self._folders.get(key)
            if known is None:
                known = await self._child_folder(user, current, parts[depth])
                self._folders[key] = known
                self.created["folders"].append(
                    {"id": known.id, "path": "/".join(parts[: depth + 1])}
                )
            current = known
        return current

    async def _child_folder(self, user: User, parent: Entry, title: str) -> Entry:
        now = _now()
        async with self.portals.db.write() as connection:
            queries = EntryQueries(connection)
            existing = await queries.child_by_title(parent.id, title, EntryType.FOLDER)
            if existing is not None:
                return existing
            fresh = await queries.entry(parent.portal_id, parent.id)
            assert fresh is not None
            folder = await queries.insert_child(
                fresh,
                EntryType.FOLDER,
                title,
                owner_id=user.id,
                now=now,
            )
            await queries.touch(fresh.ancestor_ids + [fresh.id], now)
        return folder

    async def file(self, user: User, parts: list[str], content: bytes | None) -> Entry:
        """A file with this content, or a blank document of its kind."""
        documents = self.portals.documents
        caller = Caller(user)
        folder = await self.folder(user, parts[:-1])
        if content is not None:
            entry = await documents.upload(caller, folder, parts[-1], _once(content))
        else:
            entry = await documents.create_blank(caller, folder, parts[-1])
        self.created["files"].append(
            {"id": entry.id, "path": "/".join(parts), "title": entry.title}
        )
        return entry

    async def directory(self, user: User, root: Path) -> None:
        """Copy a folder on the server's disk into My documents."""
        paths = await to_thread.run_sync(lambda: sorted(root.rglob("*")))
        for path in paths:
            parts = list(path.relative_to(root).parts)
            if path.is_dir():
                await self.folder(user, parts)
            elif path.is_file():
                folder = await self.folder(user, parts[:-1])
                entry = await self.portals.documents.upload(
                    Caller(user), folder, parts[-1], _read_file(path)
                )
                self.created["files"].append(
                    {"id": entry.id, "path": "/".join(parts), "title": entry.title}
                )


def _content(spec: dict[str, Any]) -> bytes | None:
    """A seeded file's content: "content" (text) or "base64"; None for a blank."""
    if "base64" in spec:
        try:
            return base64.b64decode(str(spec["base64"]), validate=True)
        except ValueError:
            raise InvalidRequest("base64 is not valid Base64") from None
    if "content" not in spec:
        return None
    content = spec["content"]
    if not isinstance(content, str):
        raise InvalidRequest("content must be text")
    return content.encode()


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _read_file(path: Path) -> AsyncIterator[bytes]:
    handle = await to_thread.run_sync(path.open, "rb")
    try:
        while chunk := await to_thread.run_sync(handle.read, 1024 * 1024):
            yield chunk
    finally:
        await to_thread.run_sync(handle.close)


class SnapshotAwareBlobStore:
    """A blob store whose deletes spare content that a portal snapshot refers to.

    Services delete content as soon as its last version goes; in emulator mode a
    snapshot may still need it, so the delete skips those keys. When the last
    snapshot naming them goes, `Portals` releases them.
    """

    def __init__(self, inner: BlobStore, db: Database) -> None:
        self.inner = inner
        self.db = db

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self.db.read() as connection:
            kept = await PortalQueries(connection).snapshot_keys(keys)
        await self.inner.delete([key for key in keys if key not in kept])

    # Everything else is the inner store's.

    def writer(self) -> BlobWriter:
        return self.inner.writer()

    async def put(self, data: bytes) -> StoredBlob:
        return await self.inner.put(data)

    def read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        return self.inner.read(key, start, end)

    def local_path(self, key: str) -> Path | None:
        return self.inner.local_path(key)

    async def copy(self, key: str) -> str:
        return await self.inner.copy(key)

    def keys(self) -> AsyncIterator[str]:
        return self.inner.keys()

    async def clear_temporary(self, *, older_than: float | None = None) -> int:
        return await self.inner.clear_temporary(older_than=older_than)

    async def ping(self) -> None:
        await self.inner.ping()

    def download_url(self, key: str, **options: Any) -> str | None:
        return self.inner.download_url(key, **options)

    async def begin_upload(self, size: int) -> str:
        return await self.inner.begin_upload(size)

    async def write_part(
        self, handle: str, number: int, offset: int, data: Any
    ) -> UploadPart:
        return await self.inner.write_part(handle, number, offset, data)

    async def complete_upload(self, handle: str, parts: list[UploadPart]) -> StoredBlob:
        return await self.inner.complete_upload(handle, parts)

    async def abort_upload(self, handle: str) -> None:
        await self.inner.abort_upload(handle)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def __getattr__(self, name: str) -> Any:
        # Methods a store gains later are passed through as they are.
        return getattr(self.inner, name)
