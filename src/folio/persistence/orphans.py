"""Queries for the sweep of orphaned content: keys seen with no version to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.persistence.tables import orphan_candidates

__all__ = ["OrphanQueries"]


class OrphanQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def note(
        self, keys: Sequence[str], now: datetime, due_before: datetime
    ) -> list[str]:
        """Record these keys as unreferenced now; return those unreferenced since
        before `due_before` (first seen on an earlier sweep, and long enough ago)."""
        if not keys:
            return []
        known = {
            row.blob_key: row.first_seen
            for row in await self.connection.execute(
                sa.select(
                    orphan_candidates.c.blob_key, orphan_candidates.c.first_seen
                ).where(orphan_candidates.c.blob_key.in_(list(keys)))
            )
        }
        fresh = [key for key in keys if key not in known]
        if fresh:
            await self.connection.execute(
                orphan_candidates.insert(),
                [{"blob_key": k, "first_seen": now, "last_seen": now} for k in fresh],
            )
        if known:
            await self.connection.execute(
                orphan_candidates.update()
                .where(orphan_candidates.c.blob_key.in_(list(known)))
                .values(last_seen=now)
            )
        return [key for key, first_seen in known.items() if first_seen < due_before]

    async def forget(self, keys: Sequence[str]) -> None:
        """Drop keys that turned out referenced, or that are gone."""
        if keys:
            await self.connection.execute(
                orphan_candidates.delete().where(
                    orphan_candidates.c.blob_key.in_(list(keys))
                )
            )

    async def forget_unseen_since(self, moment: datetime) -> None:
        """Drop keys the store no longer listed on a sweep that began at `moment`."""
        await self.connection.execute(
            orphan_candidates.delete().where(orphan_candidates.c.last_seen < moment)
        )
