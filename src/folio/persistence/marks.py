"""Queries for a user's marks on entries: favourites and recently opened files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import FolderType
from folio.persistence.tables import entries, favorites, recent_files

__all__ = ["MarkQueries"]


class MarkQueries:
    """Favourites and Recent of one user, on one connection."""

    def __init__(self, connection: AsyncConnection, user_id: str) -> None:
        self.connection = connection
        self.user_id = user_id

    # Favourites

    async def add_favorites(self, entry_ids: Sequence[int], now: datetime) -> None:
        """Mark entries as favourites; marking one twice keeps one mark."""
        marked = await self.favorite_ids(entry_ids)
        rows = [
            {"user_id": self.user_id, "entry_id": entry_id, "created": now}
            for entry_id in dict.fromkeys(entry_ids)
            if entry_id not in marked
        ]
        if rows:
            await self.connection.execute(favorites.insert(), rows)

    async def remove_favorites(self, entry_ids: Sequence[int]) -> None:
        if entry_ids:
            await self.connection.execute(
                favorites.delete().where(
                    favorites.c.user_id == self.user_id,
                    favorites.c.entry_id.in_(list(entry_ids)),
                )
            )

    async def favorite_ids(self, entry_ids: Sequence[int]) -> set[int]:
        """Which of these entries the user has marked as favourites."""
        if not entry_ids:
            return set()
        query = sa.select(favorites.c.entry_id).where(
            favorites.c.user_id == self.user_id,
            favorites.c.entry_id.in_(list(entry_ids)),
        )
        return {row.entry_id for row in await self.connection.execute(query)}

    def favorites_scope(self) -> sa.ColumnElement[bool]:
        """Entries the user marked as favourites, outside Trash."""
        marked = sa.select(favorites.c.entry_id).where(
            favorites.c.user_id == self.user_id
        )
        return sa.and_(
            entries.c.id.in_(marked),
            entries.c.owner_id == self.user_id,
            entries.c.root_type == int(FolderType.USER),
        )

    # Recent

    async def add_recent(self, entry_id: int, now: datetime) -> None:
        """Record that the user opened a file now."""
        updated = await self.connection.execute(
            recent_files.update()
            .where(
                recent_files.c.user_id == self.user_id,
                recent_files.c.entry_id == entry_id,
            )
            .values(opened=now)
        )
        if updated.rowcount == 0:
            await self.connection.execute(
                recent_files.insert().values(
                    user_id=self.user_id, entry_id=entry_id, opened=now
                )
            )

    async def opened_at(self, entry_id: int) -> datetime | None:
        """When the user last opened this file, if it is in Recent."""
        query = sa.select(recent_files.c.opened).where(
            recent_files.c.user_id == self.user_id,
            recent_files.c.entry_id == entry_id,
        )
        return (await self.connection.execute(query)).scalar_one_or_none()

    async def remove_recent(self, entry_ids: Sequence[int]) -> None:
        if entry_ids:
            await self.connection.execute(
                recent_files.delete().where(
                    recent_files.c.user_id == self.user_id,
                    recent_files.c.entry_id.in_(list(entry_ids)),
                )
            )

    def recent_scope(self) -> sa.ColumnElement[bool]:
        """Files the user opened recently, outside Trash."""
        opened = sa.select(recent_files.c.entry_id).where(
            recent_files.c.user_id == self.user_id
        )
        return sa.and_(
            entries.c.id.in_(opened),
            entries.c.owner_id == self.user_id,
            entries.c.root_type == int(FolderType.USER),
        )

    def last_opened(self) -> sa.ScalarSelect[datetime]:
        """When the user last opened the entry of the row, for ordering."""
        return (
            sa.select(recent_files.c.opened)
            .where(
                recent_files.c.user_id == self.user_id,
                recent_files.c.entry_id == entries.c.id,
            )
            .scalar_subquery()
        )
