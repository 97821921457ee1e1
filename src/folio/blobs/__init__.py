"""Where file contents live: local disk, S3-compatible object stores, in memory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from folio.blobs.local import LocalBlobStore
    from folio.blobs.memory import MemoryBlobStore
    from folio.blobs.s3 import S3BlobStore

__all__ = ["open_blob_store"]


def open_blob_store(
    url: str | None,
    data_dir: Path,
    *,
    fsync: bool,
    stale_upload_age: float = 7 * 24 * 3600,
) -> LocalBlobStore | MemoryBlobStore | S3BlobStore:
    """Return the store a storage URL names; a folder in the data folder by default.

    `file:PATH` is a folder, `memory:` holds content in memory, and
    `s3://bucket/prefix?endpoint=…&region=…` an S3-compatible object store.
    """
    if url is None or url.startswith("file:"):
        from folio.blobs.local import LocalBlobStore

        root = data_dir / "content" if url is None else Path(url.split(":", 1)[1])
        return LocalBlobStore(root, fsync=fsync)
    if url == "memory:":
        from folio.blobs.memory import MemoryBlobStore

        return MemoryBlobStore()
    if url.startswith("s3:"):
        from folio.blobs.s3 import S3BlobStore

        return S3BlobStore.from_url(url, stale_upload_age=stale_upload_age)
    raise ValueError(f"Unsupported storage URL: {url}")
