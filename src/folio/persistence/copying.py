"""Whole-table reads and writes, for copying one deployment's metadata to another."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.persistence.tables import metadata

__all__ = ["TableCopier", "tables_in_order"]

_BATCH = 1000

Row = dict[str, Any]


def tables_in_order(skip: Sequence[str] = ()) -> list[sa.Table]:
    """Every table, each after the tables it refers to."""
    return [table for table in metadata.sorted_tables if table.name not in skip]


class TableCopier:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def is_empty(self) -> bool:
        """Whether no table holds a row."""
        for table in metadata.sorted_tables:
            query = sa.select(sa.func.count()).select_from(table)
            if (await self.connection.execute(query)).scalar_one():
                return False
        return True

    async def rows(
        self, table: sa.Table, where: sa.ColumnElement[bool] | None = None
    ) -> AsyncIterator[list[Row]]:
        """The table's rows in batches, in primary-key order."""
        query = table.select().order_by(*table.primary_key.columns)
        if where is not None:
            query = query.where(where)
        result = await self.connection.stream(query)
        async for batch in result.mappings().partitions(_BATCH):
            yield [dict(row) for row in batch]

    async def insert(
        self, table: sa.Table, rows: list[Row], change: Callable[[Row], Row] | None
    ) -> None:
        if rows:
            await self.connection.execute(
                table.insert(), [change(row) if change else row for row in rows]
            )

    async def reset_sequences(self) -> None:
        """Let PostgreSQL's id sequences continue after the ids copied in."""
        if self.connection.dialect.name != "postgresql":
            return
        for table in metadata.sorted_tables:
            columns = list(table.primary_key.columns)
            if len(columns) != 1 or not isinstance(columns[0].type, sa.Integer):
                continue
            # setval of a column without a sequence is NULL, and changes nothing.
            name = columns[0].name
            await self.connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), "
                    f"COALESCE(MAX({name}), 1), MAX({name}) IS NOT NULL) "
                    f"FROM {table.name}"
                )
            )
