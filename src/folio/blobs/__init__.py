"""Where file contents live: local disk, in memory, and (later) S3."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from folio.blobs.local import LocalBlobStore
    from folio.blobs.memory import MemoryBlobStore

__all__ = ["open_blob_store"]


def open_blob_store(
    url: str | None, data_dir: Path, *, fsync: bool
) -> LocalBlobStore | MemoryBlobStore:
    """Return the store a storage URL names; a folder in the data folder by default."""
    if url is None or url.startswith("file:"):
        from folio.blobs.local import LocalBlobStore

        root = data_dir / "content" if url is None else Path(url.split(":", 1)[1])
        return LocalBlobStore(root, fsync=fsync)
    if url == "memory:":
        from folio.blobs.memory import MemoryBlobStore

        return MemoryBlobStore()
    raise ValueError(f"Unsupported storage URL: {url}")
