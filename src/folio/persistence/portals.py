"""A portal's whole state across tables: find it, wipe it, save it, put it back.

Which rows belong to a portal is read from the schema, so a table added later is
covered without touching this module: a table belongs to a portal through its own
`portal_id` column, or through a foreign key into a table that does (favorites
through users), or through one of the links named in `_LINKS` for columns that
carry no foreign key. `unscoped_tables()` names any table that fits none of these,
and a test keeps that list empty.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.persistence.tables import (
    file_versions,
    metadata,
    portal_snapshots,
    portals,
    snapshot_blobs,
)

__all__ = [
    "GLOBAL_TABLES",
    "PortalQueries",
    "portal_tables",
    "unscoped_tables",
]

# Tables that belong to no portal.
GLOBAL_TABLES = frozenset({"orphan_candidates", "portals", "scheduled_jobs"})

# Columns that refer to another table's rows without a declared foreign key.
_LINKS: dict[tuple[str, str], tuple[str, str]] = {
    ("upload_chunks", "session_id"): ("upload_sessions", "id"),
}


def _is_state(table: sa.Table) -> bool:
    return table.name not in GLOBAL_TABLES and table.info.get("portal_state", True)


def _parent_link(table: sa.Table) -> tuple[sa.Column[Any], sa.Column[Any]] | None:
    """The column of `table` that names a portal-owned row, and that row's column."""
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name != "portals" and _is_state(parent):
            return fk.parent, fk.column
    for (name, column), (parent_name, parent_column) in _LINKS.items():
        if name == table.name:
            parent = metadata.tables[parent_name]
            return table.c[column], parent.c[parent_column]
    return None


def _scope(table: sa.Table, portal_id: int) -> sa.ColumnElement[bool] | None:
    """The condition that selects the portal's rows of a table, or None."""
    if "portal_id" in table.c:
        return table.c.portal_id == portal_id
    link = _parent_link(table)
    if link is None:
        return None
    column, parent_column = link
    parent_scope = _scope(parent_column.table, portal_id)  # type: ignore[arg-type]
    if parent_scope is None:
        return None
    return column.in_(sa.select(parent_column).where(parent_scope))


def portal_tables() -> list[sa.Table]:
    """Every table that holds portal rows, parents before the rows that need them."""
    return [
        table
        for table in metadata.sorted_tables
        if _is_state(table) and _scope(table, 0) is not None
    ]


def unscoped_tables() -> list[str]:
    """Tables that are neither global nor tied to a portal (should be none)."""
    return [
        table.name
        for table in metadata.sorted_tables
        if _is_state(table) and _scope(table, 0) is None
    ]


