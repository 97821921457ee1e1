"""Queries behind the metrics: how much work waits, across every node."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import OperationStatus
from folio.persistence.tables import operations, upload_sessions

__all__ = ["MonitoringQueries"]

# upload_sessions.state of a session still taking chunks.
_OPEN = 0


class MonitoringQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def operations_by_status(self) -> dict[OperationStatus, int]:
        rows = await self.connection.execute(
            sa.select(operations.c.status, sa.func.count())
            .where(
                operations.c.status.in_(
                    [int(OperationStatus.CREATED), int(OperationStatus.RUNNING)]
                )
            )
            .group_by(operations.c.status)
        )
        return {OperationStatus(status): int(count) for status, count in rows}

    async def open_upload_sessions(self, now: datetime) -> int:
        query = sa.select(sa.func.count()).where(
            upload_sessions.c.state == _OPEN, upload_sessions.c.expires > now
        )
        return int((await self.connection.execute(query)).scalar_one())
