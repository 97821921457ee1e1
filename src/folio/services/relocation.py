"""Copying a whole document space into another deployment: how a team that
outgrows one machine moves from SQLite and a folder to PostgreSQL and S3.

Content goes first and metadata after, as in every write: each version's content
is streamed into the target store under a fresh key, checked against its SHA-256,
and the metadata is then copied table by table with those keys. The source must
not change meanwhile (stop its server first).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import sqlalchemy as sa

from folio.domain.entries import OperationStatus
from folio.persistence.copying import TableCopier, tables_in_order
from folio.persistence.tables import entries, file_versions, operations
from folio.services.space import Space

__all__ = ["CopyReport", "TargetNotEmpty", "copy_space"]

log = logging.getLogger(__name__)

# What only made sense where it was: the throttling of logins, periodic jobs'
# claims, the sweep's notes, and uploads in progress into the old store.
_NOT_COPIED = (
    "login_failures",
    "scheduled_jobs",
    "orphan_candidates",
    "upload_sessions",
    "upload_chunks",
)
_UNFINISHED = [int(OperationStatus.CREATED), int(OperationStatus.RUNNING)]


class TargetNotEmpty(RuntimeError):
    """The target database already holds data; copying would mix two spaces."""


@dataclasses.dataclass
class CopyReport:
    """What a copy moved."""

    rows: dict[str, int] = dataclasses.field(default_factory=dict)
    blobs: int = 0
    bytes: int = 0


async def copy_space(source: Space, target: Space) -> CopyReport:
    """Copy every user, key, entry, version and their content into `target`."""
    async with target.db.read() as connection:
        if not await TableCopier(connection).is_empty():
            raise TargetNotEmpty("The target database is not empty")
    report = CopyReport()
    keys = await _copy_content(source, target, report)

    def with_new_key(row: dict[str, Any]) -> dict[str, Any]:
        if row.get("blob_key") is not None:
            row["blob_key"] = keys[row["blob_key"]]
        return row

    async with source.db.read() as reading, target.db.write() as writing:
        copier = TableCopier(writing)
        for table in tables_in_order(skip=_NOT_COPIED):
            where = None
            if table is operations:
                # Work queued for the old server's workers stays behind.
                where = operations.c.status.notin_(_UNFINISHED)
            change = with_new_key if table in (entries, file_versions) else None
            count = 0
            async for batch in TableCopier(reading).rows(table, where):
                await copier.insert(table, batch, change)
                count += len(batch)
            report.rows[table.name] = count
        await copier.reset_sequences()
    log.info(
        "event=space.copied blobs=%d bytes=%d rows=%d",
        report.blobs,
        report.bytes,
        sum(report.rows.values()),
    )
    return report


async def _copy_content(
    source: Space, target: Space, report: CopyReport
) -> dict[str, str]:
    """Copy the content of every version; return the new key of each old one."""
    query = sa.select(file_versions.c.blob_key, file_versions.c.sha256).distinct()
    async with source.db.read() as connection:
        wanted = {row.blob_key: row.sha256 for row in await connection.execute(query)}
    keys: dict[str, str] = {}
    for old_key, sha256 in sorted(wanted.items()):
        writer = target.blobs.writer()
        try:
            async for chunk in source.blobs.read(old_key):
                await writer.write(chunk)
            stored = await writer.commit()
        except BaseException:
            await writer.abort()
            raise
        if stored.sha256 != sha256:
            await target.blobs.delete([stored.key])
            raise ValueError(
                f"The content {old_key} does not match its SHA-256; "
                "the source store is damaged"
            )
        keys[old_key] = stored.key
        report.blobs += 1
        report.bytes += stored.size
    return keys
