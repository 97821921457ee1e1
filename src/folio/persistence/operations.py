"""Queries for file operations: the queue the workers claim from, and its results."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import Operation, OperationKind, OperationStatus
from folio.persistence.tables import operations

__all__ = ["OperationQueries"]

_DONE = (OperationStatus.COMPLETED, OperationStatus.CANCELED, OperationStatus.FAILED)


def _operation(row: Any) -> Operation:
    result = json.loads(row.result)
    status = OperationStatus(row.status)
    return Operation(
        id=row.id,
        portal_id=row.portal_id,
        user_id=row.user_id,
        kind=OperationKind(row.kind),
        status=status,
        progress=row.progress,
        processed=row.processed,
        error=row.error,
        hold=row.hold,
        created=row.created,
        finished=status in _DONE,
        files=tuple(result.get("files", ())),
        folders=tuple(result.get("folders", ())),
        archive=result.get("archive"),
    )


class OperationQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def insert(
        self,
        *,
        operation_id: str,
        portal_id: int,
        user_id: str,
        kind: OperationKind,
        hold: bool,
        request: dict[str, Any],
        now: datetime,
    ) -> None:
        await self.connection.execute(
            operations.insert().values(
                id=operation_id,
                portal_id=portal_id,
                user_id=user_id,
                kind=int(kind),
                status=int(OperationStatus.CREATED),
                progress=0,
                processed=0,
                error="",
                hold=hold,
                reported=False,
                request=json.dumps(request),
                result="{}",
                created=now,
                updated=now,
            )
        )

    async def get(self, operation_id: str) -> Operation | None:
        row = (
            await self.connection.execute(
                operations.select().where(operations.c.id == operation_id)
            )
        ).first()
        return None if row is None else _operation(row)

    async def request(self, operation_id: str) -> dict[str, Any]:
        query = sa.select(operations.c.request).where(operations.c.id == operation_id)
        return dict(json.loads((await self.connection.execute(query)).scalar_one()))

    async def visible(
        self, user_id: str, kind: OperationKind | None = None
    ) -> list[Operation]:
        """The user's operations still to be shown: unfinished, or held and unseen."""
        unfinished = operations.c.status.notin_([int(s) for s in _DONE])
        held = sa.and_(
            operations.c.hold.is_(True),
            operations.c.reported.is_(False),
            operations.c.status != int(OperationStatus.CANCELED),
        )
        query = operations.select().where(
            operations.c.user_id == user_id, sa.or_(unfinished, held)
        )
        if kind is not None:
            query = query.where(operations.c.kind == int(kind))
        rows = await self.connection.execute(
            query.order_by(operations.c.created, operations.c.id)
        )
        return [_operation(row) for row in rows]

    async def mark_reported(self, operation_ids: list[str]) -> None:
        if operation_ids:
            await self.connection.execute(
                operations.update()
                .where(operations.c.id.in_(operation_ids))
                .values(reported=True)
            )

    async def claim_next(
        self,
        now: datetime,
        *,
        skip_locked: bool,
        node_id: str = "",
        lease_until: datetime | None = None,
    ) -> str | None:
        """Take the oldest waiting operation for this worker, or None.

        On PostgreSQL the row is locked with SKIP LOCKED, so workers on other nodes
        pass over it instead of queueing behind it; the conditional UPDATE makes
        the claim exactly-once on every database.
        """
        query = (
            sa.select(operations.c.id)
            .where(operations.c.status == int(OperationStatus.CREATED))
            .order_by(operations.c.created)
            .limit(1)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        row = (await self.connection.execute(query)).first()
        if row is None:
            return None
        claimed = await self.connection.execute(
            operations.update()
            .where(
                operations.c.id == row.id,
                operations.c.status == int(OperationStatus.CREATED),
            )
            .values(
                status=int(OperationStatus.RUNNING),
                updated=now,
                claimed_by=node_id,
                lease_until=lease_until,
            )
        )
        return str(row.id) if claimed.rowcount == 1 else None

    async def renew_lease(
        self, operation_id: str, node_id: str, lease_until: datetime
    ) -> None:
        """Extend this node's claim on an operation it is still running."""
        await self.connection.execute(
            operations.update()
            .where(
                operations.c.id == operation_id,
                operations.c.claimed_by == node_id,
                operations.c.status == int(OperationStatus.RUNNING),
            )
            .values(lease_until=lease_until)
        )

    async def update(self, operation_id: str, now: datetime, **values: Any) -> None:
        if "result" in values:
            values["result"] = json.dumps(values["result"])
        if "status" in values:
            values["status"] = int(values["status"])
        await self.connection.execute(
            operations.update()
            .where(operations.c.id == operation_id)
            .values(updated=now, **values)
        )

    async def fail_interrupted(
        self, now: datetime, message: str, *, all_running: bool = False
    ) -> int:
        """End every operation left running by a node that died.

        A node renews the lease of what it runs, so a running operation whose lease
        lapsed (or that never had one) has nobody working on it any more. With
        `all_running` (a single process that just started), every running one
        belongs to a process that is gone.
        """
        lapsed = sa.or_(
            operations.c.lease_until.is_(None), operations.c.lease_until < now
        )
        result = await self.connection.execute(
            operations.update()
            .where(
                operations.c.status == int(OperationStatus.RUNNING),
                sa.true() if all_running else lapsed,
            )
            .values(status=int(OperationStatus.FAILED), error=message, updated=now)
        )
        return int(result.rowcount)

    async def cancel(self, operation_id: str, now: datetime) -> bool:
        """Cancel a waiting or running operation; False if it had already ended."""
        result = await self.connection.execute(
            operations.update()
            .where(
                operations.c.id == operation_id,
                operations.c.status.notin_([int(s) for s in _DONE]),
            )
            .values(status=int(OperationStatus.CANCELED), updated=now)
        )
        return result.rowcount == 1
