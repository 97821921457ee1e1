"""Queries for the history of files: their versions, groups and comments."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import FolderType
from folio.persistence.tables import entries, file_versions

__all__ = ["VersionQueries"]


class VersionQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    def _of(self, file_id: int) -> sa.ColumnElement[bool]:
        return file_versions.c.file_id == file_id

    async def delete(self, file_id: int, version: int) -> tuple[str, int] | None:
        """Delete one version; return its content key and size, or None."""
        query = sa.select(file_versions.c.blob_key, file_versions.c.size).where(
            self._of(file_id), file_versions.c.version == version
        )
        row = (await self.connection.execute(query)).first()
        if row is None:
            return None
        await self.connection.execute(
            file_versions.delete().where(
                self._of(file_id), file_versions.c.version == version
            )
        )
        return str(row.blob_key), int(row.size)

    async def start_group(self, file_id: int, version: int) -> None:
        """Start a new version group after `version` (DocSpace's CompleteVersion)."""
        await self.connection.execute(
            file_versions.update()
            .where(self._of(file_id), file_versions.c.version > version)
            .values(version_group=file_versions.c.version_group + 1)
        )
        await self._sync_entry(file_id)

    async def continue_group(self, file_id: int, version: int) -> None:
        """Merge `version` and later ones into the previous group (ContinueVersion)."""
        query = sa.select(file_versions.c.version_group).where(
            self._of(file_id), file_versions.c.version == version
        )
        group = (await self.connection.execute(query)).scalar_one_or_none()
        if group is None or group <= 1:
            return
        await self.connection.execute(
            file_versions.update()
            .where(
                self._of(file_id),
                file_versions.c.version >= version,
                file_versions.c.version_group >= group,
            )
            .values(version_group=file_versions.c.version_group - 1)
        )
        await self._sync_entry(file_id)

    async def _sync_entry(self, file_id: int) -> None:
        """Copy the current version's group onto the entry, which shows it."""
        current = (
            sa.select(file_versions.c.version_group)
            .where(
                file_versions.c.file_id == entries.c.id,
                file_versions.c.version == entries.c.version,
            )
            .scalar_subquery()
        )
        await self.connection.execute(
            entries.update()
            .where(entries.c.id == file_id)
            .values(version_group=sa.func.coalesce(current, entries.c.version_group))
        )

    async def set_comment(self, file_id: int, version: int, comment: str) -> bool:
        """Store a version's comment; False when there is no such version."""
        result = await self.connection.execute(
            file_versions.update()
            .where(self._of(file_id), file_versions.c.version == version)
            .values(comment=comment)
        )
        if result.rowcount == 0:
            return False
        await self.connection.execute(
            entries.update()
            .where(entries.c.id == file_id, entries.c.version == version)
            .values(comment=comment)
        )
        return True

    async def space_by_section(self, portal_id: int) -> dict[FolderType, int]:
        """Bytes held by every version of every file, by the section they are in."""
        query = (
            sa.select(entries.c.root_type, sa.func.sum(file_versions.c.size))
            .select_from(
                file_versions.join(entries, entries.c.id == file_versions.c.file_id)
            )
            .where(entries.c.portal_id == portal_id)
            .group_by(entries.c.root_type)
        )
        rows = await self.connection.execute(query)
        return {FolderType(row[0]): int(row[1] or 0) for row in rows}
