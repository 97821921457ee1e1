"""Queries for portals, users, API keys, session tokens and failed logins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import ApiKey, User
from folio.persistence.tables import (
    api_keys,
    auth_tokens,
    login_failures,
    portals,
    users,
)

__all__ = ["AccountQueries"]


def _user(row: Any) -> User:
    return User(
        id=row.id,
        portal_id=row.portal_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        is_admin=row.is_admin,
        is_owner=row.is_owner,
        created=row.created,
        my_folder_id=row.my_folder_id,
        trash_folder_id=row.trash_folder_id,
        used_space=row.used_space,
        quota_limit=row.quota_limit,
        sort_by=row.sort_by,
        sort_order=row.sort_order,
        role=row.role,
    )


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        portal_id=row.portal_id,
        user_id=row.user_id,
        name=row.name,
        postfix=row.postfix,
        permissions=tuple(p for p in row.permissions.split(" ") if p),
        created=row.created,
        expires_at=row.expires_at,
        last_used=row.last_used,
        is_active=row.is_active,
    )


class AccountQueries:
    """Reads and writes of account records on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def _one(self, query: sa.Executable) -> Any:
        return (await self.connection.execute(query)).first()

    # Portals

    async def portal_id(self, name: str) -> int | None:
        row = await self._one(sa.select(portals.c.id).where(portals.c.name == name))
        return None if row is None else int(row.id)

    async def insert_portal(self, name: str, now: datetime) -> int:
        """Add a portal, or return the id of the one another node just added."""
        try:
            async with self.connection.begin_nested():
                result = await self.connection.execute(
                    portals.insert()
                    .values(name=name, created=now)
                    .returning(portals.c.id)
                )
                return int(result.scalar_one())
        except sa.exc.IntegrityError:
            found = await self.portal_id(name)
            if found is None:
                raise
            return found

    # Users

    async def count_users(self, portal_id: int) -> int:
        query = sa.select(sa.func.count()).where(users.c.portal_id == portal_id)
        return int((await self.connection.execute(query)).scalar_one())

    async def insert_user(self, **values: object) -> None:
        await self.connection.execute(users.insert().values(**values))

    async def set_user_folders(self, user_id: str, my_id: int, trash_id: int) -> None:
        await self.connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(my_folder_id=my_id, trash_folder_id=trash_id)
        )

    async def user(self, user_id: str) -> User | None:
        row = await self._one(users.select().where(users.c.id == user_id))
        return None if row is None else _user(row)

    async def user_by_email(self, portal_id: int, email: str) -> User | None:
        query = users.select().where(
            users.c.portal_id == portal_id, users.c.email_key == email.casefold()
        )
        row = await self._one(query)
        return None if row is None else _user(row)

    async def password_hash(self, user_id: str) -> str | None:
        row = await self._one(
            sa.select(users.c.password_hash).where(users.c.id == user_id)
        )
        return None if row is None else str(row.password_hash)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self.connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(password_hash=password_hash)
        )

    async def set_sort(self, user_id: str, sort_by: str, sort_order: int) -> None:
        await self.connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(sort_by=sort_by, sort_order=sort_order)
        )

    async def add_used_space(self, user_id: str, delta: int) -> None:
        if delta:
            await self.connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(used_space=users.c.used_space + delta)
            )

    async def set_quota(self, user_id: str, quota: int) -> None:
        await self.connection.execute(
            users.update().where(users.c.id == user_id).values(quota_limit=quota)
        )

    # API keys

    async def insert_key(self, **values: object) -> None:
        await self.connection.execute(api_keys.insert().values(**values))

    async def key(self, key_id: str) -> ApiKey | None:
        row = await self._one(api_keys.select().where(api_keys.c.id == key_id))
        return None if row is None else _key(row)

    async def key_by_hash(self, key_hash: str) -> ApiKey | None:
        query = api_keys.select().where(api_keys.c.key_hash == key_hash)
        row = await self._one(query)
        return None if row is None else _key(row)

    async def keys(self, portal_id: int, user_id: str | None) -> list[ApiKey]:
        query = api_keys.select().where(api_keys.c.portal_id == portal_id)
        if user_id is not None:
            query = query.where(api_keys.c.user_id == user_id)
        rows = await self.connection.execute(query.order_by(api_keys.c.created))
        return [_key(row) for row in rows]

    async def update_key(self, key_id: str, **values: object) -> None:
        await self.connection.execute(
            api_keys.update().where(api_keys.c.id == key_id).values(**values)
        )

    async def delete_key(self, key_id: str) -> None:
        await self.connection.execute(api_keys.delete().where(api_keys.c.id == key_id))

    # Session tokens

    async def insert_token(self, **values: object) -> None:
        await self.connection.execute(auth_tokens.insert().values(**values))

    async def token(self, token_hash: str) -> Any:
        query = auth_tokens.select().where(auth_tokens.c.token_hash == token_hash)
        return await self._one(query)

    async def delete_token(self, token_hash: str) -> None:
        await self.connection.execute(
            auth_tokens.delete().where(auth_tokens.c.token_hash == token_hash)
        )

    # Failed logins

    async def login_failures(self, portal_id: int, client: str) -> Any:
        return await self._one(
            login_failures.select().where(
                login_failures.c.portal_id == portal_id,
                login_failures.c.client == client,
            )
        )

    async def record_login_failure(
        self, portal_id: int, client: str, now: datetime, window_start: datetime
    ) -> None:
        """Count one failure, starting a new window if the last one is over."""
        row = await self.login_failures(portal_id, client)
        where = (login_failures.c.portal_id == portal_id) & (
            login_failures.c.client == client
        )
        if row is None:
            try:
                async with self.connection.begin_nested():
                    await self.connection.execute(
                        login_failures.insert().values(
                            portal_id=portal_id,
                            client=client,
                            window_start=now,
                            failures=1,
                        )
                    )
                return
            except sa.exc.IntegrityError:
                # Another node counted a failure of this client at the same moment.
                row = await self.login_failures(portal_id, client)
        if row is None:
            return
        if row.window_start < window_start:
            await self.connection.execute(
                login_failures.update()
                .where(where)
                .values(window_start=now, failures=1)
            )
        else:
            await self.connection.execute(
                login_failures.update()
                .where(where)
                .values(failures=login_failures.c.failures + 1)
            )

    async def clear_login_failures(self, portal_id: int, client: str) -> None:
        await self.connection.execute(
            login_failures.delete().where(
                login_failures.c.portal_id == portal_id,
                login_failures.c.client == client,
            )
        )