def _encode(table: sa.Table, row: Any) -> dict[str, Any]:
    values = {}
    for column in table.c:
        value = getattr(row, column.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        values[column.name] = value
    return values


def _decode(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for column in table.c:
        if column.name not in values:
            continue
        value = values[column.name]
        if value is not None:
            python_type = _python_type(column)
            if python_type is datetime:
                value = datetime.fromisoformat(value)
            elif python_type is bytes:
                value = base64.b64decode(value)
        decoded[column.name] = value
    return decoded


def _python_type(column: sa.Column[Any]) -> type | None:
    """The Python type of a column that JSON cannot carry as it is."""
    stored = getattr(column.type, "impl", column.type)  # a TypeDecorator's storage
    if isinstance(stored, sa.DateTime):
        return datetime
    if isinstance(stored, sa.LargeBinary):
        return bytes
    return None


class PortalQueries:
    """Portal-wide reads and writes on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    # Portals

    async def all(self) -> list[Any]:
        rows = await self.connection.execute(portals.select().order_by(portals.c.id))
        return list(rows)

    async def by_name(self, name: str) -> Any:
        query = portals.select().where(portals.c.name == name)
        return (await self.connection.execute(query)).first()

    async def delete_portal(self, portal_id: int) -> None:
        """Remove a portal row; its state and snapshots must be gone already."""
        await self.connection.execute(portals.delete().where(portals.c.id == portal_id))

    # The portal's state

    async def blob_keys(self, portal_id: int) -> set[str]:
        """Content the portal's file versions refer to."""
        query = sa.select(file_versions.c.blob_key).where(
            file_versions.c.portal_id == portal_id
        )
        return {row.blob_key for row in await self.connection.execute(query)}

    async def wipe(
        self, portal_id: int, keep: dict[str, sa.ColumnElement[bool]] | None = None
    ) -> None:
        """Delete the portal's rows of every table, children first.

        `keep` maps a table name to a condition for rows that stay.
        """
        keep = keep or {}
        for table in reversed(portal_tables()):
            scope = _scope(table, portal_id)
            assert scope is not None
            if table.name in keep:
                scope = sa.and_(scope, sa.not_(keep[table.name]))
            await self.connection.execute(table.delete().where(scope))

    async def dump(self, portal_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of the portal's state, table by table, as JSON values."""
        state: dict[str, list[dict[str, Any]]] = {}
        for table in portal_tables():
            scope = _scope(table, portal_id)
            assert scope is not None
            rows = await self.connection.execute(table.select().where(scope))
            state[table.name] = [_encode(table, row) for row in rows]
        return state

    async def load(self, state: dict[str, list[dict[str, Any]]]) -> None:
        """Insert rows saved by `dump`, parents first, with their own ids."""
        for table in portal_tables():
            rows = [_decode(table, values) for values in state.get(table.name, [])]
            if rows:
                await self.connection.execute(table.insert(), rows)

    # Snapshots

    async def snapshot_names(self, portal_id: int) -> list[str]:
        query = (
            sa.select(portal_snapshots.c.name)
            .where(portal_snapshots.c.portal_id == portal_id)
            .order_by(portal_snapshots.c.name)
        )
        return [row.name for row in await self.connection.execute(query)]

    async def save_snapshot(
        self,
        portal_id: int,
        name: str,
        state: dict[str, list[dict[str, Any]]],
        keys: set[str],
        now: datetime,
    ) -> set[str]:
        """Store a snapshot under a name, replacing one of that name.

        Return the content keys the replaced snapshot referred to.
        """
        released = await self.drop_snapshot(portal_id, name)
        data = zlib.compress(json.dumps(state, separators=(",", ":")).encode())
        result = await self.connection.execute(
            portal_snapshots.insert()
            .values(portal_id=portal_id, name=name, created=now, data=data)
            .returning(portal_snapshots.c.id)
        )
        snapshot_id = int(result.scalar_one())
        if keys:
            await self.connection.execute(
                snapshot_blobs.insert(),
                [{"snapshot_id": snapshot_id, "blob_key": key} for key in keys],
            )
        return released

    async def snapshot(
        self, portal_id: int, name: str
    ) -> dict[str, list[dict[str, Any]]] | None:
        query = sa.select(portal_snapshots.c.data).where(
            portal_snapshots.c.portal_id == portal_id, portal_snapshots.c.name == name
        )
        row = (await self.connection.execute(query)).first()
        if row is None:
            return None
        return dict(json.loads(zlib.decompress(row.data)))

    async def drop_snapshot(self, portal_id: int, name: str | None = None) -> set[str]:
        """Delete one snapshot (or all of a portal's); return the keys it held."""
        query = sa.select(portal_snapshots.c.id).where(
            portal_snapshots.c.portal_id == portal_id
        )
        if name is not None:
            query = query.where(portal_snapshots.c.name == name)
        ids = [row.id for row in await self.connection.execute(query)]
        if not ids:
            return set()
        keys_query = sa.select(snapshot_blobs.c.blob_key).where(
            snapshot_blobs.c.snapshot_id.in_(ids)
        )
        keys = {row.blob_key for row in await self.connection.execute(keys_query)}
        await self.connection.execute(
            snapshot_blobs.delete().where(snapshot_blobs.c.snapshot_id.in_(ids))
        )
        await self.connection.execute(
            portal_snapshots.delete().where(portal_snapshots.c.id.in_(ids))
        )
        return keys

    async def live_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these content keys a file version or a snapshot refers to."""
        wanted = list(set(keys))
        if not wanted:
            return set()
        found = set()
        for column in (file_versions.c.blob_key, snapshot_blobs.c.blob_key):
            query = sa.select(column).where(column.in_(wanted))
            found |= {row[0] for row in await self.connection.execute(query)}
        return found

    async def snapshot_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these content keys some snapshot refers to."""
        wanted = list(set(keys))
        if not wanted:
            return set()
        query = sa.select(snapshot_blobs.c.blob_key).where(
            snapshot_blobs.c.blob_key.in_(wanted)
        )
        return {row.blob_key for row in await self.connection.execute(query)}
