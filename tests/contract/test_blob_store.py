"""The BlobStore contract, run against every backend: memory, local disk and S3.

S3 is a real S3-compatible server (moto's) on a loopback port. Each test gets a
store of its own: an empty folder, or a fresh prefix in the bucket.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from folio.blobs.local import LocalBlobStore
from folio.blobs.memory import MemoryBlobStore
from folio.blobs.s3 import S3BlobStore
from folio.services.ports import BlobStore, UploadPart
from helpers import MotoServer

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024

BACKENDS = ("memory", "local", "s3")
#: Backends whose multipart-upload methods (for upload sessions) are in the
#: contract run. A backend joins once it implements them; the test
#: test_every_backend_with_multipart_uploads_runs_their_contract fails until then.
MULTIPART_BACKENDS = ("memory", "local", "s3")

_CLASSES: dict[str, type] = {
    "memory": MemoryBlobStore,
    "local": LocalBlobStore,
    "s3": S3BlobStore,
}


class Backend:
    """A store under test, and a way to open a second store over the same content
    (another node, or the same process after a restart)."""

    def __init__(self, name: str, opener: Callable[[], Any]) -> None:
        self.name = name
        self._opener = opener
        self.store: BlobStore = opener()

    def reopen(self) -> BlobStore:
        return self._opener()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def s3_bucket(s3: MotoServer) -> str:
    bucket = f"contract-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(bucket)
    return bucket


def _backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    name = request.param
    if name == "memory":
        shared = MemoryBlobStore()
        return Backend(name, lambda: shared)
    if name == "local":
        return Backend(name, lambda: LocalBlobStore(tmp_path / "content"))
    s3: MotoServer = request.getfixturevalue("s3")
    bucket: str = request.getfixturevalue("s3_bucket")
    url = s3.storage_url(bucket, f"case-{uuid.uuid4().hex[:12]}")
    return Backend(name, lambda: S3BlobStore.from_url(url))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield _backend(request, tmp_path)


@pytest.fixture(params=MULTIPART_BACKENDS)
def multipart(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield _backend(request, tmp_path)


async def _read(
    store: BlobStore, key: str, start: int = 0, end: int | None = None
) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, start, end)])


async def _keys(store: BlobStore) -> set[str]:
    return {key async for key in store.keys()}


async def _pieces(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Writing


async def test_writer_commit_stores_content_with_size_and_sha256(
    backend: Backend,
) -> None:
    data = os.urandom(3 * MIB + 17)
    writer = backend.store.writer()
    async for piece in _pieces(data):
        await writer.write(piece)
    assert writer.size == len(data)

    stored = await writer.commit()

    assert (stored.size, stored.sha256) == (len(data), _sha(data))
    assert await _read(backend.store, stored.key) == data


async def test_writer_content_is_invisible_until_commit(backend: Backend) -> None:
    writer = backend.store.writer()
    await writer.write(os.urandom(2 * MIB))

    assert await _keys(backend.store) == set()

    stored = await writer.commit()
    assert await _keys(backend.store) == {stored.key}


async def test_writer_abort_leaves_nothing_and_may_repeat(backend: Backend) -> None:
    writer = backend.store.writer()
    await writer.write(os.urandom(9 * MIB))

    await writer.abort()
    await writer.abort()

    assert await _keys(backend.store) == set()
    with pytest.raises(RuntimeError):
        await writer.write(b"more")


async def test_writer_commit_twice_is_refused(backend: Backend) -> None:
    writer = backend.store.writer()
    await writer.write(b"once")
    await writer.commit()

    with pytest.raises(RuntimeError):
        await writer.commit()


async def test_put_of_empty_content_stores_an_empty_blob(backend: Backend) -> None:
    stored = await backend.store.put(b"")

    assert (stored.size, stored.sha256) == (0, _sha(b""))
    assert await _read(backend.store, stored.key) == b""


async def test_every_write_gets_a_fresh_key(backend: Backend) -> None:
    first = await backend.store.put(b"same")
    second = await backend.store.put(b"same")

    assert first.key != second.key
    assert await _keys(backend.store) == {first.key, second.key}


# Reading


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, None), (0, 1), (3, 10), (10, None), (999, 1000), (5, 5)],
    ids=["whole", "first-byte", "middle", "tail", "last-byte", "empty"],
)
async def test_read_returns_exactly_the_requested_range(
    backend: Backend, start: int, end: int | None
) -> None:
    data = bytes(range(256)) * 4  # 1,000+ distinct-ish bytes
    data = data[:1000]
    stored = await backend.store.put(data)

    assert await _read(backend.store, stored.key, start, end) == data[start:end]


async def test_read_of_large_content_streams_it_in_pieces(backend: Backend) -> None:
    data = os.urandom(5 * MIB + 3)
    stored = await backend.store.put(data)

    pieces = [chunk async for chunk in backend.store.read(stored.key)]

    assert b"".join(pieces) == data
    if backend.name != "memory":
        assert len(pieces) > 1 and max(len(p) for p in pieces) <= 2 * MIB


async def test_read_of_a_missing_key_raises_file_not_found(backend: Backend) -> None:
    with pytest.raises(FileNotFoundError):
        await _read(backend.store, uuid.uuid4().hex)


async def test_content_is_visible_to_a_second_store_on_the_same_storage(
    backend: Backend,
) -> None:
    stored = await backend.store.put(b"seen from elsewhere")

    assert await _read(backend.reopen(), stored.key) == b"seen from elsewhere"


# Deleting, copying, listing


async def test_delete_removes_content_and_ignores_missing_keys(
    backend: Backend,
) -> None:
    kept = await backend.store.put(b"kept")
    gone = await backend.store.put(b"gone")

    await backend.store.delete([gone.key, uuid.uuid4().hex])

    assert await _keys(backend.store) == {kept.key}
    with pytest.raises(FileNotFoundError):
        await _read(backend.store, gone.key)


async def test_delete_of_many_keys_removes_them_all(backend: Backend) -> None:
    stored = [await backend.store.put(b"x") for _ in range(30)]

    await backend.store.delete([blob.key for blob in stored])

    assert await _keys(backend.store) == set()


async def test_copy_is_independent_of_its_source(backend: Backend) -> None:
    source = await backend.store.put(b"original")

    copy = await backend.store.copy(source.key)
    await backend.store.delete([source.key])

    assert copy != source.key
    assert await _read(backend.store, copy) == b"original"


async def test_keys_lists_committed_content_only(backend: Backend) -> None:
    first = await backend.store.put(b"a")
    second = await backend.store.put(b"b")
    pending = backend.store.writer()
    await pending.write(b"not yet")

    assert await _keys(backend.store) == {first.key, second.key}
    await pending.abort()


# Housekeeping and probes


async def test_clear_temporary_with_an_age_spares_writes_in_flight(
    backend: Backend,
) -> None:
    data = os.urandom(3 * MIB)
    writer = backend.store.writer()
    await writer.write(data[: 2 * MIB])

    removed = await backend.store.clear_temporary(older_than=3600)
    await writer.write(data[2 * MIB :])
    stored = await writer.commit()

    assert removed == 0
    assert await _read(backend.store, stored.key) == data


async def test_clear_temporary_spares_committed_content(backend: Backend) -> None:
    stored = await backend.store.put(b"durable")

    await backend.store.clear_temporary(older_than=0)

    assert await _read(backend.store, stored.key) == b"durable"


async def test_ping_succeeds_on_a_reachable_store(backend: Backend) -> None:
    await backend.store.ping()


async def test_local_path_when_given_holds_the_content(backend: Backend) -> None:
    stored = await backend.store.put(b"on disk")

    path = backend.store.local_path(stored.key)

    assert path is None or path.read_bytes() == b"on disk"


async def test_download_url_when_given_serves_the_content(backend: Backend) -> None:
    stored = await backend.store.put(b"fetch me")

    url = backend.store.download_url(
        stored.key,
        disposition='attachment; filename="a.txt"',
        media_type="text/plain",
        seconds=60,
    )

    if url is None:
        assert backend.name in ("memory", "local")
        return
    async with httpx.AsyncClient() as http:
        answer = await http.get(url)
    assert answer.status_code == 200
    assert answer.content == b"fetch me"
    assert answer.headers["content-disposition"] == 'attachment; filename="a.txt"'
    assert answer.headers["content-type"].startswith("text/plain")


# Multipart uploads (the chunks of upload sessions)


def test_every_backend_with_multipart_uploads_runs_their_contract() -> None:
    implemented = {
        name for name, cls in _CLASSES.items() if hasattr(cls, "begin_upload")
    }
    assert implemented <= set(MULTIPART_BACKENDS), (
        f"Add {sorted(implemented - set(MULTIPART_BACKENDS))} to MULTIPART_BACKENDS"
    )


async def _upload(
    store: BlobStore,
    data: bytes,
    chunk: int,
    *,
    order: Callable[[list[int]], list[int]] = lambda numbers: numbers,
    stores: list[BlobStore] | None = None,
) -> tuple[str, list[UploadPart]]:
    """Send `data` in chunks of `chunk` bytes, numbered from 1, in `order`,
    alternating between `stores` when given (as chunks alternate between nodes)."""
    handle = await store.begin_upload(len(data))
    offsets = list(range(0, len(data), chunk)) or [0]
    numbers = order(list(range(1, len(offsets) + 1)))
    senders = stores or [store]
    parts = []
    for turn, number in enumerate(numbers):
        offset = offsets[number - 1]
        sender = senders[turn % len(senders)]
        part = await sender.write_part(
            handle, number, offset, _pieces(data[offset : offset + chunk])
        )
        assert (part.number, part.offset) == (number, offset)
        assert part.size == len(data[offset : offset + chunk])
        parts.append(part)
    return handle, parts


@pytest.mark.parametrize(
    ("size", "chunk"),
    [
        (11 * MIB + 5, 5 * MIB),
        (3 * MIB + 1, 256 * 1024),
        (6 * MIB + 7, 1 * MIB),
        (100, 1000),
    ],
    ids=["large-chunks", "small-chunks", "mixed", "one-chunk"],
)
async def test_upload_parts_complete_into_the_whole_content(
    multipart: Backend, size: int, chunk: int
) -> None:
    data = os.urandom(size)
    handle, parts = await _upload(multipart.store, data, chunk)

    stored = await multipart.store.complete_upload(handle, parts)

    assert (stored.size, stored.sha256) == (size, _sha(data))
    assert await _read(multipart.store, stored.key) == data
    assert await _keys(multipart.store) == {stored.key}


async def test_upload_parts_sent_out_of_order_complete_in_offset_order(
    multipart: Backend,
) -> None:
    data = os.urandom(12 * MIB + 3)
    handle, parts = await _upload(
        multipart.store, data, 5 * MIB, order=lambda numbers: numbers[::-1]
    )

    stored = await multipart.store.complete_upload(handle, parts)

    assert stored.sha256 == _sha(data)


async def test_upload_part_sent_again_replaces_the_first(multipart: Backend) -> None:
    data = os.urandom(2 * 5 * MIB)
    handle, parts = await _upload(multipart.store, data, 5 * MIB)
    wrong = os.urandom(5 * MIB)
    await multipart.store.write_part(handle, 1, 0, _pieces(wrong))

    again = await multipart.store.write_part(handle, 1, 0, _pieces(data[: 5 * MIB]))
    stored = await multipart.store.complete_upload(handle, [again, parts[1]])

    assert stored.sha256 == _sha(data)


async def test_upload_part_resent_smaller_replaces_the_first(
    multipart: Backend,
) -> None:
    data = os.urandom(6 * MIB)
    handle = await multipart.store.begin_upload(len(data))
    await multipart.store.write_part(handle, 1, 0, _pieces(os.urandom(5 * MIB)))

    parts = [
        await multipart.store.write_part(handle, 1, 0, _pieces(data[: 2 * MIB])),
        await multipart.store.write_part(handle, 2, 2 * MIB, _pieces(data[2 * MIB :])),
    ]
    stored = await multipart.store.complete_upload(handle, parts)

    assert stored.sha256 == _sha(data)


async def test_upload_continues_and_completes_through_another_store(
    multipart: Backend,
) -> None:
    data = os.urandom(11 * MIB)
    second = multipart.reopen()
    handle, parts = await _upload(
        multipart.store, data, 5 * MIB, stores=[multipart.store, second]
    )

    stored = await second.complete_upload(handle, parts)

    assert stored.sha256 == _sha(data)
    assert await _read(multipart.store, stored.key) == data


async def test_upload_of_nothing_completes_into_empty_content(
    multipart: Backend,
) -> None:
    handle = await multipart.store.begin_upload(0)

    stored = await multipart.store.complete_upload(handle, [])

    assert (stored.size, stored.sha256) == (0, _sha(b""))
    assert await _read(multipart.store, stored.key) == b""


async def test_upload_abort_leaves_nothing_behind(multipart: Backend) -> None:
    data = os.urandom(6 * MIB)
    handle, _ = await _upload(multipart.store, data, 1 * MIB)

    await multipart.store.abort_upload(handle)
    await multipart.store.abort_upload(handle)

    assert await _keys(multipart.store) == set()
    assert await multipart.store.clear_temporary(older_than=0) == 0


async def test_upload_abort_of_an_unknown_handle_is_ignored(
    multipart: Backend,
) -> None:
    await multipart.store.abort_upload("no-such-upload")
    await multipart.store.abort_upload(uuid.uuid4().hex)


async def test_clear_temporary_aborts_abandoned_uploads_only_when_old(
    multipart: Backend,
) -> None:
    handle, _ = await _upload(multipart.store, os.urandom(2 * MIB), 1 * MIB)

    assert await multipart.store.clear_temporary(older_than=3600) == 0
    assert await multipart.store.clear_temporary(older_than=0) > 0

    assert await _keys(multipart.store) == set()
