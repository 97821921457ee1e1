"""Queries for per-user settings, kept by name as JSON values."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.persistence.tables import user_settings

__all__ = ["PreferenceQueries"]


class PreferenceQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, user_id: str, name: str) -> Any:
        """The stored value, or None when the user never set it."""
        query = sa.select(user_settings.c.value).where(
            user_settings.c.user_id == user_id, user_settings.c.name == name
        )
        row = (await self.connection.execute(query)).first()
        return None if row is None else json.loads(row.value)

    async def all(self, user_id: str) -> dict[str, Any]:
        query = sa.select(user_settings.c.name, user_settings.c.value).where(
            user_settings.c.user_id == user_id
        )
        rows = await self.connection.execute(query)
        return {row.name: json.loads(row.value) for row in rows}

    async def of_users(self, user_ids: list[str], name: str) -> dict[str, Any]:
        """One setting of many users, by user id; users who never set it are absent."""
        if not user_ids:
            return {}
        query = sa.select(user_settings.c.user_id, user_settings.c.value).where(
            user_settings.c.user_id.in_(user_ids), user_settings.c.name == name
        )
        rows = await self.connection.execute(query)
        return {row.user_id: json.loads(row.value) for row in rows}

    async def set(self, user_id: str, name: str, value: Any) -> None:
        encoded = json.dumps(value)
        updated = await self.connection.execute(
            user_settings.update()
            .where(user_settings.c.user_id == user_id, user_settings.c.name == name)
            .values(value=encoded)
        )
        if updated.rowcount == 0:
            await self.connection.execute(
                user_settings.insert().values(user_id=user_id, name=name, value=encoded)
            )
