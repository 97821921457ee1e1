"""Folio's services wired to one database and one blob store."""

from __future__ import annotations

import logging
import os
import socket
import uuid

from anyio import to_thread

from folio.blobs import open_blob_store
from folio.config import Settings
from folio.persistence.database import Database
from folio.persistence.schema import schema_is_current
from folio.services.accounts import Accounts
from folio.services.archives import Archives
from folio.services.badges import Badges
from folio.services.documents import Documents
from folio.services.folders import Folders
from folio.services.inserts import Inserts
from folio.services.maintenance import sweep_orphaned_content
from folio.services.monitoring import Monitoring
from folio.services.operations import Operations
from folio.services.portals import Portals, SnapshotAwareBlobStore
from folio.services.ports import BlobStore
from folio.services.preferences import Preferences
from folio.services.scheduler import Scheduler
from folio.services.sections import Sections
from folio.services.transfers import Transfers
from folio.services.trash import CLEANUP_JOB, Trash
from folio.services.uploads import Uploads
from folio.services.usage import Usage
from folio.services.versions import Versions

__all__ = ["Space"]

log = logging.getLogger(__name__)


def _node_id() -> str:
    """A name for this process among the nodes: host, process, and a random tail."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Space:
    """Everything a request or a command needs: the services over shared ports."""

    def __init__(self, settings: Settings, db: Database, blobs: BlobStore) -> None:
        if settings.emulator:
            # Portal snapshots refer to content that services may delete.
            blobs = SnapshotAwareBlobStore(blobs, db)
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.node_id = _node_id()
        self.accounts = Accounts(db, settings)
        self.documents = Documents(db, blobs, settings)
        self.operations = Operations(db, blobs, settings, node_id=self.node_id)
        self.portals = Portals(db, blobs, settings, self.accounts, self.documents)
        self.monitoring = Monitoring(db, blobs)
        # Periodic jobs register here: `self.scheduler.every(name, seconds, job)`.
        self.scheduler = Scheduler(
            db, node_id=self.node_id, lease=settings.lease_seconds
        )
        self.scheduler.every(
            "sweep-orphaned-content", settings.sweep_interval, self.sweep
        )
        self.scheduler.every(
            "recover-operations", settings.lease_seconds, self.operations.recover
        )
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
            settings.storage_url,
            settings.data_dir,
            fsync=settings.fsync,
            stale_upload_age=settings.stale_upload_age,
        )
        return cls(settings, db, blobs)

    async def open(self, *, migrate: bool = True) -> None:
        """Bring the schema up to date (or, with `migrate` off, check it) and connect.

        Raises SchemaOutdated when the schema is behind and `migrate` is off.
        """
        if migrate:
            # An emulator skips loading the migrations when it can (schema.py).
            current = self.settings.emulator and await to_thread.run_sync(
                schema_is_current, self.db
            )
            if not current:
                await to_thread.run_sync(self.db.upgrade)
        else:
            await to_thread.run_sync(self.db.require_head)
        await self.db.open()

    @property
    def single_process(self) -> bool:
        """Whether no other process can be using the same data (SQLite: embedded)."""
        return self.db.is_sqlite

    async def recover(self) -> None:
        """Tidy up after a process that died: its operations and its content.

        Other nodes may be at work on a shared database and store, so only what
        their leases and ages show to be abandoned is touched; a single process
        sweeps at once, since nothing else can be in flight.
        """
        await self.operations.recover(all_running=self.single_process)
        if self.single_process:
            await sweep_orphaned_content(self.db, self.blobs, grace=None)
        else:
            await self.blobs.clear_temporary(older_than=self.settings.stale_upload_age)

    async def sweep(self) -> int:
        """The periodic sweep of orphaned content, safe while uploads go on."""
        return await sweep_orphaned_content(
            self.db,
            self.blobs,
            grace=self.settings.sweep_grace,
            stale_upload_age=self.settings.stale_upload_age,
        )

    async def aclose(self) -> None:
        await self.db.aclose()
        await self.blobs.aclose()
