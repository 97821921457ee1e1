"""Group commit: concurrent writes share transactions, and keep their own outcomes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.persistence.batches import WriteBatches
from folio.persistence.database import Database


async def _database(path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.open()
    async with db.write() as connection:
        await connection.execute(sa.text("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
    return db


async def _values(db: Database) -> list[int]:
    async with db.read() as connection:
        rows = await connection.execute(sa.text("SELECT x FROM t ORDER BY x"))
        return [row.x for row in rows]


def insert(value: int):  # type: ignore[no-untyped-def]
    async def work(connection: AsyncConnection) -> int:
        await connection.execute(sa.text("INSERT INTO t VALUES (:x)"), {"x": value})
        return value

    return work


def test_concurrent_writes_all_commit_with_their_results(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        db = await _database(tmp_path / "db.sqlite")
        batches = WriteBatches(db)
        try:
            results = await asyncio.gather(*(batches.run(insert(n)) for n in range(50)))
            return list(results), await _values(db)
        finally:
            await db.aclose()

    results, stored = asyncio.run(scenario())

    assert results == list(range(50))
    assert stored == list(range(50))


def test_failing_write_fails_alone(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[object], list[int]]:
        db = await _database(tmp_path / "db.sqlite")
        batches = WriteBatches(db)
        try:
            # 7 twice: the second insert of it breaks the primary key.
            works = [insert(n) for n in (1, 7, 3, 7, 5)]
            results = await asyncio.gather(
                *(batches.run(work) for work in works), return_exceptions=True
            )
            return list(results), await _values(db)
        finally:
            await db.aclose()

    results, stored = asyncio.run(scenario())

    assert results[:3] == [1, 7, 3]
    assert isinstance(results[3], sa.exc.IntegrityError)
    assert results[4] == 5
    assert stored == [1, 3, 5, 7]


def test_error_of_the_work_reaches_its_caller(tmp_path: Path) -> None:
    async def failing(connection: AsyncConnection) -> None:
        raise LookupError("nothing here")

    async def scenario() -> None:
        db = await _database(tmp_path / "db.sqlite")
        try:
            with pytest.raises(LookupError, match="nothing here"):
                await WriteBatches(db).run(failing)
        finally:
            await db.aclose()

    asyncio.run(scenario())
