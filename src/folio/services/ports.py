"""The ports the services need from the layers below, as protocols.

`folio.blobs` implements BlobStore; `folio.persistence` implements the metadata side
(the Database and its query classes are used directly, and their shapes are these).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Protocol

from folio.domain.entries import StoredBlob

__all__ = ["BlobStore", "BlobWriter", "StoredBlob", "UploadPart"]


@dataclasses.dataclass(frozen=True)
class UploadPart:
    """One chunk of a multipart upload, as the store received it."""

    number: int
    offset: int
    size: int
    #: What the store needs back to assemble the part (an S3 part's ETag), or "".
    etag: str = ""


class BlobWriter(Protocol):
    """Content being written: invisible until `commit`, gone after `abort`."""

    @property
    def size(self) -> int: ...

    async def write(self, data: bytes) -> None: ...

    async def commit(self) -> StoredBlob:
        """Make the content durable and visible under its key."""
        ...

    async def abort(self) -> None:
        """Drop what was written; safe to call at any time, and more than once."""
        ...


class BlobStore(Protocol):
    """Where file contents live, under generated keys."""

    def writer(self) -> BlobWriter:
        """Start writing new content under a fresh key."""
        ...

    async def put(self, data: bytes) -> StoredBlob:
        """Write small content in one call."""
        ...

    def read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Stream bytes start..end (end exclusive; None for the end of the content).

        Raises FileNotFoundError for a key the store does not hold.
        """
        ...

    def local_path(self, key: str) -> Path | None:
        """The file holding the content, where the store is a local disk."""
        ...

    async def delete(self, keys: list[str]) -> None:
        """Remove content; keys that do not exist are ignored."""
        ...

    async def copy(self, key: str) -> str:
        """Store a copy of existing content under a fresh key; return that key."""
        ...

    def keys(self) -> AsyncIterator[str]:
        """Every key the store holds (for the sweep of orphaned content)."""
        ...

    async def clear_temporary(self, *, older_than: float | None = None) -> int:
        """Remove unfinished writes left by a process that died; return how many.

        With `older_than`, only writes untouched for that many seconds go, which is
        safe while other writes are in flight; without it, every unfinished write
        goes, which is safe only when no process is writing.
        """
        ...

    async def ping(self) -> None:
        """Raise if the store cannot be reached (for readiness checks)."""
        ...

    def download_url(
        self, key: str, *, disposition: str, media_type: str, seconds: int
    ) -> str | None:
        """A short-lived URL clients can fetch the content from directly, or None.

        Only stores that clients can reach themselves (S3) have one.
        """
        ...

    # Multipart uploads: the chunks of an upload session are written where they will
    # end up (at their offset in one temporary file on disk; as the parts of an S3
    # multipart upload), so completing an upload never copies the content again.

    async def begin_upload(self, size: int) -> str:
        """Start a multipart upload of `size` bytes; return its handle.

        The handle is kept in the database, so any node can continue the upload.
        """
        ...

    async def write_part(
        self, handle: str, number: int, offset: int, data: AsyncIterable[bytes]
    ) -> UploadPart:
        """Store one chunk; sending the same number again replaces it."""
        ...

    async def complete_upload(self, handle: str, parts: list[UploadPart]) -> StoredBlob:
        """Assemble the parts in order, durably, under a fresh key, with its SHA-256."""
        ...

    async def abort_upload(self, handle: str) -> None:
        """Drop an upload and every part of it; an unknown handle is ignored."""
        ...

    async def aclose(self) -> None: ...
