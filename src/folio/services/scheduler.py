"""Periodic background jobs, each run once per interval across every node.

A job is a row in `scheduled_jobs`. A node runs a job only after it moved the row's
`next_run` forward with one conditional UPDATE; the database lets exactly one node
win that update, so with many nodes on one database each run happens once. The
winner also holds the row's `claimed_until` lease, renewed while the job runs, so a
job that takes longer than its interval never runs twice at a time; if its node
dies, the lease lapses and the job is due again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from folio.persistence.database import Database
from folio.persistence.tables import scheduled_jobs

__all__ = ["Scheduler"]

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class Scheduler:
    def __init__(
        self, db: Database, *, node_id: str | None = None, lease: float = 60.0
    ) -> None:
        self.db = db
        self.node_id = node_id or uuid.uuid4().hex[:16]
        self.lease = lease
        self._jobs: dict[str, tuple[float, Job]] = {}

    def every(self, name: str, seconds: float, job: Job) -> None:
        """Run `job` every `seconds`, on one node at a time."""
        self._jobs[name] = (seconds, job)

    async def _claim(self, name: str, interval: float) -> bool:
        now = datetime.now(UTC)
        async with self.db.write() as connection:
            exists = await connection.execute(
                sa.select(scheduled_jobs.c.name).where(scheduled_jobs.c.name == name)
            )
            if exists.first() is None:
                with contextlib.suppress(sa.exc.IntegrityError):
                    async with connection.begin_nested():
                        await connection.execute(
                            scheduled_jobs.insert().values(name=name, next_run=now)
                        )
            claimed = await connection.execute(
                scheduled_jobs.update()
                .where(
                    scheduled_jobs.c.name == name,
                    scheduled_jobs.c.next_run <= now,
                    sa.or_(
                        scheduled_jobs.c.claimed_until.is_(None),
                        scheduled_jobs.c.claimed_until <= now,
                    ),
                )
                .values(
                    next_run=now + timedelta(seconds=interval),
                    claimed_by=self.node_id,
                    claimed_until=now + timedelta(seconds=self.lease),
                )
            )
        return claimed.rowcount == 1

    async def _set_lease(self, name: str, until: datetime | None) -> None:
        async with self.db.write() as connection:
            await connection.execute(
                scheduled_jobs.update()
                .where(
                    scheduled_jobs.c.name == name,
                    scheduled_jobs.c.claimed_by == self.node_id,
                )
                .values(claimed_until=until)
            )

    async def _keep_lease(self, name: str) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await self._set_lease(
                    name, datetime.now(UTC) + timedelta(seconds=self.lease)
                )
            except Exception:
                log.exception("event=job.lease_error name=%s", name)

    async def _run_claimed(self, name: str, job: Job) -> None:
        began = time.time()
        started = time.monotonic()
        lease = asyncio.create_task(self._keep_lease(name))
        try:
            await job()
        except Exception:
            log.exception("event=job.failed name=%s node=%s", name, self.node_id)
        finally:
            lease.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lease
        log.info(
            "event=job.ran name=%s node=%s started=%.3f ms=%.0f",
            name,
            self.node_id,
            began,
            1000 * (time.monotonic() - started),
        )
        await self._set_lease(name, None)

    async def run_due(self) -> list[str]:
        """Run every job that is due and that this node wins; return their names."""
        ran = []
        for name, (interval, job) in self._jobs.items():
            if not await self._claim(name, interval):
                continue
            await self._run_claimed(name, job)
            ran.append(name)
        return ran

    async def run(self, tick: float = 1.0) -> None:
        """Check for due jobs every `tick` seconds until cancelled."""
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("event=scheduler.error")
            await asyncio.sleep(tick)
