"""Users, passwords, API keys and session tokens: who is calling, and may they."""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from folio.config import Settings
from folio.domain.entries import ApiKey, EntryType, FolderType, User
from folio.errors import (
    AccessDenied,
    AuthenticationFailed,
    InvalidRequest,
    TooManyLoginAttempts,
    ValidationFailed,
)
from folio.persistence.accounts import AccountQueries
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries

__all__ = ["PERMISSIONS", "Accounts", "Caller", "NewKey", "Role", "hash_secret"]

DEFAULT_PORTAL = "default"

# Every permission an API key may hold, in the order DocSpace lists them.
PERMISSIONS = (
    "*",
    "*:read",
    "*:write",
    "accounts:read",
    "accounts:write",
    "accounts.self:read",
    "accounts.self:write",
    "files:read",
    "files:write",
    "rooms:read",
    "rooms:write",
)

MAX_KEY_NAME = 30

_hasher = PasswordHasher()

# Emulator mode hashes passwords with the cheapest Argon2 parameters, so that a
# fresh portal with its owner costs a millisecond rather than tens. Hashes carry
# their parameters, so any hash verifies in either mode; a self-hosted server
# re-hashes a cheap one with the strong defaults at its owner's next login.
_emulator_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Role(enum.IntEnum):
    """DocSpace's user types, as kept in `users.role`."""

    OWNER = 0
    DOCSPACE_ADMIN = 1
    ROOM_ADMIN = 2
    USER = 3
    GUEST = 4


# How stale an API key's "last used" time may be.
_LAST_USED_PRECISION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    """Hash a high-entropy secret (key or token) for lookup; never store it plain."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True)
class Caller:
    """An authenticated request's user, and what its credentials allow."""

    user: User
    #: The API key's permissions; None when a password or session token was used.
    scopes: tuple[str, ...] | None = None
    key_id: str | None = None

    @property
    def portal_id(self) -> int:
        return self.user.portal_id


@dataclasses.dataclass(frozen=True)
class NewKey:
    """A key just created: the only time its secret is known."""

    key: ApiKey
    secret: str


