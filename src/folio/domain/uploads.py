"""Chunked upload sessions: a file arriving in numbered chunks over many requests."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime

__all__ = ["Chunk", "SessionState", "UploadSession"]


class SessionState(enum.IntEnum):
    OPEN = 0
    COMPLETED = 1
    ABORTED = 2


@dataclasses.dataclass(frozen=True)
class UploadSession:
    """One upload in progress, as kept in the database (never in a process)."""

    id: str
    portal_id: int
    user_id: str
    #: The folder the file lands in (after any relative path was created).
    folder_id: int
    #: For an edit session: the file whose content the upload replaces.
    file_id: int | None
    title: str
    #: The size the client announced; 0 when it did not know.
    size: int
    chunk_size: int
    create_new: bool
    state: SessionState
    #: The blob store's handle of the multipart upload.
    storage_ref: str
    result_file_id: int | None
    created: datetime
    expires: datetime


@dataclasses.dataclass(frozen=True)
class Chunk:
    """A chunk that arrived whole and is stored at `offset` of the upload."""

    number: int
    offset: int
    size: int
    etag: str = ""
