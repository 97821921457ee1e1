"""The records of a document space: portals' users and keys, entries, versions,
operations. Plain values, built by persistence and read by services and the API."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime

__all__ = [
    "ApiKey",
    "Entry",
    "EntryType",
    "FolderType",
    "Operation",
    "OperationKind",
    "OperationStatus",
    "StoredBlob",
    "User",
    "Version",
]


class EntryType(enum.IntEnum):
    """DocSpace's FileEntryType."""

    FOLDER = 1
    FILE = 2


class FolderType(enum.IntEnum):
    """The sections of a user's space, with DocSpace's FolderType codes."""

    DEFAULT = 0
    TRASH = 3
    USER = 5
    SHARE = 6
    FAVORITES = 10
    RECENT = 11
    VIRTUAL_ROOMS = 14
    ARCHIVE = 20
    AI_AGENTS = 34


class OperationKind(enum.IntEnum):
    """DocSpace's FileOperationType."""

    MOVE = 0
    COPY = 1
    DELETE = 2
    DOWNLOAD = 3
    MARK_AS_READ = 4
    IMPORT = 5
    CONVERT = 6
    DUPLICATE = 7


class OperationStatus(enum.IntEnum):
    """DocSpace's DistributedTaskStatus."""

    CREATED = 0
    RUNNING = 1
    COMPLETED = 2
    CANCELED = 3
    FAILED = 4


@dataclasses.dataclass(frozen=True)
class User:
    id: str
    portal_id: int
    email: str
    first_name: str
    last_name: str
    is_admin: bool
    is_owner: bool
    created: datetime
    my_folder_id: int
    trash_folder_id: int
    used_space: int = 0
    quota_limit: int = -1
    #: DocSpace's role: 0 owner, 1 DocSpace admin, 2 room admin, 3 user, 4 guest.
    role: int = 3
    sort_by: str | None = None
    sort_order: int | None = None

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email


@dataclasses.dataclass(frozen=True)
class ApiKey:
    id: str
    portal_id: int
    user_id: str
    name: str
    postfix: str
    permissions: tuple[str, ...]
    created: datetime
    expires_at: datetime | None
    last_used: datetime | None
    is_active: bool

    def is_valid(self, now: datetime) -> bool:
        return self.is_active and (self.expires_at is None or self.expires_at > now)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A file or a folder, including the section roots (My documents, Trash)."""

    id: int
    portal_id: int
    owner_id: str
    entry_type: EntryType
    parent_id: int
    root_id: int
    root_type: FolderType
    path: str
    title: str
    created: datetime
    updated: datetime
    created_by: str
    updated_by: str
    # Files only: the current version.
    version: int = 0
    version_group: int = 0
    size: int = 0
    blob_key: str | None = None
    sha256: str | None = None
    comment: str | None = None
    locked_by: str | None = None
    # Folders only: recursive counts, as DocSpace keeps them.
    files_count: int = 0
    folders_count: int = 0
    folder_type: FolderType | None = None
    # Items in Trash: where they came from.
    origin_id: int | None = None
    trashed_at: datetime | None = None

    @property
    def is_folder(self) -> bool:
        return self.entry_type is EntryType.FOLDER

    @property
    def is_section_root(self) -> bool:
        return self.parent_id == 0

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the section root down to this entry's parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1]]


@dataclasses.dataclass(frozen=True)
class Version:
    file_id: int
    version: int
    version_group: int
    size: int
    blob_key: str
    sha256: str
    comment: str
    created: datetime
    created_by: str


@dataclasses.dataclass(frozen=True)
class Operation:
    id: str
    portal_id: int
    user_id: str
    kind: OperationKind
    status: OperationStatus
    progress: int
    processed: int
    error: str
    hold: bool
    created: datetime
    finished: bool = False
    files: tuple[int, ...] = ()
    folders: tuple[int, ...] = ()
    #: The name of the archive a finished download made, for its URL.
    archive: str | None = None


@dataclasses.dataclass(frozen=True)
class StoredBlob:
    """Content that has been written durably under a key."""

    key: str
    size: int
    sha256: str