class Accounts:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._hasher = _emulator_hasher if settings.emulator else _hasher

    # Portals and users

    async def portal(self, name: str = DEFAULT_PORTAL) -> int:
        """Return the id of a portal, creating it on first use."""
        async with self.db.read() as connection:
            portal_id = await AccountQueries(connection).portal_id(name)
        if portal_id is not None:
            return portal_id
        async with self.db.write() as connection:
            queries = AccountQueries(connection)
            portal_id = await queries.portal_id(name)
            if portal_id is None:
                portal_id = await queries.insert_portal(name, _now())
            return portal_id

    async def has_users(self, portal_id: int) -> bool:
        async with self.db.read() as connection:
            return await AccountQueries(connection).count_users(portal_id) > 0

    async def add_user(
        self,
        portal_id: int,
        email: str,
        password: str,
        *,
        first_name: str = "",
        last_name: str = "",
        is_admin: bool = False,
        is_owner: bool = False,
        role: Role | None = None,
    ) -> User:
        """Create a user with their My documents and Trash (guests have neither)."""
        email = email.strip()
        if "@" not in email or len(email) > 255 or any(c.isspace() for c in email):
            raise InvalidRequest(f"Not a valid e-mail address: {email!r}")
        if not password:
            raise InvalidRequest("The password cannot be empty")
        if role is None:
            role = Role.OWNER if is_owner else (
                Role.DOCSPACE_ADMIN if is_admin else Role.USER
            )  # fmt: skip
        password_hash = await to_thread.run_sync(self._hasher.hash, password)
        now = _now()
        user_id = str(uuid.uuid4())
        async with self.db.write() as connection:
            accounts = AccountQueries(connection)
            if await accounts.user_by_email(portal_id, email) is not None:
                raise InvalidRequest(f"A user with the e-mail {email} already exists")
            await accounts.insert_user(
                id=user_id,
                portal_id=portal_id,
                email=email,
                email_key=email.casefold(),
                first_name=first_name,
                last_name=last_name,
                password_hash=password_hash,
                is_admin=role in (Role.OWNER, Role.DOCSPACE_ADMIN),
                is_owner=role is Role.OWNER,
                role=int(role),
                created=now,
            )
            if role is Role.GUEST:
                # DocSpace gives guests no personal documents.
                user = await accounts.user(user_id)
                assert user is not None
                return user
            folders = EntryQueries(connection)
            roots = {}
            for folder_type, title in (
                (FolderType.USER, "My documents"),
                (FolderType.TRASH, "Trash"),
            ):
                root = await folders.insert(
                    parent=None,
                    portal_id=portal_id,
                    owner_id=user_id,
                    entry_type=EntryType.FOLDER,
                    parent_id=0,
                    root_id=0,
                    root_type=folder_type,
                    folder_type=folder_type,
                    title=title,
                    created=now,
                    updated=now,
                    created_by=user_id,
                    updated_by=user_id,
                )
                await folders.update(root.id, root_id=root.id)
                roots[folder_type] = root.id
            await accounts.set_user_folders(
                user_id, roots[FolderType.USER], roots[FolderType.TRASH]
            )
            user = await accounts.user(user_id)
        assert user is not None
        return user

    async def user(self, user_id: str) -> User:
        async with self.db.read() as connection:
            user = await AccountQueries(connection).user(user_id)
        if user is None:
            raise AuthenticationFailed()
        return user

    async def user_by_email(self, portal_id: int, email: str) -> User | None:
        async with self.db.read() as connection:
            return await AccountQueries(connection).user_by_email(portal_id, email)

    async def set_quota(self, user: User, quota: int) -> None:
        async with self.db.write() as connection:
            await AccountQueries(connection).set_quota(user.id, quota)

    # Passwords and sessions

    async def check_password(self, portal_id: int, email: str, password: str) -> User:
        """Return the user these credentials name, or raise AuthenticationFailed."""
        async with self.db.read() as connection:
            accounts = AccountQueries(connection)
            user = await accounts.user_by_email(portal_id, email)
            stored = None if user is None else await accounts.password_hash(user.id)
        if user is None or stored is None:
            # Spend the same time as a real check, so timing does not reveal e-mails.
            await to_thread.run_sync(
                _verify, self._hasher, _dummy_hash(self._hasher), password
            )
            raise AuthenticationFailed()
        if not await to_thread.run_sync(_verify, self._hasher, stored, password):
            raise AuthenticationFailed()
        if not self.settings.emulator and self._hasher.check_needs_rehash(stored):
            # A hash made with weaker parameters (in emulator mode) is replaced.
            stronger = await to_thread.run_sync(self._hasher.hash, password)
            async with self.db.write() as connection:
                await AccountQueries(connection).set_password_hash(user.id, stronger)
        return user

    async def login(
        self, portal_id: int, email: str, password: str, client: str
    ) -> tuple[str, datetime]:
        """Check a password and open a session; refuse a client that guesses.

        Failures are counted per client address and account, so that guessing at
        one account locks it for that client without locking out a whole office
        behind one address.
        """
        client = f"{client}|{email.strip().casefold()}"[:255]
        await self._refuse_if_throttled(portal_id, client)
        try:
            user = await self.check_password(portal_id, email, password)
        except AuthenticationFailed:
            async with self.db.write() as connection:
                window_start = _now() - timedelta(seconds=self.settings.login_window)
                await AccountQueries(connection).record_login_failure(
                    portal_id, client, _now(), window_start
                )
            raise
        token = secrets.token_urlsafe(48)
        expires = _now() + timedelta(days=self.settings.token_days)
        async with self.db.write() as connection:
            accounts = AccountQueries(connection)
            await accounts.clear_login_failures(portal_id, client)
            await accounts.insert_token(
                token_hash=hash_secret(token),
                portal_id=portal_id,
                user_id=user.id,
                created=_now(),
                expires_at=expires,
            )
        return token, expires

    async def _refuse_if_throttled(self, portal_id: int, client: str) -> None:
        async with self.db.read() as connection:
            row = await AccountQueries(connection).login_failures(portal_id, client)
        if row is None:
            return
        window_start = _now() - timedelta(seconds=self.settings.login_window)
        if (
            row.window_start >= window_start
            and row.failures >= self.settings.login_attempts
        ):
            raise TooManyLoginAttempts()

    async def logout(self, token: str) -> None:
        async with self.db.write() as connection:
            await AccountQueries(connection).delete_token(hash_secret(token))

    async def caller_from_token(self, portal_id: int, token: str) -> Caller | None:
        async with self.db.read() as connection:
            accounts = AccountQueries(connection)
            row = await accounts.token(hash_secret(token))
            if row is None or row.portal_id != portal_id or row.expires_at <= _now():
                return None
            user = await accounts.user(row.user_id)
        return None if user is None else Caller(user)

    async def caller_from_key(self, portal_id: int, secret: str) -> Caller | None:
        async with self.db.read() as connection:
            accounts = AccountQueries(connection)
            key = await accounts.key_by_hash(hash_secret(secret))
            if key is None or key.portal_id != portal_id or not key.is_valid(_now()):
                return None
            user = await accounts.user(key.user_id)
        if user is None:
            return None
        # A write per request would cost every read a commit (and, on a shared
        # database, contention between nodes); to the minute is precise enough.
        now = _now()
        if key.last_used is None or now - key.last_used >= _LAST_USED_PRECISION:
            async with self.db.write() as connection:
                await AccountQueries(connection).update_key(key.id, last_used=now)
        return Caller(user, scopes=key.permissions or ("*",), key_id=key.id)

    # API keys

    async def create_key(
        self,
        caller: Caller,
        name: object,
        permissions: object = None,
        expires_in_days: object = None,
        *,
        owner: User | None = None,
    ) -> NewKey:
        """Create a key for the caller (or, from the command line, for `owner`)."""
        if owner is None and caller.user.role == Role.GUEST:
            raise AccessDenied()
        name = _key_name(name)
        if permissions is None:
            scopes: tuple[str, ...] = ()
        else:
            scopes = _permissions(permissions)
            if "*" in scopes:
                scopes = ()
        expires_at = None
        if expires_in_days is not None:
            if (
                not isinstance(expires_in_days, int)
                or isinstance(expires_in_days, bool)
                or not 1 <= expires_in_days <= 365
            ):
                raise ValidationFailed(
                    {
                        "ExpiresInDays": [
                            "The field ExpiresInDays must be between 1 and 365."
                        ]
                    }
                )
            expires_at = _now() + timedelta(days=expires_in_days)
        user = owner or caller.user
        secret = "sk-" + secrets.token_hex(32)
        key_id = str(uuid.uuid4())
        async with self.db.write() as connection:
            accounts = AccountQueries(connection)
            await accounts.insert_key(
                id=key_id,
                portal_id=user.portal_id,
                user_id=user.id,
                name=name,
                key_hash=hash_secret(secret),
                postfix=secret[-4:],
                permissions=" ".join(scopes),
                created=_now(),
                expires_at=expires_at,
                is_active=True,
            )
            key = await accounts.key(key_id)
        assert key is not None
        return NewKey(key, secret)

    async def keys(self, caller: Caller, *, everyone: bool = False) -> list[ApiKey]:
        """The caller's keys; an admin's listing holds every key of the portal."""
        user_id = None if everyone and caller.user.is_admin else caller.user.id
        async with self.db.read() as connection:
            return await AccountQueries(connection).keys(caller.portal_id, user_id)

    async def key_of(self, caller: Caller) -> ApiKey:
        if caller.key_id is None:
            raise InvalidRequest("This request was not authenticated with an API key")
        async with self.db.read() as connection:
            key = await AccountQueries(connection).key(caller.key_id)
        if key is None:
            raise AuthenticationFailed()
        return key

    async def _own_key(self, caller: Caller, key_id: str) -> ApiKey | None:
        async with self.db.read() as connection:
            key = await AccountQueries(connection).key(key_id)
        if key is None or key.portal_id != caller.portal_id:
            return None
        if key.user_id != caller.user.id and not caller.user.is_admin:
            return None
        return key

    async def update_key(
        self,
        caller: Caller,
        key_id: str,
        *,
        name: object = None,
        permissions: object = None,
        is_active: object = None,
    ) -> bool:
        """Change a key; False, as DocSpace answers, for an expired or foreign one."""
        key = await self._own_key(caller, key_id)
        if key is None or (key.expires_at is not None and key.expires_at <= _now()):
            return False
        values: dict[str, object] = {}
        if isinstance(name, str) and name.strip():
            values["name"] = _key_name(name)
        if permissions is not None and permissions != []:
            scopes = _permissions(permissions)
            values["permissions"] = "" if "*" in scopes else " ".join(scopes)
        if is_active is not None:
            if not isinstance(is_active, bool):
                raise ValidationFailed(
                    {"IsActive": ["The IsActive field must be a boolean."]}
                )
            values["is_active"] = is_active
        if values:
            async with self.db.write() as connection:
                await AccountQueries(connection).update_key(key.id, **values)
        return True

    async def delete_key(self, caller: Caller, key_id: str) -> bool:
        key = await self._own_key(caller, key_id)
        if key is None:
            return False
        async with self.db.write() as connection:
            await AccountQueries(connection).delete_key(key.id)
        return True

    async def revoke_key(self, key_id: str) -> ApiKey | None:
        """Deactivate a key from the command line; None if there is no such key."""
        async with self.db.write() as connection:
            accounts = AccountQueries(connection)
            key = await accounts.key(key_id)
            if key is not None:
                await accounts.update_key(key_id, is_active=False)
        return key

    async def keys_of_user(self, user: User) -> list[ApiKey]:
        async with self.db.read() as connection:
            return await AccountQueries(connection).keys(user.portal_id, user.id)


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not the password of anyone")


def _key_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed({"Name": ["The Name field is required."]})
    if len(name) > MAX_KEY_NAME:
        raise ValidationFailed(
            {"Name": [f"Incorrect name. Length must be less than {MAX_KEY_NAME}"]}
        )
    return name


def _permissions(permissions: object) -> tuple[str, ...]:
    if (
        not isinstance(permissions, list)
        or not permissions
        or not all(isinstance(p, str) and p in PERMISSIONS for p in permissions)
    ):
        raise InvalidRequest("Permissions are not valid.")
    return tuple(dict.fromkeys(permissions))


def require_scope(caller: Caller, accepted: tuple[str, ...]) -> None:
    """Refuse a key that holds none of the scopes a route accepts."""
    if caller.scopes is None or "*" in caller.scopes:
        return
    if not set(caller.scopes) & set(accepted):
        raise AccessDenied()
