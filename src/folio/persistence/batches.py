"""Group commit: small write transactions of concurrent requests, run together.

SQLite (and any database) pays for a commit with a disk sync, and Folio's SQLite
writes are serialised. When many requests record small changes at once (many
small uploads), each waiting for the one before, they are better run in one
transaction with one sync: the first request starts a transaction at once, and
those that arrive meanwhile form the next one.

A batch that fails as a whole is run again one request at a time, so each
request gets the outcome its own work deserves (a quota refusal, a missing
folder) and never another's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from folio.persistence.database import Database

__all__ = ["WriteBatches"]

T = TypeVar("T")

Work = Callable[[AsyncConnection], Awaitable[Any]]

# Transactions stay short enough that a reader never waits long for a writer.
_LIMIT = 64


class _Failed(Exception):
    """One piece of work in a batch failed: the batch is run again piece by piece."""


class WriteBatches:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in a write transaction, possibly shared with others' work.

        The work must only touch the database through the connection: it may be
        run twice (once in a batch that failed, once alone).
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.ensure_future(self._drain())
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The work may already be committed: its outcome is the caller's to
            # know before it unwinds (and, say, deletes stored content).
            with contextlib.suppress(Exception):
                return await future
            raise

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:_LIMIT], self._queue[_LIMIT:]
            if len(batch) == 1 or not await self._together(batch):
                for work, future in batch:
                    await self._alone(work, future)

    async def _together(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> bool:
        results = []
        try:
            async with self.db.write() as connection:
                for work, _ in batch:
                    try:
                        results.append(await work(connection))
                    except Exception as exc:
                        raise _Failed() from exc
        except Exception:
            return False
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        return True

    async def _alone(self, work: Work, future: asyncio.Future[Any]) -> None:
        try:
            async with self.db.write() as connection:
                result = await work(connection)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            if not future.done():
                future.set_result(result)
