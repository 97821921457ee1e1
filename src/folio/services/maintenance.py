"""Housekeeping that keeps storage and metadata in step."""

from __future__ import annotations

import logging

from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.portals import PortalQueries
from folio.services.ports import BlobStore

__all__ = ["sweep_orphaned_content"]

log = logging.getLogger(__name__)


async def sweep_orphaned_content(db: Database, blobs: BlobStore) -> int:
    """Remove content that no version nor portal snapshot refers to, and unfinished
    writes.

    Content is written before its metadata and deleted after it, so a crash can
    only ever leave content without metadata, never the reverse. This must run
    while no upload is in flight (at the start of a single-process server):
    content stored a moment before its metadata commits would look orphaned.
    """
    removed = await blobs.clear_temporary()
    batch: list[str] = []

    async def flush() -> int:
        async with db.read() as connection:
            referenced = await EntryQueries(connection).blob_keys(batch)
            # A snapshot keeps the keys of the content it saw, not copies of it.
            referenced |= await PortalQueries(connection).snapshot_keys(batch)
        orphans = [key for key in batch if key not in referenced]
        await blobs.delete(orphans)
        batch.clear()
        return len(orphans)

    async for key in blobs.keys():
        batch.append(key)
        if len(batch) >= 500:
            removed += await flush()
    if batch:
        removed += await flush()
    if removed:
        log.info("event=sweep.removed count=%d", removed)
    return removed
