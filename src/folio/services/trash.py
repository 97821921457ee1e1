"""Trash: emptying it, and purging what has been in it longer than the user allows.

Restoring is a move out of Trash (see transfers); deleting into Trash is the
delete operation. What is purged here is gone for good: its rows in one
transaction with the used space, then its content.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from folio.domain.cleanup import SHORTEST_GAP
from folio.domain.entries import FolderType, Operation, OperationKind, OperationStatus
from folio.errors import FolioError
from folio.persistence.accounts import AccountQueries
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.trash import TrashQueries
from folio.services.accounts import Caller
from folio.services.operations import Operations
from folio.services.ports import BlobStore
from folio.services.preferences import Preferences
from folio.services.usage import charge

__all__ = ["CLEANUP_JOB", "Trash"]

log = logging.getLogger(__name__)

#: The name of the periodic job that purges expired Trash items.
CLEANUP_JOB = "trash-autocleanup"


def _now() -> datetime:
    return datetime.now(UTC)


class Trash:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        operations: Operations,
        preferences: Preferences,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.operations = operations
        self.preferences = preferences
        operations.register("emptytrash", self._run_empty)

    async def start_empty(self, caller: Caller, *, hold: bool = True) -> Operation:
        """Queue the permanent deletion of everything in the caller's Trash."""
        return await self.operations.start(
            caller, OperationKind.DELETE, {"action": "emptytrash"}, hold=hold
        )

    async def _run_empty(self, operation: Operation, request: dict[str, Any]) -> None:
        async with self.db.read() as connection:
            user = await AccountQueries(connection).user(operation.user_id)
            ids = (
                []
                if user is None
                else await TrashQueries(connection).top_ids(user.trash_folder_id)
            )
        errors = []
        for done, entry_id in enumerate(ids, start=1):
            try:
                await self.purge(operation.portal_id, operation.user_id, entry_id)
            except FolioError as exc:
                errors.append(exc.message)
            if not await self.operations.progress(operation, done, len(ids)):
                return
        await self.operations.finish(
            operation, OperationStatus.COMPLETED, error="; ".join(errors)
        )

    async def purge(self, portal_id: int, user_id: str, entry_id: int) -> bool:
        """Delete a Trash item for good; False if it is no longer in Trash."""
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            entry = await queries.entry(portal_id, entry_id)
            if (
                entry is None
                or entry.owner_id != user_id
                or entry.root_type is not FolderType.TRASH
                or entry.is_section_root
            ):
                return False
            await queries.lock([entry.id])
            size = await queries.stored_size(entry)
            keys = await queries.delete_tree(entry)
            await charge(connection, user_id, -size)
        # After the commit: a crash before this leaves content the sweep removes.
        if keys:
            await self.blobs.delete(keys)
        return True

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Purge every Trash item whose owner's auto-cleanup time has come."""
        now = now or _now()
        purged = 0
        after: tuple[datetime, int] | None = None
        while True:
            async with self.db.read() as connection:
                page = await TrashQueries(connection).trashed_before(
                    now - SHORTEST_GAP, after=after
                )
            if not page:
                break
            settings = await self.preferences.cleanups(
                list({owner for _, owner, _, _ in page})
            )
            for entry_id, owner, portal_id, trashed_at in page:
                due = settings[owner].purge_at(trashed_at)
                if (
                    due is not None
                    and due <= now
                    and await self.purge(portal_id, owner, entry_id)
                ):
                    purged += 1
            last_id, _, _, last_moment = page[-1]
            after = (last_moment, last_id)
        if purged:
            log.info("event=trash.purged count=%d", purged)
        return purged
