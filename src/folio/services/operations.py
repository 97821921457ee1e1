"""File operations: queued in the database, run in the background, polled by clients.

An operation is a row first and work second. The request answers at once with the
row; a worker claims it, does the work item by item (each item in its own
transaction, so a crash leaves every item either done or untouched), and records
progress for pollers. A worker holds a lease on what it runs and renews it while
it works; operations whose lease lapsed (their node died) are failed by any node,
never silently half-done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from folio.config import Settings
from folio.domain.entries import (
    Entry,
    FolderType,
    Operation,
    OperationKind,
    OperationStatus,
)
from folio.errors import FileNotFound, FolderNotFound, FolioError
from folio.persistence.accounts import AccountQueries
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.operations import OperationQueries
from folio.services.accounts import Caller
from folio.services.ports import BlobStore

__all__ = ["Handler", "Operations"]

log = logging.getLogger(__name__)

INTERRUPTED = "The operation was interrupted by a server restart"

#: Runs one claimed operation from its request; it ends it with `finish`.
Handler = Callable[[Operation, dict[str, Any]], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


#: Told of every operation this node ran: its kind, how it ended, and its seconds.
OperationObserver = Callable[[OperationKind, OperationStatus, float], None]


class Operations:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        settings: Settings,
        *,
        node_id: str = "",
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self.node_id = node_id
        self.observers: list[OperationObserver] = []
        self._wake = asyncio.Event()
        # What runs an operation, by the request's "action" (by default the kind's
        # name): other services plug their kinds in with `register`.
        self._handlers: dict[str, Handler] = {"delete": self._delete}

    def register(self, action: str, handler: Handler) -> None:
        """Run operations whose request names `action` with `handler`."""
        self._handlers[action] = handler

    # Starting and polling

    async def start_delete(
        self,
        caller: Caller,
        *,
        file_ids: list[int],
        folder_ids: list[int],
        immediately: bool,
        hold: bool,
    ) -> Operation:
        """Queue a delete after checking that every item is the caller's."""
        await self._check_owned(caller, file_ids, folder_ids)
        return await self._start(
            caller,
            OperationKind.DELETE,
            {"files": file_ids, "folders": folder_ids, "immediately": immediately},
            hold=hold,
        )

    async def _check_owned(
        self, caller: Caller, file_ids: list[int], folder_ids: list[int]
    ) -> None:
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(
                caller.portal_id, file_ids + folder_ids
            )
        mine = {
            (entry.id, entry.is_folder)
            for entry in found
            if entry.owner_id == caller.user.id and not entry.is_section_root
        }
        for file_id in file_ids:
            if (file_id, False) not in mine:
                raise FileNotFound()
        for folder_id in folder_ids:
            if (folder_id, True) not in mine:
                raise FolderNotFound()

    async def start(
        self,
        caller: Caller,
        kind: OperationKind,
        request: dict[str, Any],
        *,
        hold: bool,
    ) -> Operation:
        """Queue an operation of a kind; `request["action"]` picks its handler."""
        return await self._start(caller, kind, request, hold=hold)

    async def _start(
        self,
        caller: Caller,
        kind: OperationKind,
        request: dict[str, Any],
        *,
        hold: bool,
    ) -> Operation:
        operation_id = str(uuid.uuid4())
        async with self.db.write() as connection:
            queries = OperationQueries(connection)
            await queries.insert(
                operation_id=operation_id,
                portal_id=caller.portal_id,
                user_id=caller.user.id,
                kind=kind,
                hold=hold,
                request=request,
                now=_now(),
            )
            operation = await queries.get(operation_id)
        assert operation is not None
        self._wake.set()
        return operation

    async def running_like(
        self, caller: Caller, operation: Operation
    ) -> list[Operation]:
        """The reply to a start call: the new operation first, then its running kin."""
        async with self.db.read() as connection:
            others = await OperationQueries(connection).visible(
                caller.user.id, operation.kind
            )
        return [operation] + [other for other in others if other.id != operation.id]

    async def statuses(
        self,
        caller: Caller,
        *,
        kind: OperationKind | None = None,
        operation_id: str | None = None,
    ) -> list[Operation]:
        """The caller's operations to report, oldest first; finished held ones once."""
        async with self.db.write() as connection:
            queries = OperationQueries(connection)
            found = await queries.visible(caller.user.id, kind)
            if operation_id is not None:
                found = [op for op in found if op.id == operation_id]
            await queries.mark_reported([op.id for op in found if op.finished])
        return found

    async def terminate(
        self, caller: Caller, operation_id: str | None = None
    ) -> list[Operation]:
        """Cancel one (or every) running operation of the caller; list the rest."""
        async with self.db.write() as connection:
            queries = OperationQueries(connection)
            for operation in await queries.visible(caller.user.id):
                if operation_id in (None, operation.id) and not operation.finished:
                    await queries.cancel(operation.id, _now())
        return await self.statuses(caller)

    # Running

    async def recover(self, *, all_running: bool = False) -> int:
        """Fail the operations whose node died: their lease lapsed unrenewed.

        With `all_running`, fail every running operation: for a single process at
        its start, any that is running was left by the process before it.
        """
        async with self.db.write() as connection:
            failed = await OperationQueries(connection).fail_interrupted(
                _now(), INTERRUPTED, all_running=all_running
            )
        if failed:
            log.warning("event=operations.interrupted count=%d", failed)
        return failed

    def _lease_until(self) -> datetime:
        return _now() + timedelta(seconds=self.settings.lease_seconds)

    async def _keep_lease(self, operation_id: str) -> None:
        """Renew this node's lease on a running operation until cancelled."""
        while True:
            await asyncio.sleep(self.settings.lease_seconds / 3)
            try:
                async with self.db.write() as connection:
                    await OperationQueries(connection).renew_lease(
                        operation_id, self.node_id, self._lease_until()
                    )
            except Exception:
                log.exception("event=operation.lease_error id=%s", operation_id)

    async def run_worker(self, poll_interval: float = 1.0) -> None:
        """Claim and run queued operations until cancelled."""
        while True:
            try:
                ran = await self.run_next()
            except Exception:
                log.exception("event=operation.worker_error")
                ran = False
            if not ran:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), poll_interval)

    async def run_next(self) -> bool:
        """Run one queued operation, if there is one; tell whether one ran."""
        async with self.db.write() as connection:
            operation_id = await OperationQueries(connection).claim_next(
                _now(),
                skip_locked=not self.db.is_sqlite,
                node_id=self.node_id,
                lease_until=self._lease_until(),
            )
        if operation_id is None:
            return False
        started = time.monotonic()
        lease = asyncio.create_task(self._keep_lease(operation_id))
        try:
            await self._run(operation_id)
        finally:
            lease.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lease
        async with self.db.read() as connection:
            ended = await OperationQueries(connection).get(operation_id)
        if ended is not None:
            seconds = time.monotonic() - started
            log.info(
                "event=operation.finished id=%s kind=%s status=%s node=%s ms=%.0f",
                ended.id,
                ended.kind.name.lower(),
                ended.status.name.lower(),
                self.node_id,
                1000 * seconds,
            )
            for observe in self.observers:
                observe(ended.kind, ended.status, seconds)
        return True

    async def _run(self, operation_id: str) -> None:
        async with self.db.read() as connection:
            queries = OperationQueries(connection)
            operation = await queries.get(operation_id)
            request = await queries.request(operation_id)
        assert operation is not None
        log.info(
            "event=operation.claimed id=%s kind=%s node=%s",
            operation.id,
            operation.kind.name.lower(),
            self.node_id,
        )
        action = str(request.get("action", operation.kind.name.lower()))
        try:
            handler = self._handlers.get(action)
            if handler is None:
                raise FolioError(f"Operation {action} is not supported")
            await handler(operation, request)
        except FolioError as exc:
            await self._finish(operation, OperationStatus.FAILED, error=exc.message)
        except Exception as exc:
            log.exception("event=operation.failed id=%s", operation.id)
            await self._finish(operation, OperationStatus.FAILED, error=str(exc))

    async def progress(self, operation: Operation, done: int, total: int) -> bool:
        """Record progress; return False when the operation was cancelled meanwhile."""
        return await self._progress(operation, done, total)

    async def finish(
        self,
        operation: Operation,
        status: OperationStatus,
        *,
        error: str = "",
        result: dict[str, Any] | None = None,
    ) -> None:
        """End an operation, unless it was cancelled meanwhile."""
        await self._finish(operation, status, error=error, result=result)

    async def _progress(self, operation: Operation, done: int, total: int) -> bool:
        """Record progress; return False when the operation was cancelled meanwhile."""
        async with self.db.write() as connection:
            queries = OperationQueries(connection)
            current = await queries.get(operation.id)
            if current is None or current.status is OperationStatus.CANCELED:
                return False
            await queries.update(
                operation.id,
                _now(),
                processed=done,
                progress=100 * done // total if total else 100,
            )
        return True

    async def _finish(
        self,
        operation: Operation,
        status: OperationStatus,
        *,
        error: str = "",
        result: dict[str, Any] | None = None,
    ) -> None:
        async with self.db.write() as connection:
            queries = OperationQueries(connection)
            current = await queries.get(operation.id)
            if current is None or current.status is OperationStatus.CANCELED:
                return
            values: dict[str, Any] = {"status": status, "error": error}
            if status is OperationStatus.COMPLETED:
                values["progress"] = 100
            if result is not None:
                values["result"] = result
            await queries.update(operation.id, _now(), **values)

    async def _delete(self, operation: Operation, request: dict[str, Any]) -> None:
        ids = [int(i) for i in request["folders"]] + [int(i) for i in request["files"]]
        errors = []
        for done, entry_id in enumerate(ids, start=1):
            try:
                await self._delete_one(
                    operation, entry_id, bool(request["immediately"])
                )
            except FolioError as exc:
                errors.append(exc.message)
            if not await self._progress(operation, done, len(ids)):
                return
        await self._finish(
            operation, OperationStatus.COMPLETED, error="; ".join(errors)
        )

    async def _delete_one(
        self, operation: Operation, entry_id: int, immediately: bool
    ) -> None:
        """Move one item to Trash, or delete it with its content for good."""
        keys: list[str] = []
        async with self.db.write() as connection:
            entries = EntryQueries(connection)
            accounts = AccountQueries(connection)
            entry = await entries.entry(operation.portal_id, entry_id)
            if entry is None or entry.owner_id != operation.user_id:
                return  # Deleted meanwhile: nothing is left to do.
            user = await accounts.user(operation.user_id)
            assert user is not None
            if immediately or entry.root_type is FolderType.TRASH:
                size = await entries.stored_size(entry)
                keys = await entries.delete_tree(entry)
                await accounts.add_used_space(user.id, -size)
            else:
                trash = await entries.entry(user.portal_id, user.trash_folder_id)
                assert trash is not None
                await self._to_trash(entries, entry, trash)
        # Content goes only after its metadata is gone for good; a crash in between
        # leaves orphaned content, which the sweep of orphaned content removes.
        if keys:
            await self.blobs.delete(keys)

    @staticmethod
    async def _to_trash(entries: EntryQueries, entry: Entry, trash: Entry) -> None:
        now = _now()
        await entries.move_tree(
            entry, trash, origin_id=entry.parent_id, trashed_at=now, updated=now
        )
