"""Background work on a database shared by many nodes: operations held by leases,
periodic jobs claimed once, and the sweep of orphaned content. Each test runs on
SQLite and on PostgreSQL; two Space objects over one database stand for two nodes.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from folio.blobs.memory import MemoryBlobStore
from folio.config import Settings
from folio.domain.entries import OperationKind, OperationStatus
from folio.persistence.database import Database
from folio.persistence.operations import OperationQueries
from folio.services.accounts import Caller
from folio.services.maintenance import sweep_orphaned_content
from folio.services.operations import INTERRUPTED
from folio.services.scheduler import Scheduler
from folio.services.space import Space

pytestmark = pytest.mark.anyio


class SlowDeletes(MemoryBlobStore):
    """A store whose deletes take a while, so that an operation runs for long."""

    def __init__(self, delay: float = 0.4) -> None:
        super().__init__()
        self.delay = delay

    async def delete(self, keys: list[str]) -> None:
        await asyncio.sleep(self.delay)
        await super().delete(keys)


@dataclasses.dataclass
class Nodes:
    first: Space
    second: Space
    caller: Caller


@pytest.fixture
async def nodes(database_url: str, tmp_path: Path) -> AsyncIterator[Nodes]:
    settings = Settings(data_dir=tmp_path, database_url=database_url, lease_seconds=1)
    store = SlowDeletes()
    first = Space(settings, Database(database_url), store)
    second = Space(settings, Database(database_url), store)
    await first.open()
    await second.open()
    portal = await first.accounts.portal()
    user = await first.accounts.add_user(portal, "bg@example.com", "pw")
    try:
        yield Nodes(first, second, Caller(user))
    finally:
        await first.aclose()
        await second.aclose()


async def _running(space: Space, caller: Caller, lease_until: datetime | None) -> str:
    """An operation some node claimed, with the lease it holds."""
    operation = await space.operations._start(
        caller, OperationKind.DELETE, {"files": [], "folders": []}, hold=True
    )
    async with space.db.write() as connection:
        await OperationQueries(connection).update(
            operation.id,
            datetime.now(UTC),
            status=OperationStatus.RUNNING,
            claimed_by="some-node",
            lease_until=lease_until,
        )
    return operation.id


async def _status(space: Space, operation_id: str) -> tuple[OperationStatus, str]:
    async with space.db.read() as connection:
        found = await OperationQueries(connection).get(operation_id)
    assert found is not None
    return found.status, found.error


async def test_recover_fails_only_operations_whose_lease_lapsed(nodes: Nodes) -> None:
    now = datetime.now(UTC)
    lapsed = await _running(nodes.first, nodes.caller, now - timedelta(seconds=5))
    held = await _running(nodes.first, nodes.caller, now + timedelta(minutes=5))
    unleased = await _running(nodes.first, nodes.caller, None)

    failed = await nodes.second.operations.recover()

    assert failed == 2
    assert await _status(nodes.first, lapsed) == (OperationStatus.FAILED, INTERRUPTED)
    assert await _status(nodes.first, unleased) == (
        OperationStatus.FAILED,
        INTERRUPTED,
    )
    assert await _status(nodes.first, held) == (OperationStatus.RUNNING, "")


async def test_operation_running_longer_than_its_lease_is_not_taken_for_dead(
    nodes: Nodes,
) -> None:
    folder = await nodes.first.documents.my_documents(nodes.caller)
    files = [
        await nodes.first.documents.upload(
            nodes.caller, folder, f"f{i}.txt", _chunks(b"x")
        )
        for i in range(6)
    ]
    operation = await nodes.first.operations.start_delete(
        nodes.caller,
        file_ids=[f.id for f in files],
        folder_ids=[],
        immediately=True,
        hold=True,
    )

    worker = asyncio.create_task(nodes.first.operations.run_next())
    recovered = []
    while not worker.done():
        # The other node looks for dead work all along: 6 x 0.4 s against 1 s leases.
        recovered.append(await nodes.second.operations.recover())
        await asyncio.sleep(0.3)

    assert await worker is True
    assert sum(recovered) == 0 and len(recovered) > 3
    assert (await _status(nodes.first, operation.id))[0] is OperationStatus.COMPLETED


async def test_each_operation_is_claimed_by_one_node(nodes: Nodes) -> None:
    assert isinstance(nodes.first.blobs, SlowDeletes)
    nodes.first.blobs.delay = 0
    folder = await nodes.first.documents.my_documents(nodes.caller)
    for i in range(8):
        file = await nodes.first.documents.upload(
            nodes.caller, folder, f"g{i}.txt", _chunks(b"y")
        )
        await nodes.first.operations.start_delete(
            nodes.caller, file_ids=[file.id], folder_ids=[], immediately=True, hold=True
        )

    async def drain(space: Space) -> int:
        ran = 0
        while await space.operations.run_next():
            ran += 1
        return ran

    counts = await asyncio.gather(drain(nodes.first), drain(nodes.second))

    assert sum(counts) == 8


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_periodic_job_runs_once_across_nodes(database_url: str) -> None:
    # One engine: on PostgreSQL its pool gives each node connections of its own;
    # SQLite serves one process, whose writes the engine's lock serialises.
    database = Database(database_url)
    await asyncio.to_thread(database.upgrade)
    await database.open()
    runs: list[str] = []
    schedulers = []
    for node in ("a", "b", "c"):
        scheduler = Scheduler(database, node_id=node)

        async def job(node: str = node) -> None:
            runs.append(node)

        scheduler.every("hourly", 3600, job)
        schedulers.append(scheduler)
    try:
        for _ in range(3):
            await asyncio.gather(*(s.run_due() for s in schedulers))
    finally:
        await database.aclose()

    assert len(runs) == 1


async def test_periodic_job_never_overlaps_and_resumes_after_its_node_dies(
    database_url: str,
) -> None:
    database = Database(database_url)
    await asyncio.to_thread(database.upgrade)
    await database.open()
    started = asyncio.Event()
    ran_on: list[str] = []

    def scheduler_for(node: str, seconds: float) -> Scheduler:
        scheduler = Scheduler(database, node_id=node, lease=1.0)

        async def job() -> None:
            ran_on.append(node)
            started.set()
            await asyncio.sleep(seconds)

        scheduler.every("long", 0, job)
        return scheduler

    dying, survivor = scheduler_for("dying", 30), scheduler_for("survivor", 0)
    try:
        doomed = asyncio.create_task(dying.run_due())
        await started.wait()
        while_running = await survivor.run_due()
        doomed.cancel()  # the node dies mid-job: its lease is never released
        await asyncio.sleep(0.2)
        just_after = await survivor.run_due()
        await asyncio.sleep(1.2)
        after_lease = await survivor.run_due()
    finally:
        await database.aclose()

    assert (while_running, just_after, after_lease) == ([], [], ["long"])
    assert ran_on == ["dying", "survivor"]


async def test_sweep_removes_content_only_after_two_sightings_a_grace_apart(
    nodes: Nodes,
) -> None:
    space = nodes.first
    folder = await space.documents.my_documents(nodes.caller)
    kept = await space.documents.upload(nodes.caller, folder, "k.txt", _chunks(b"k"))
    orphan = await space.blobs.put(b"nobody refers to me")

    first = await sweep_orphaned_content(space.db, space.blobs, grace=0.5)
    second = await sweep_orphaned_content(space.db, space.blobs, grace=0.5)
    await asyncio.sleep(0.6)
    third = await sweep_orphaned_content(space.db, space.blobs, grace=0.5)

    assert (first, second, third) == (0, 0, 1)
    assert {key async for key in space.blobs.keys()} == {kept.blob_key}
    assert orphan.key != kept.blob_key


async def test_sweep_keeps_content_whose_metadata_arrived_between_sweeps(
    nodes: Nodes,
) -> None:
    space = nodes.first
    folder = await space.documents.my_documents(nodes.caller)
    blob = await space.blobs.put(b"metadata is on its way")

    await sweep_orphaned_content(space.db, space.blobs, grace=0)
    file = await space.documents.record_upload(
        nodes.caller, folder, "late.txt", blob, create_new_if_exists=False
    )
    removed = await sweep_orphaned_content(space.db, space.blobs, grace=0)

    assert removed == 0
    assert {key async for key in space.blobs.keys()} == {file.blob_key}


async def test_sweep_without_grace_removes_orphans_at_once(nodes: Nodes) -> None:
    space = nodes.first
    await space.blobs.put(b"orphan")

    removed = await sweep_orphaned_content(space.db, space.blobs, grace=None)

    assert removed == 1
    assert {key async for key in space.blobs.keys()} == set()
