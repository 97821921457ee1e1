"""The ports the services need from the layers below, as protocols.

`folio.blobs` implements BlobStore; `folio.persistence` implements the metadata side
(the Database and its query classes are used directly, and their shapes are these).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from folio.domain.entries import StoredBlob

__all__ = ["BlobStore", "BlobWriter", "StoredBlob"]


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
        """Stream bytes start..end (end exclusive; None for the end of the content)."""
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

    async def clear_temporary(self) -> int:
        """Remove unfinished writes left by a process that died; return how many."""
        ...

    async def aclose(self) -> None: ...
