"""Typed results. Each keeps the server's whole object in `raw`, so no field is lost.

The typed attributes cover what scripts usually need; anything else the server
sends is one lookup away: `file["viewAccessibility"]` or `file.raw`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from folio.client._errors import ProtocolError

__all__ = [
    "ApiKey",
    "AuthToken",
    "Entry",
    "File",
    "FileType",
    "Folder",
    "FolderType",
    "Listing",
    "Operation",
    "OperationStatus",
    "OperationType",
    "PathPart",
    "Person",
    "Profile",
    "UploadSession",
    "Version",
]

E = TypeVar("E", bound=enum.IntEnum)


class FileType(enum.IntEnum):
    """DocSpace's FileType, decided by the extension."""

    UNKNOWN = 0
    ARCHIVE = 1
    VIDEO = 2
    AUDIO = 3
    IMAGE = 4
    SPREADSHEET = 5
    PRESENTATION = 6
    DOCUMENT = 7
    PDF = 10
    DIAGRAM = 11


class FolderType(enum.IntEnum):
    """DocSpace's FolderType codes of the sections a personal space has."""

    DEFAULT = 0
    COMMON = 1
    BUNCH = 2
    TRASH = 3
    USER = 5
    SHARE = 6
    PROJECTS = 8
    FAVORITES = 10
    RECENT = 11
    TEMPLATES = 12
    PRIVACY = 13
    VIRTUAL_ROOMS = 14
    ARCHIVE = 20


class OperationType(enum.IntEnum):
    """DocSpace's FileOperationType: what a file operation does."""

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


def _enum(cls: type[E], value: Any) -> E | int:
    """The member for a known code; the bare number for one this client predates."""
    number = _int(value)
    try:
        return cls(number)
    except ValueError:
        return number


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_date(value: Any) -> datetime | None:
    """Read DocSpace's ApiDateTime (a string, or the spec's object form)."""
    if isinstance(value, Mapping):
        value = value.get("utcTime")
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _required(data: Mapping[str, Any], name: str, what: str) -> Any:
    if name not in data:
        raise ProtocolError(f"The server sent a {what} without '{name}'")
    return data[name]


class _Raw:
    """Dictionary-style access to every field the server sent."""

    raw: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]

    def get(self, name: str, default: Any = None) -> Any:
        """Return a field as the server sent it, or `default`."""
        return self.raw.get(name, default)


