"""Content in a folder on local disk.

Layout under the root: `objects/<2 hex>/<key>` for committed content and
`tmp/<key>.part` for writes in progress. A write becomes visible by one rename,
after an fsync of the file (and of its folder) when durability is on, so a crash
leaves either nothing or the whole content; `clear_temporary` removes what a dead
process left in tmp/.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread

from folio.domain.entries import StoredBlob

__all__ = ["LocalBlobStore"]

# Writes are gathered into pieces of this size before each trip to a worker thread.
_WRITE_BUFFER = 1024 * 1024
_READ_SIZE = 1024 * 1024


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalWriter:
    def __init__(self, store: LocalBlobStore) -> None:
        self._store = store
        self.key = uuid.uuid4().hex
        self._temporary = store.root / "tmp" / f"{self.key}.part"
        self._file: BinaryIO | None = None
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self._size = 0
        self._done = False

    @property
    def size(self) -> int:
        return self._size

    def _flush_sync(self, data: bytes) -> None:
        if self._file is None:
            self._file = open(self._temporary, "xb")  # noqa: SIM115 - kept open
        self._hash.update(data)
        self._file.write(data)

    async def write(self, data: bytes) -> None:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        self._buffer += data
        self._size += len(data)
        if len(self._buffer) >= _WRITE_BUFFER:
            data, self._buffer = bytes(self._buffer), bytearray()
            await to_thread.run_sync(self._flush_sync, data)

    def _commit_sync(self, data: bytes) -> None:
        self._flush_sync(data)
        assert self._file is not None
        self._file.flush()
        if self._store.fsync:
            os.fsync(self._file.fileno())
        self._file.close()
        final = self._store.path(self.key)
        final.parent.mkdir(exist_ok=True)
        os.rename(self._temporary, final)
        if self._store.fsync:
            _fsync_dir(final.parent)

    async def commit(self) -> StoredBlob:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        data, self._buffer = bytes(self._buffer), bytearray()
        try:
            await to_thread.run_sync(self._commit_sync, data)
        except BaseException:
            await self.abort()
            raise
        self._done = True
        return StoredBlob(self.key, self._size, self._hash.hexdigest())

    def _abort_sync(self) -> None:
        if self._file is not None:
            self._file.close()
        self._temporary.unlink(missing_ok=True)

    async def abort(self) -> None:
        if not self._done:
            self._done = True
            await to_thread.run_sync(self._abort_sync)


class LocalBlobStore:
    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root
        self.fsync = fsync
        (root / "objects").mkdir(parents=True, exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / "objects" / key[:2] / key

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

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
        def clear() -> int:
            cutoff = None if older_than is None else time.time() - older_than
            removed = 0
            for leftover in (self.root / "tmp").iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if cutoff is not None and leftover.stat().st_mtime >= cutoff:
                        continue
                    leftover.unlink()
                    removed += 1
            return removed

        return await to_thread.run_sync(clear)

    async def ping(self) -> None:
        def check() -> None:
            for folder in (self.root / "objects", self.root / "tmp"):
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise PermissionError(f"Cannot write to {folder}")

        await to_thread.run_sync(check)

    def download_url(
        self, key: str, *, disposition: str, media_type: str, seconds: int
    ) -> str | None:
        return None

    async def aclose(self) -> None:
        return None
