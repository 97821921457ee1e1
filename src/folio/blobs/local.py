"""Content in a folder on local disk.

Layout under the root: `objects/<2 hex>/<key>` for committed content,
`tmp/<key>.part` for single writes in progress and `uploads/<handle>.part` for the
multipart uploads of chunked sessions. A write becomes visible by one rename,
after an fsync of the file (and of its folder) when durability is on, so a crash
leaves either nothing or the whole content; `clear_temporary` removes what a dead
process left in tmp/. Multipart uploads outlive a restart (their sessions resume),
so only those untouched for longer than any session lives are cleared.

Writes are pipelined: while a worker thread hashes and writes one piece, the
request keeps receiving the next, and when durability is on the kernel is asked
to start writing each piece back to disk at once, so the final fsync finds little
left to do and the disk works while the network does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import shutil
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path
from typing import Any

from anyio import to_thread

from folio.domain.entries import StoredBlob
from folio.errors import UploadSessionNotFound
from folio.services.ports import UploadPart

__all__ = ["LocalBlobStore"]

# Incoming data is gathered until there is this much before each trip to a worker.
_PIECE = 4 * 1024 * 1024
# Smaller for the parts of multipart uploads: each part is synced before its
# answer, and the sync waits for the last piece to reach the disk.
_PART_PIECE = 1024 * 1024
# Most buffers one pwritev call takes (Linux's IOV_MAX).
_IOV_MAX = 1024
_READ_SIZE = 1024 * 1024
# A multipart upload untouched this long belongs to no live session (they expire
# 12 hours after their last chunk); it is cleared with the other leftovers.
# (A file's modification time is its upload's last activity.)
_STALE_UPLOAD = 2 * 24 * 3600
# Running hashes of multipart uploads kept for uploads whose chunks arrive in order.
_HASHES_KEPT = 256

_SYNC_FILE_RANGE_WRITE = 2


def _load_sync_file_range() -> Callable[[int, int, int], None] | None:
    """Linux's sync_file_range(2), which starts write-back without waiting for it."""
    name = ctypes.util.find_library("c")
    try:
        function = ctypes.CDLL(name, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]

    def start(fd: int, offset: int, length: int) -> None:
        function(fd, offset, length, _SYNC_FILE_RANGE_WRITE)

    return start