def _mapping(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ProtocolError(f"The server sent {type(data).__name__} for a {what}")
    return data


@dataclasses.dataclass(frozen=True, kw_only=True)
class Person(_Raw):
    """A user named on an entry (createdBy, updatedBy)."""

    id: str
    display_name: str
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> Person | None:
        if not isinstance(data, Mapping) or "id" not in data:
            return None
        return cls(
            id=str(data["id"]),
            display_name=_str(data.get("displayName")) or "",
            raw=data,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Entry(_Raw):
    """What files and folders share."""

    id: int
    title: str
    created: datetime | None = dataclasses.field(default=None, repr=False)
    updated: datetime | None = None
    created_by: Person | None = dataclasses.field(default=None, repr=False)
    updated_by: Person | None = dataclasses.field(default=None, repr=False)
    root_folder_id: int | None = dataclasses.field(default=None, repr=False)
    root_folder_type: FolderType | int | None = None
    #: Items in Trash: the folder they were deleted from.
    origin_id: int | None = None
    origin_title: str | None = dataclasses.field(default=None, repr=False)
    raw: Mapping[str, Any] = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )

    is_folder = False

    @property
    def in_trash(self) -> bool:
        return self.root_folder_type == FolderType.TRASH

    @staticmethod
    def _common(data: Mapping[str, Any], what: str) -> dict[str, Any]:
        root_type = data.get("rootFolderType")
        return {
            "id": _int(_required(data, "id", what)),
            "title": str(data.get("title", "")),
            "created": parse_date(data.get("created")),
            "updated": parse_date(data.get("updated")),
            "created_by": Person.from_wire(data.get("createdBy")),
            "updated_by": Person.from_wire(data.get("updatedBy")),
            "root_folder_id": _optional_int(data.get("rootFolderId")),
            "root_folder_type": (
                None if root_type is None else _enum(FolderType, root_type)
            ),
            "origin_id": _optional_int(data.get("originId")),
            "origin_title": _str(data.get("originTitle")),
            "raw": data,
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class File(Entry):
    """A file (FileDto)."""

    folder_id: int = 0
    version: int = 1
    version_group: int = dataclasses.field(default=1, repr=False)
    #: Bytes (`pureContentLength`, which DocSpace leaves out for empty files).
    size: int = 0
    #: DocSpace's human size, such as "6.41 KB".
    content_length: str = dataclasses.field(default="", repr=False)
    file_type: FileType | int = FileType.UNKNOWN
    #: The extension with its dot, lower case (".docx"); "" when there is none.
    extension: str = ""
    comment: str | None = None
    view_url: str | None = dataclasses.field(default=None, repr=False)
    web_url: str | None = dataclasses.field(default=None, repr=False)
    locked: bool = False

    @classmethod
    def from_wire(cls, data: Any) -> File:
        data = _mapping(data, "file")
        return cls(
            **cls._common(data, "file"),
            folder_id=_int(data.get("folderId")),
            version=_int(data.get("version"), 1),
            version_group=_int(data.get("versionGroup"), 1),
            size=_int(data.get("pureContentLength")),
            content_length=_str(data.get("contentLength")) or "",
            file_type=_enum(FileType, data.get("fileType", 0)),
            extension=_str(data.get("fileExst")) or "",
            comment=_str(data.get("comment")),
            view_url=_str(data.get("viewUrl")),
            web_url=_str(data.get("webUrl")),
            locked=data.get("locked") is True,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Folder(Entry):
    """A folder (FolderDto); the counts are recursive, as DocSpace keeps them."""

    parent_id: int = 0
    files_count: int = 0
    folders_count: int = 0

    is_folder = True

    @classmethod
    def from_wire(cls, data: Any) -> Folder:
        data = _mapping(data, "folder")
        return cls(
            **cls._common(data, "folder"),
            parent_id=_int(data.get("parentId")),
            files_count=_int(data.get("filesCount")),
            folders_count=_int(data.get("foldersCount")),
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class PathPart(_Raw):
    """One step of a listing's breadcrumb."""

    id: int
    title: str
    folder_type: FolderType | int
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> PathPart:
        data = _mapping(data, "path part")
        return cls(
            id=_int(data.get("id")),
            title=str(data.get("title", "")),
            folder_type=_enum(FolderType, data.get("folderType", 0)),
            raw=data,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Listing(_Raw):
    """One page of a folder's contents: folders first, then files."""

    folder: Folder
    folders: list[Folder]
    files: list[File]
    path: list[PathPart]
    start_index: int
    count: int
    #: Every matching entry, on all pages.
    total: int
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> Listing:
        data = _mapping(data, "folder listing")
        files = [File.from_wire(item) for item in data.get("files") or []]
        folders = [Folder.from_wire(item) for item in data.get("folders") or []]
        path = data.get("pathParts")
        return cls(
            folder=Folder.from_wire(_required(data, "current", "folder listing")),
            folders=folders,
            files=files,
            path=[PathPart.from_wire(p) for p in path if isinstance(p, Mapping)]
            if isinstance(path, list)
            else [],
            start_index=_int(data.get("startIndex")),
            count=_int(data.get("count"), len(files) + len(folders)),
            total=_int(_required(data, "total", "folder listing")),
            raw=data,
        )

    @property
    def entries(self) -> list[File | Folder]:
        """This page's folders, then its files."""
        return [*self.folders, *self.files]

    def __iter__(self) -> Iterator[File | Folder]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.folders) + len(self.files)

    @property
    def next_start(self) -> int | None:
        """The start index of the next page; None on the last one."""
        following = self.start_index + len(self)
        return following if len(self) and following < self.total else None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Operation(_Raw):
    """A file operation (move, copy, delete, …) as the server last reported it."""

    id: str
    type: OperationType | int
    progress: int
    finished: bool
    #: "" while nothing went wrong.
    error: str
    processed: int
    status: OperationStatus | int | None
    #: For downloads: where the archive is.
    url: str | None
    files: list[File]
    folders: list[Folder]
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> Operation:
        data = _mapping(data, "file operation")
        status = data.get("status")
        return cls(
            id=str(_required(data, "id", "file operation")),
            type=_enum(OperationType, data.get("Operation", data.get("operation"))),
            progress=_int(data.get("progress")),
            finished=data.get("finished") is True,
            error=_str(data.get("error")) or "",
            processed=_int(data.get("processed")),
            status=None if status is None else _enum(OperationStatus, status),
            url=_str(data.get("url")),
            files=[
                File.from_wire(f)
                for f in data.get("files") or []
                if isinstance(f, Mapping) and "id" in f
            ],
            folders=[
                Folder.from_wire(f)
                for f in data.get("folders") or []
                if isinstance(f, Mapping) and "id" in f
            ],
            raw=data,
        )

    @property
    def failed(self) -> bool:
        return bool(self.error) or self.status == OperationStatus.FAILED


@dataclasses.dataclass(frozen=True, kw_only=True)
class Version(_Raw):
    """One stored version of a file, from its history."""

    file_id: int
    title: str
    version: int
    version_group: int
    size: int
    content_length: str
    comment: str | None
    #: When this version was stored, and by whom.
    modified: datetime | None
    author: Person | None
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> Version:
        file = File.from_wire(data)
        return cls(
            file_id=file.id,
            title=file.title,
            version=file.version,
            version_group=file.version_group,
            size=file.size,
            content_length=file.content_length,
            comment=file.comment,
            modified=file.updated or file.created,
            author=file.updated_by or file.created_by,
            raw=file.raw,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class UploadSession(_Raw):
    """A chunked upload session, as the server created it."""

    id: str
    folder_id: int
    #: Folder ids from the section root down to the target folder.
    path: list[int]
    created: datetime | None
    expired: datetime | None
    location: str | None
    bytes_total: int
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any, folder_id: int) -> UploadSession:
        data = _mapping(data, "upload session")
        # The deprecated create_session endpoint nests the session in "data".
        if "data" in data and isinstance(data["data"], Mapping) and "id" not in data:
            data = data["data"]
        path = data.get("path")
        return cls(
            id=str(_required(data, "id", "upload session")),
            folder_id=folder_id,
            path=[_int(p) for p in path] if isinstance(path, list) else [],
            created=parse_date(data.get("created")),
            expired=parse_date(data.get("expired")),
            location=_str(data.get("location")),
            bytes_total=_int(data.get("bytes_total")),
            raw=data,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Profile(_Raw):
    """The caller's own account (people/@self)."""

    id: str
    display_name: str
    email: str
    first_name: str
    last_name: str
    is_admin: bool
    is_owner: bool
    #: Bytes the user's files take.
    used_space: int
    #: Bytes the user may use; negative when unlimited.
    quota_limit: int
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> Profile:
        data = _mapping(data, "profile")
        return cls(
            id=str(_required(data, "id", "profile")),
            display_name=_str(data.get("displayName")) or "",
            email=_str(data.get("email")) or "",
            first_name=_str(data.get("firstName")) or "",
            last_name=_str(data.get("lastName")) or "",
            is_admin=data.get("isAdmin") is True,
            is_owner=data.get("isOwner") is True,
            used_space=_int(data.get("usedSpace")),
            quota_limit=_int(data.get("quotaLimit"), -1),
            raw=data,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class AuthToken(_Raw):
    """A session token from a password login."""

    token: str = dataclasses.field(repr=False)
    expires: datetime | None
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> AuthToken:
        data = _mapping(data, "login answer")
        token = data.get("token")
        if not isinstance(token, str) or not token:
            if data.get("tfa") is True or data.get("sms") is True:
                raise ProtocolError(
                    "This account needs two-factor authentication, which the "
                    "client does not support; use an API key instead"
                )
            raise ProtocolError("The server's login answer has no token")
        return cls(token=token, expires=parse_date(data.get("expires")), raw=data)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApiKey(_Raw):
    """An API key; `key` holds the secret only in the answer that created it."""

    id: str
    name: str
    key: str = dataclasses.field(repr=False)
    permissions: list[str]
    is_active: bool
    expires_at: datetime | None
    raw: Mapping[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_wire(cls, data: Any) -> ApiKey:
        data = _mapping(data, "API key")
        permissions = data.get("permissions")
        return cls(
            id=str(_required(data, "id", "API key")),
            name=_str(data.get("name")) or "",
            key=_str(data.get("key")) or "",
            permissions=[str(p) for p in permissions]
            if isinstance(permissions, list)
            else [],
            is_active=data.get("isActive") is not False,
            expires_at=parse_date(data.get("expiresAt")),
            raw=data,
        )
