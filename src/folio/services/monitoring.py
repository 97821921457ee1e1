"""What operators ask of a node: is it ready to serve, and how much work waits."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime

from folio.domain.entries import OperationStatus
from folio.persistence.database import Database
from folio.persistence.monitoring import MonitoringQueries
from folio.services.ports import BlobStore

__all__ = ["Backlog", "Monitoring"]

log = logging.getLogger(__name__)

# A readiness probe must answer even when a dependency hangs.
_PROBE_TIMEOUT = 5.0


@dataclasses.dataclass(frozen=True)
class Backlog:
    """Work waiting across every node sharing the database."""

    operations_waiting: int
    operations_running: int
    upload_sessions_open: int


class Monitoring:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self.db = db
        self.blobs = blobs

    async def readiness(self) -> dict[str, str]:
        """Check the database and the store; "ok" or what went wrong, for each."""
        checks = {"database": self.db.ping, "storage": self.blobs.ping}
        found = {}
        for name, probe in checks.items():
            try:
                await asyncio.wait_for(probe(), _PROBE_TIMEOUT)
            except Exception as exc:
                log.warning("event=ready.failed check=%s error=%r", name, str(exc))
                found[name] = f"unavailable: {type(exc).__name__}"
            else:
                found[name] = "ok"
        return found

    async def backlog(self) -> Backlog:
        async with self.db.read() as connection:
            queries = MonitoringQueries(connection)
            counts = await queries.operations_by_status()
            sessions = await queries.open_upload_sessions(datetime.now(UTC))
        return Backlog(
            operations_waiting=counts.get(OperationStatus.CREATED, 0),
            operations_running=counts.get(OperationStatus.RUNNING, 0),
            upload_sessions_open=sessions,
        )