_start_writeback = _load_sync_file_range()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Pipeline:
    """One blocking write at a time in a worker thread, while the caller gathers
    the next piece. Errors surface at the next submit or at `drain`."""

    def __init__(self) -> None:
        self._pending: asyncio.Future[None] | None = None

    async def submit(self, work: Callable[..., None], *args: Any) -> None:
        await self.drain()
        self._pending = asyncio.ensure_future(to_thread.run_sync(work, *args))

    async def drain(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending

    async def settle(self) -> None:
        """Wait for the write in flight, ignoring its outcome (before cleaning up)."""
        try:
            await self.drain()
        except Exception:
            pass


class _Sink:
    """Writes pieces into an open file at increasing positions, hashing them."""

    def __init__(self, fd: int, position: int, hasher: Any, durable: bool) -> None:
        self.fd = fd
        self.start = position
        self.position = position
        self.hasher = hasher
        self.durable = durable

    def write(self, pieces: list[bytes]) -> None:
        """Hash and write the pieces with one system call (they are not joined)."""
        if self.hasher is not None:
            for piece in pieces:
                self.hasher.update(piece)
        begin = self.position
        views = [memoryview(piece) for piece in pieces if piece]
        while views:
            written = os.pwritev(self.fd, views[:_IOV_MAX], self.position)
            self.position += written
            while views and written >= len(views[0]):
                written -= len(views[0])
                views.pop(0)
            if views and written:
                views[0] = views[0][written:]
        if self.durable and _start_writeback is not None and self.position > begin:
            _start_writeback(self.fd, begin, self.position - begin)


class _Pieces:
    """Incoming data kept as the pieces it came in, until there is enough of it."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.size = 0

    def add(self, data: bytes, enough: int = _PIECE) -> bool:
        """Keep a piece; tell whether enough is kept to be written out."""
        self.pieces.append(data)
        self.size += len(data)
        return self.size >= enough

    def take(self) -> list[bytes]:
        pieces, self.pieces, self.size = self.pieces, [], 0
        return pieces


class LocalWriter:
    def __init__(self, store: LocalBlobStore) -> None:
        self._store = store
        self.key = uuid.uuid4().hex
        self._temporary = store.root / "tmp" / f"{self.key}.part"
        self._sink: _Sink | None = None
        self._pipeline = _Pipeline()
        self._hash = hashlib.sha256()
        self._pending = _Pieces()
        self._size = 0
        self._done = False

    @property
    def size(self) -> int:
        return self._size

    def _flush_sync(self, pieces: list[bytes]) -> None:
        if self._sink is None:
            fd = os.open(self._temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            self._sink = _Sink(fd, 0, self._hash, self._store.fsync)
        self._sink.write(pieces)

    async def write(self, data: bytes) -> None:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        self._size += len(data)
        if self._pending.add(data):
            await self._pipeline.submit(self._flush_sync, self._pending.take())

    def _commit_sync(self, pieces: list[bytes]) -> None:
        self._flush_sync(pieces)
        assert self._sink is not None
        fd = self._sink.fd
        self._sink = None
        try:
            if self._store.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        self._store.publish(self._temporary, self.key)

    async def commit(self) -> StoredBlob:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        pieces = self._pending.take()
        try:
            await self._pipeline.drain()
            await to_thread.run_sync(self._commit_sync, pieces)
        except BaseException:
            await self.abort()
            raise
        self._done = True
        return StoredBlob(self.key, self._size, self._hash.hexdigest())

    def _abort_sync(self) -> None:
        if self._sink is not None:
            os.close(self._sink.fd)
            self._sink = None
        self._temporary.unlink(missing_ok=True)

    async def abort(self) -> None:
        if not self._done:
            self._done = True
            await self._pipeline.settle()
            await to_thread.run_sync(self._abort_sync)


class _RunningHash:
    """The SHA-256 of an upload's first `upto` bytes, while chunks come in order."""

    def __init__(self) -> None:
        self.hasher = hashlib.sha256()
        self.upto = 0


class LocalBlobStore:
    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root
        self.fsync = fsync
        (root / "objects").mkdir(parents=True, exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        (root / "uploads").mkdir(exist_ok=True)
        # Not state a session depends on: a node that lacks an upload's running
        # hash (another node took the chunks, or they came out of order) reads the
        # content once at completion instead.
        self._hashes: OrderedDict[str, _RunningHash] = OrderedDict()

    def path(self, key: str) -> Path:
        return self.root / "objects" / key[:2] / key

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def publish(self, temporary: Path, key: str) -> None:
        """Move finished content to its key (blocking; the file is already synced)."""
        final = self.path(key)
        final.parent.mkdir(exist_ok=True)
        os.rename(temporary, final)
        if self.fsync:
            _fsync_dir(final.parent)

    def writer(self) -> LocalWriter:
        return LocalWriter(self)

    async def put(self, data: bytes) -> StoredBlob:
        writer = self.writer()
        await writer.write(data)
        return await writer.commit()

    async def read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        handle = await to_thread.run_sync(open, self.path(key), "rb")
        try:
            await to_thread.run_sync(handle.seek, start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                size = _READ_SIZE if remaining is None else min(_READ_SIZE, remaining)
                chunk = await to_thread.run_sync(handle.read, size)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            await to_thread.run_sync(handle.close)

    async def delete(self, keys: list[str]) -> None:
        def unlink_all() -> None:
            for key in keys:
                self.path(key).unlink(missing_ok=True)

        await to_thread.run_sync(unlink_all)

    async def copy(self, key: str) -> str:
        new_key = uuid.uuid4().hex
        source, target = self.path(key), self.path(new_key)

        def link() -> None:
            target.parent.mkdir(exist_ok=True)
            # Content is never changed in place, so a hard link is a safe copy.
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
            if self.fsync:
                _fsync_dir(target.parent)

        await to_thread.run_sync(link)
        return new_key

    async def keys(self) -> AsyncIterator[str]:
        def listing() -> list[str]:
            return [
                entry.name
                for folder in (self.root / "objects").iterdir()
                if folder.is_dir()
                for entry in os.scandir(folder)
            ]

        for key in await to_thread.run_sync(listing):
            yield key

    async def clear_temporary(self, *, older_than: float | None = None) -> int:
        """Remove unfinished writes and abandoned multipart uploads.

        Without `older_than` (at the start of a server, when nothing is being
        written) every unfinished single write goes, but multipart uploads only
        when untouched for two days: their sessions continue after a restart.
        With it, only what is untouched for that many seconds goes.
        """

        def clear() -> int:
            now = time.time()
            removed = 0
            for folder, age in (
                ("tmp", older_than),
                ("uploads", _STALE_UPLOAD if older_than is None else older_than),
            ):
                for leftover in (self.root / folder).iterdir():
                    with contextlib.suppress(FileNotFoundError):
                        if age is not None and leftover.stat().st_mtime > now - age:
                            continue
                        leftover.unlink()
                        removed += 1
            return removed

        return await to_thread.run_sync(clear)

    # Multipart uploads: one sparse file per upload, each part written at its
    # offset, so completing an upload is a sync and a rename, not a copy.

    def _upload_path(self, handle: str) -> Path:
        if len(handle) != 32 or not all(c in "0123456789abcdef" for c in handle):
            raise UploadSessionNotFound()
        return self.root / "uploads" / f"{handle}.part"

    async def begin_upload(self, size: int) -> str:
        handle = uuid.uuid4().hex
        path = self._upload_path(handle)

        def create() -> None:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))

        await to_thread.run_sync(create)
        self._remember_hash(handle)
        return handle

    async def write_part(
        self, handle: str, number: int, offset: int, data: AsyncIterable[bytes]
    ) -> UploadPart:
        path = self._upload_path(handle)
        try:
            fd = await to_thread.run_sync(os.open, path, os.O_WRONLY)
        except FileNotFoundError:
            raise UploadSessionNotFound() from None
        # Hash on the way only when this part continues the bytes hashed so far;
        # a copy is updated, so a part that fails leaves the running hash as it was.
        running = self._hashes.get(handle)
        in_order = running is not None and running.upto == offset
        if running is not None and offset < running.upto:
            del self._hashes[handle]  # A part written again: the hash is stale.
        hasher = running.hasher.copy() if in_order and running else None
        sink = _Sink(fd, offset, hasher, self.fsync)
        pipeline = _Pipeline()
        pending = _Pieces()
        try:
            async for piece in data:
                if pending.add(piece, _PART_PIECE):
                    await pipeline.submit(sink.write, pending.take())
            await pipeline.submit(sink.write, pending.take())
            await pipeline.drain()
            if self.fsync:
                # An acknowledged chunk is durable: its session will not ask again.
                await to_thread.run_sync(os.fdatasync, fd)
        finally:
            await pipeline.settle()
            await to_thread.run_sync(os.close, fd)
        size = sink.position - offset
        if hasher is not None and running is not None:
            running.hasher, running.upto = hasher, offset + size
            self._hashes.move_to_end(handle)
        return UploadPart(number=number, offset=offset, size=size)

    def _remember_hash(self, handle: str) -> None:
        """Start a running hash for a new upload, forgetting the oldest ones."""
        self._hashes[handle] = _RunningHash()
        while len(self._hashes) > _HASHES_KEPT:
            self._hashes.popitem(last=False)

    async def complete_upload(self, handle: str, parts: list[UploadPart]) -> StoredBlob:
        path = self._upload_path(handle)
        ordered = sorted(parts, key=lambda part: part.number)
        total = sum(part.size for part in ordered)
        running = self._hashes.pop(handle, None)
        key = uuid.uuid4().hex

        def complete() -> str:
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                raise UploadSessionNotFound() from None
            try:
                hasher, hashed = _close_gaps(fd, ordered, running)
                os.ftruncate(fd, total)
                hasher = _hash_rest(fd, hasher, hashed, total)
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            self.publish(path, key)
            return str(hasher.hexdigest())

        digest = await to_thread.run_sync(complete)
        return StoredBlob(key, total, digest)

    async def abort_upload(self, handle: str) -> None:
        try:
            path = self._upload_path(handle)
        except UploadSessionNotFound:
            return  # Not a handle of this store: there is nothing to drop.
        self._hashes.pop(handle, None)
        await to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def ping(self) -> None:
        def check() -> None:
            for name in ("objects", "tmp", "uploads"):
                folder = self.root / name
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise PermissionError(f"Cannot write to {folder}")

        await to_thread.run_sync(check)

    def download_url(
        self, key: str, *, disposition: str, media_type: str, seconds: int
    ) -> str | None:
        return None

    async def aclose(self) -> None:
        return None


def _close_gaps(
    fd: int, parts: list[UploadPart], running: _RunningHash | None
) -> tuple[Any, int]:
    """Move parts down over the gaps short parts left; return the usable hash.

    Parts sit at their planned offsets; when one came short (a client may send a
    short chunk in the middle), the ones after it move down to follow on. The
    running hash stays valid for the bytes before the first part that moved.
    """
    hasher, hashed = (running.hasher, running.upto) if running else (None, 0)
    target = 0
    for part in parts:
        if part.offset != target:
            if hasher is not None and hashed > target:
                hasher, hashed = None, 0
            _move(fd, part.offset, target, part.size)
        target += part.size
    if hasher is None:
        return hashlib.sha256(), 0
    return hasher, min(hashed, target)


def _move(fd: int, source: int, target: int, size: int) -> None:
    """Copy a range of a file to a lower offset, front to back (safe on overlap)."""
    done = 0
    while done < size:
        piece = os.pread(fd, min(_READ_SIZE * 4, size - done), source + done)
        if not piece:
            break
        os.pwrite(fd, piece, target + done)
        done += len(piece)


def _hash_rest(fd: int, hasher: Any, hashed: int, total: int) -> Any:
    """Feed the hash the bytes from `hashed` to `total` of the file."""
    position = hashed
    while position < total:
        piece = os.pread(fd, min(_READ_SIZE * 4, total - position), position)
        if not piece:
            break
        hasher.update(piece)
        position += len(piece)
    return hasher
