"""Queries for Trash: what lies at its top, and what has been there long enough."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import FolderType
from folio.persistence.tables import entries

__all__ = ["TrashQueries"]


class TrashQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def top_ids(self, trash_id: int) -> list[int]:
        """The items deleted into a Trash (not what lies inside them)."""
        query = (
            sa.select(entries.c.id)
            .where(entries.c.parent_id == trash_id)
            .order_by(entries.c.entry_type, entries.c.id)
        )
        return [row.id for row in await self.connection.execute(query)]

    async def trashed_before(
        self,
        cutoff: datetime,
        *,
        after: tuple[datetime, int] | None = None,
        limit: int = 500,
    ) -> list[tuple[int, str, int, datetime]]:
        """Items of every portal trashed before `cutoff`, oldest first, in pages.

        Returns (entry id, owner id, portal id, trashed at); pass the last row's
        (trashed at, id) as `after` for the next page. Only the item that was
        deleted carries `trashed_at`; what lies inside it goes with it.
        """
        query = sa.select(
            entries.c.id, entries.c.owner_id, entries.c.portal_id, entries.c.trashed_at
        ).where(
            entries.c.root_type == int(FolderType.TRASH),
            entries.c.trashed_at.is_not(None),
            entries.c.trashed_at < cutoff,
        )
        if after is not None:
            moment, entry_id = after
            query = query.where(
                sa.or_(
                    entries.c.trashed_at > moment,
                    sa.and_(entries.c.trashed_at == moment, entries.c.id > entry_id),
                )
            )
        query = query.order_by(entries.c.trashed_at, entries.c.id).limit(limit)
        return [
            (row.id, row.owner_id, row.portal_id, row.trashed_at)
            for row in await self.connection.execute(query)
        ]
