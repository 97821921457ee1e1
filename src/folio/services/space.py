"""Folio's services wired to one database and one blob store."""

from __future__ import annotations

import logging

from anyio import to_thread

from folio.blobs import open_blob_store
from folio.config import Settings
from folio.persistence.database import Database
from folio.services.accounts import Accounts
from folio.services.archives import Archives
from folio.services.badges import Badges
from folio.services.documents import Documents
from folio.services.folders import Folders
from folio.services.inserts import Inserts
from folio.services.maintenance import sweep_orphaned_content
from folio.services.operations import Operations
from folio.services.ports import BlobStore
from folio.services.preferences import Preferences
from folio.services.scheduler import Scheduler
from folio.services.sections import Sections
from folio.services.transfers import Transfers
from folio.services.trash import CLEANUP_JOB, Trash
from folio.services.usage import Usage
from folio.services.versions import Versions

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
        # Folders, Trash, file operations and versions; the services that run
        # operations register their kinds with `self.operations`.
        self.preferences = Preferences(db)
        self.usage = Usage(db)
        self.folders = Folders(db, self.documents)
        self.sections = Sections(db, self.documents)
        self.inserts = Inserts(db, blobs, self.documents)
        self.transfers = Transfers(db, blobs, self.operations, self.documents)
        self.trash = Trash(db, blobs, self.operations, self.preferences)
        self.versions = Versions(db, blobs, self.documents, self.operations)
        self.archives = Archives(db, blobs, self.operations)
        self.badges = Badges(self.operations)
        self.scheduler.every(
            CLEANUP_JOB, settings.trash_cleanup_interval, self.trash.purge_expired
        )

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
