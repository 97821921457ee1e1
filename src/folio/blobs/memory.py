"""Content held in memory: for tests and throwaway servers."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from folio.domain.entries import StoredBlob
from folio.errors import UploadSessionNotFound
from folio.services.ports import UploadPart

__all__ = ["MemoryBlobStore"]


class MemoryWriter:
    def __init__(self, store: MemoryBlobStore) -> None:
        self._store = store
        self._data = bytearray()
        self._done = False

    @property
    def size(self) -> int:
        return len(self._data)

    async def write(self, data: bytes) -> None:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        self._data += data

    async def commit(self) -> StoredBlob:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        self._done = True
        key = uuid.uuid4().hex
        data = bytes(self._data)
        self._store.objects[key] = data
        return StoredBlob(key, len(data), hashlib.sha256(data).hexdigest())

    async def abort(self) -> None:
        self._done = True
        self._data = bytearray()


class MemoryBlobStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        #: Multipart uploads in progress: handle → part number → its bytes.
        self.uploads: dict[str, dict[int, bytes]] = {}
        #: When each upload last received a part (time.monotonic()).
        self._touched: dict[str, float] = {}

    def writer(self) -> MemoryWriter:
        return MemoryWriter(self)

    async def put(self, data: bytes) -> StoredBlob:
        writer = self.writer()
        await writer.write(data)
        return await writer.commit()

    async def read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        if key not in self.objects:
            raise FileNotFoundError(f"No such content: {key}")
        yield self.objects[key][start:end]

    def local_path(self, key: str) -> Path | None:
        return None

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    async def copy(self, key: str) -> str:
        new_key = uuid.uuid4().hex
        self.objects[new_key] = self.objects[key]
        return new_key

    async def keys(self) -> AsyncIterator[str]:
        for key in list(self.objects):
            yield key

    async def clear_temporary(self, *, older_than: float | None = None) -> int:
        """Drop multipart uploads untouched for `older_than` seconds."""
        if older_than is None:
            return 0
        cutoff = time.monotonic() - older_than
        stale = [h for h, touched in self._touched.items() if touched <= cutoff]
        for handle in stale:
            await self.abort_upload(handle)
        return len(stale)

    async def begin_upload(self, size: int) -> str:
        handle = uuid.uuid4().hex
        self.uploads[handle] = {}
        self._touched[handle] = time.monotonic()
        return handle

    async def write_part(
        self, handle: str, number: int, offset: int, data: AsyncIterable[bytes]
    ) -> UploadPart:
        if handle not in self.uploads:
            raise UploadSessionNotFound()
        received = bytearray()
        async for piece in data:
            received += piece
        parts = self.uploads.get(handle)
        if parts is None:
            raise UploadSessionNotFound()
        parts[number] = bytes(received)
        self._touched[handle] = time.monotonic()
        return UploadPart(number=number, offset=offset, size=len(received))

    async def complete_upload(self, handle: str, parts: list[UploadPart]) -> StoredBlob:
        stored = self.uploads.get(handle)
        if stored is None:
            raise UploadSessionNotFound()
        ordered = sorted(parts, key=lambda part: part.number)
        data = b"".join(stored[part.number][: part.size] for part in ordered)
        del self.uploads[handle]
        self._touched.pop(handle, None)
        key = uuid.uuid4().hex
        self.objects[key] = data
        return StoredBlob(key, len(data), hashlib.sha256(data).hexdigest())

    async def abort_upload(self, handle: str) -> None:
        self.uploads.pop(handle, None)
        self._touched.pop(handle, None)

    async def ping(self) -> None:
        return None

    def download_url(
        self, key: str, *, disposition: str, media_type: str, seconds: int
    ) -> str | None:
        return None

    async def aclose(self) -> None:
        self.objects.clear()
        self.uploads.clear()
        self._touched.clear()
