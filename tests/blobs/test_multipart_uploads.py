"""The BlobStore port's multipart uploads, against every backend."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from folio.blobs.local import LocalBlobStore
from folio.blobs.memory import MemoryBlobStore
from folio.errors import UploadSessionNotFound
from folio.services.ports import BlobStore, UploadPart

STRIDE = 1000

Store = LocalBlobStore | MemoryBlobStore


@pytest.fixture(params=["local", "local-no-fsync", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "memory":
        return MemoryBlobStore()
    return LocalBlobStore(tmp_path / "content", fsync=request.param == "local")


def run(work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(work())


async def pieces(data: bytes, size: int = 300) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read_all(store: BlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.read(key)])


async def upload(store: BlobStore, parts: dict[int, bytes], order: list[int]) -> Any:
    handle = await store.begin_upload(sum(len(p) for p in parts.values()))
    received: dict[int, UploadPart] = {}
    for number in order:
        offset = (number - 1) * STRIDE
        received[number] = await store.write_part(
            handle, number, offset, pieces(parts[number])
        )
    blob = await store.complete_upload(handle, list(received.values()))
    return blob, await read_all(store, blob.key)


def test_parts_in_order_make_the_file_with_its_hash(store: Store) -> None:
    data = bytes(range(256)) * 10
    parts = {n: data[(n - 1) * STRIDE : n * STRIDE] for n in (1, 2, 3)}

    blob, content = run(lambda: upload(store, parts, [1, 2, 3]))

    assert content == data
    assert (blob.size, blob.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_parts_out_of_order_make_the_same_file(store: Store) -> None:
    data = bytes(reversed(range(256))) * 10
    parts = {n: data[(n - 1) * STRIDE : n * STRIDE] for n in (1, 2, 3)}

    blob, content = run(lambda: upload(store, parts, [3, 1, 2]))

    assert content == data
    assert blob.sha256 == hashlib.sha256(data).hexdigest()


def test_short_middle_part_is_followed_on_without_a_gap(store: Store) -> None:
    parts = {1: b"a" * STRIDE, 2: b"b" * 10, 3: b"c" * 500}

    blob, content = run(lambda: upload(store, parts, [2, 3, 1]))

    assert content == b"a" * STRIDE + b"b" * 10 + b"c" * 500
    assert blob.sha256 == hashlib.sha256(content).hexdigest()


def test_part_sent_again_replaces_the_first(store: Store) -> None:
    async def work() -> bytes:
        handle = await store.begin_upload(2 * STRIDE)
        first = await store.write_part(handle, 1, 0, pieces(b"x" * STRIDE))
        await store.write_part(handle, 2, STRIDE, pieces(b"y" * STRIDE))
        again = await store.write_part(handle, 2, STRIDE, pieces(b"z" * 600))
        blob = await store.complete_upload(handle, [first, again])
        assert blob.sha256 == hashlib.sha256(b"x" * STRIDE + b"z" * 600).hexdigest()
        return await read_all(store, blob.key)

    assert run(work) == b"x" * STRIDE + b"z" * 600


def test_failing_part_leaves_the_upload_usable(store: Store) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"q" * 100
        raise ConnectionError("the client went away")

    async def work() -> bytes:
        handle = await store.begin_upload(STRIDE + 5)
        first = await store.write_part(handle, 1, 0, pieces(b"p" * STRIDE))
        with pytest.raises(ConnectionError):
            await store.write_part(handle, 2, STRIDE, broken())
        second = await store.write_part(handle, 2, STRIDE, pieces(b"r" * 5))
        blob = await store.complete_upload(handle, [first, second])
        assert blob.sha256 == hashlib.sha256(b"p" * STRIDE + b"r" * 5).hexdigest()
        return await read_all(store, blob.key)

    assert run(work) == b"p" * STRIDE + b"r" * 5


def test_aborted_upload_takes_no_more_parts(store: Store) -> None:
    async def work() -> None:
        handle = await store.begin_upload(10)
        await store.write_part(handle, 1, 0, pieces(b"0123456789"))
        await store.abort_upload(handle)
        await store.abort_upload(handle)
        with pytest.raises(UploadSessionNotFound):
            await store.write_part(handle, 1, 0, pieces(b"0123456789"))
        with pytest.raises(UploadSessionNotFound):
            await store.complete_upload(handle, [UploadPart(1, 0, 10)])

    run(work)


def test_unknown_handle_is_refused(store: Store) -> None:
    async def work() -> None:
        with pytest.raises(UploadSessionNotFound):
            await store.write_part("0" * 32, 1, 0, pieces(b"x"))

    run(work)


def test_local_upload_survives_a_new_store_on_the_same_folder(tmp_path: Path) -> None:
    """A restarted server continues an upload (without its running hash)."""

    async def work() -> tuple[str, bytes]:
        first = LocalBlobStore(tmp_path / "content")
        handle = await first.begin_upload(2 * STRIDE)
        one = await first.write_part(handle, 1, 0, pieces(b"1" * STRIDE))
        await first.clear_temporary()
        second = LocalBlobStore(tmp_path / "content")
        two = await second.write_part(handle, 2, STRIDE, pieces(b"2" * STRIDE))
        blob = await second.complete_upload(handle, [one, two])
        return blob.sha256, await read_all(second, blob.key)

    digest, content = run(work)

    assert content == b"1" * STRIDE + b"2" * STRIDE
    assert digest == hashlib.sha256(content).hexdigest()


def test_abort_of_a_foreign_handle_is_ignored(store: Store) -> None:
    async def work() -> None:
        await store.abort_upload("not-a-handle-of-this-store")
        await store.abort_upload("0" * 32)

    run(work)


def test_clearing_leftovers_keeps_uploads_in_progress(store: Store) -> None:
    async def work() -> tuple[int, int]:
        handle = await store.begin_upload(10)
        part = await store.write_part(handle, 1, 0, pieces(b"0123456789"))
        kept = await store.clear_temporary(older_than=3600)
        await store.clear_temporary()
        blob = await store.complete_upload(handle, [part])
        assert await read_all(store, blob.key) == b"0123456789"
        abandoned = await store.begin_upload(10)
        removed = await store.clear_temporary(older_than=0)
        with pytest.raises(UploadSessionNotFound):
            await store.write_part(abandoned, 1, 0, pieces(b"x"))
        return kept, removed

    kept, removed = run(work)

    assert kept == 0
    assert removed >= 1
