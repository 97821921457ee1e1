"""Folio's services wired to one database and one blob store."""

from __future__ import annotations

import logging

from anyio import to_thread

from folio.blobs import open_blob_store
from folio.config import Settings
from folio.persistence.database import Database
from folio.services.accounts import Accounts
from folio.services.documents import Documents
from folio.services.maintenance import sweep_orphaned_content
from folio.services.operations import Operations
from folio.services.ports import BlobStore
from folio.services.scheduler import Scheduler
from folio.services.uploads import Uploads

__all__ = ["Space"]

log = logging.getLogger(__name__)


class Space:
    """Everything a request or a command needs: the services over shared ports."""

    def __init__(self, settings: Settings, db: Database, blobs: BlobStore) -> None:
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.accounts = Accounts(db, settings)
        self.documents = Documents(db, blobs, settings)
        self.operations = Operations(db, blobs, settings)
        # Periodic jobs register here: `self.scheduler.every(name, seconds, job)`.
        self.scheduler = Scheduler(db)
        self.uploads = Uploads(db, blobs, settings, self.documents)
        self.scheduler.every(
            "uploads.sweep_expired", settings.upload_sweep_interval,
            self.uploads.sweep_expired,
        )  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Settings) -> Space:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url, fsync=settings.fsync)
        blobs = open_blob_store(
            settings.storage_url, settings.data_dir, fsync=settings.fsync
        )
        return cls(settings, db, blobs)

    async def open(self, *, migrate: bool = True) -> None:
        """Bring the schema up to date and connect."""
        if migrate:
            await to_thread.run_sync(self.db.upgrade)
        await self.db.open()

    async def recover(self) -> None:
        """Tidy up after a process that died: its operations and its content."""
        failed = await self.operations.recover()
        if failed:
            log.warning("event=operations.interrupted count=%d", failed)
        await sweep_orphaned_content(self.db, self.blobs)

    async def aclose(self) -> None:
        await self.db.aclose()
        await self.blobs.aclose()
