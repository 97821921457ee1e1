"""Housekeeping that keeps storage and metadata in step."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.orphans import OrphanQueries
from folio.persistence.portals import PortalQueries
from folio.services.ports import BlobStore

__all__ = ["sweep_orphaned_content"]

log = logging.getLogger(__name__)

_BATCH = 500


async def sweep_orphaned_content(
    db: Database,
    blobs: BlobStore,
    *,
    grace: float | None,
    stale_upload_age: float | None = None,
) -> int:
    """Remove content that nothing refers to, and abandoned unfinished writes.

    Content counts as referred to by a file version or by a portal snapshot.

    Content is written before its metadata and deleted after it, so a crash can
    only ever leave content without metadata, never the reverse. But content is
    also without metadata for the moment between its store acknowledging it and
    its metadata committing, on any node. So with a `grace` (seconds), content is
    deleted only when this sweep finds it unreferenced and an earlier sweep, at
    least `grace` seconds ago, did too. `grace=None` deletes unreferenced content
    at once, which is safe only when nothing is being uploaded (at the start of a
    single-process server). Unfinished writes go when older than
    `stale_upload_age` seconds, or all of them without it.
    """
    started = datetime.now(UTC)
    removed = await blobs.clear_temporary(older_than=stale_upload_age)
    batch: list[str] = []

    async def flush() -> int:
        now = datetime.now(UTC)
        async with db.write() as connection:
            referenced = await EntryQueries(connection).blob_keys(batch)
            # A snapshot keeps the keys of the content it saw, not copies of it.
            referenced |= await PortalQueries(connection).snapshot_keys(batch)
            unreferenced = [key for key in batch if key not in referenced]
            orphans = OrphanQueries(connection)
            await orphans.forget(list(referenced))
            if grace is None:
                due = unreferenced
            else:
                due_before = min(started, now - timedelta(seconds=grace))
                due = await orphans.note(unreferenced, now, due_before)
        batch.clear()
        if due:
            await blobs.delete(due)
            async with db.write() as connection:
                await OrphanQueries(connection).forget(due)
        return len(due)

    async for key in blobs.keys():
        batch.append(key)
        if len(batch) >= _BATCH:
            removed += await flush()
    if batch:
        removed += await flush()
    async with db.write() as connection:
        await OrphanQueries(connection).forget_unseen_since(started)
    if removed:
        log.info("event=sweep.removed count=%d", removed)
    return removed
