"""DocSpace's wire format: dates, sizes, URLs and the DTOs of entries and people.

This is the only module that knows DTO field names. Null values are left out of
success payloads, as DocSpace does; booleans and counts are always written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from folio.domain.cleanup import AutoCleanup
from folio.domain.entries import ApiKey, Entry, FolderType, Operation, User, Version
from folio.domain.kinds import FileKind, extension_of, kind_of, opens_in_editor
from folio.domain.uploads import Chunk, UploadSession

__all__ = [
    "api_date",
    "autocleanup_dto",
    "content_length",
    "PeopleLookup",
    "edit_history_dto",
    "employee",
    "file_dto",
    "folder_dto",
    "key_dto",
    "operation_dto",
    "session_dto",
    "session_progress_dto",
    "upload_result_dto",
    "used_space_dto",
    "utc_date",
]

Json = dict[str, Any]
PeopleLookup = Callable[[str], User | None]

_UNITS = ("bytes", "KB", "MB", "GB", "TB")

# Trash items show when they will be purged by the user's setting; this by default.
DEFAULT_CLEANUP = AutoCleanup()

_FILE_ACTIONS_OWNED = {
    "Read": True, "Comment": True, "FillForms": False, "Review": True, "Edit": True,
    "Delete": True, "CustomFilter": False, "Rename": True, "ReadHistory": True,
    "Lock": True, "EditHistory": True, "Copy": True, "Move": True, "Duplicate": True,
    "SubmitToFormGallery": False, "Download": True, "Convert": True,
    "CreateRoomFrom": False, "CopyLink": True, "Embed": False, "StartFilling": False,
    "FillingStatus": False, "ResetFilling": False, "StopFilling": False,
    "OpenForm": False, "Vectorization": False, "AskAi": False,
}  # fmt: skip

_FOLDER_ACTIONS_OWNED = {
    "Read": True, "Create": True, "Delete": True, "EditRoom": False, "Rename": True,
    "CopyTo": True, "MoveTo": True, "Copy": True, "Move": True, "Pin": False,
    "Mute": False, "EditAccess": False, "Duplicate": True, "Download": True,
    "CopySharedLink": False, "Reconnect": False, "CreateRoomFrom": False,
    "CopyLink": True, "Embed": False, "ChangeOwner": False, "IndexExport": False,
    "UseChat": False, "UpdateXlsx": False, "AnalyzeResponses": False,
}  # fmt: skip

# In Trash an item can only be deleted for good or moved back out.
_TRASH_ALLOWED = {"Read", "Delete", "Move", "Download", "ReadHistory"}

_SHARE_RIGHTS = ["Editing", "Review", "Comment", "Read", "None"]


def api_date(moment: datetime) -> str:
    """Format DocSpace's ApiDateTime: seven fraction digits and the zone (UTC: Z)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


def utc_date(moment: datetime) -> str:
    """Format a plain UTC DateTime, as DocSpace writes token and session dates."""
    return api_date(moment)


def content_length(size: int) -> str:
    """Format a size as DocSpace's human string: "6.41 KB", "1,024 KB"."""
    power = 0
    while power < 4 and size >= 1024 ** (power + 1):
        power += 1
    value = (Decimal(size) / (1024**power)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {_UNITS[power]}"


def employee(user: User, base: str) -> Json:
    avatar = "/static/images/default_user_photo_size_{}.png"
    return {
        "id": user.id,
        "displayName": user.display_name,
        "avatar": avatar.format("82-82"),
        "avatarOriginal": avatar.format("200-200"),
        "avatarMax": avatar.format("200-200"),
        "avatarMedium": avatar.format("48-48"),
        "avatarSmall": avatar.format("32-32"),
        "profileUrl": f"{base}/accounts/people/filter?search={quote(user.email)}",
        "hasAvatar": False,
        "isAnonim": False,
    }


def _security(entry: Entry, owned: dict[str, bool]) -> dict[str, bool]:
    if entry.root_type is FolderType.TRASH:
        return {action: action in _TRASH_ALLOWED and allowed
                for action, allowed in owned.items()}  # fmt: skip
    return dict(owned)


def _common(
    entry: Entry, base: str, people: PeopleLookup, cleanup: AutoCleanup | None
) -> Json:
    in_trash = entry.root_type is FolderType.TRASH
    dto: Json = {
        "id": entry.id,
        "title": entry.title,
        "access": 0,
        "shared": False,
        "sharedForUser": False,
        "sharedExternal": False,
        "parentShared": False,
        "shortWebUrl": "",
        "created": api_date(entry.created),
        "updated": api_date(max(entry.updated, entry.created)),
        "rootFolderType": int(entry.root_type),
        "rootFolderId": entry.root_id,
        "canShare": not in_trash,
    }
    for field, user_id in (
        ("createdBy", entry.created_by),
        ("updatedBy", entry.updated_by),
    ):
        user = people(user_id)
        if user is not None:
            dto[field] = employee(user, base)
    if in_trash and not entry.is_section_root and entry.trashed_at is not None:
        purge_at = None if cleanup is None else cleanup.purge_at(entry.trashed_at)
        if purge_at is not None:
            dto["autoDelete"] = api_date(purge_at)
    return dto


def _origin(dto: Json, entry: Entry, origin_titles: dict[int, str]) -> None:
    if entry.origin_id and entry.root_type is FolderType.TRASH:
        dto["originId"] = entry.origin_id
        title = origin_titles.get(entry.origin_id)
        if title is not None:
            dto["originTitle"] = title


def _web_url(entry: Entry, base: str, view_url: str) -> str:
    kind = kind_of(entry.title)
    if kind in (FileKind.IMAGE, FileKind.AUDIO, FileKind.VIDEO):
        return f"{base}/media/view/{entry.id}"
    if opens_in_editor(entry.title):
        return f"{base}/doceditor?fileid={entry.id}&version={entry.version}"
    if kind in (FileKind.DOCUMENT, FileKind.SPREADSHEET, FileKind.PRESENTATION):
        return f"{base}/doceditor?fileid={entry.id}&action=view"
    return view_url


def _view_accessibility(title: str) -> dict[str, bool]:
    kind = kind_of(title)
    office = kind in (
        FileKind.DOCUMENT, FileKind.SPREADSHEET, FileKind.PRESENTATION, FileKind.PDF
    )  # fmt: skip
    editable = opens_in_editor(title)
    return {
        "ImageView": kind is FileKind.IMAGE,
        "MediaView": kind in (FileKind.AUDIO, FileKind.VIDEO),
        "WebView": office,
        "WebEdit": editable,
        "WebReview": editable and kind is FileKind.DOCUMENT,
        "WebCustomFilterEditing": False,
        "WebRestrictedEditing": False,
        "WebComment": editable and kind is not FileKind.PDF,
        "CanConvert": office and not editable,
        "MustConvert": office and not editable,
    }


def file_dto(
    entry: Entry,
    base: str,
    people: PeopleLookup,
    *,
    origin_titles: dict[int, str] | None = None,
    favorite: bool = False,
    cleanup: AutoCleanup | None = DEFAULT_CLEANUP,
) -> Json:
    view_url = f"{base}/filehandler.ashx?action=download&fileid={entry.id}"
    dto = _common(entry, base, people, cleanup)
    dto.update(
        {
            "folderId": entry.parent_id,
            "version": entry.version,
            "versionGroup": entry.version_group,
            "contentLength": content_length(entry.size),
            "fileStatus": 0,
            "mute": False,
            "viewUrl": view_url,
            "webUrl": _web_url(entry, base, view_url),
            "fileType": int(kind_of(entry.title)),
            "fileExst": extension_of(entry.title),
            "thumbnailStatus": 3,
            "formFillingStatus": 0,
            "viewAccessibility": _view_accessibility(entry.title),
            "availableShareRights": {
                "ExternalLink": _SHARE_RIGHTS,
                "PrimaryExternalLink": _SHARE_RIGHTS,
            },
            "security": _security(entry, _FILE_ACTIONS_OWNED),
            "fileEntryType": 2,
        }
    )
    if entry.size > 0:
        dto["pureContentLength"] = entry.size
    if entry.comment:
        dto["comment"] = entry.comment
    if entry.locked_by:
        locker = people(entry.locked_by)
        dto["locked"] = True
        dto["lockedBy"] = locker.display_name if locker else ""
    if favorite:
        dto["isFavorite"] = True
    _origin(dto, entry, origin_titles or {})
    return dto


def folder_dto(
    entry: Entry,
    base: str,
    people: PeopleLookup,
    *,
    origin_titles: dict[int, str] | None = None,
    favorite: bool = False,
    cleanup: AutoCleanup | None = DEFAULT_CLEANUP,
) -> Json:
    dto = _common(entry, base, people, cleanup)
    dto.update(
        {
            "parentId": entry.parent_id,
            "filesCount": entry.files_count,
            "foldersCount": entry.folders_count,
            "new": 0,
            "mute": False,
            "pinned": False,
            "private": False,
            "indexing": False,
            "denyDownload": False,
            "isFavorite": favorite,
            "availableShareRights": {"ExternalLink": _SHARE_RIGHTS},
            "security": _security(entry, _FOLDER_ACTIONS_OWNED),
            "fileEntryType": 1,
        }
    )
    _origin(dto, entry, origin_titles or {})
    return dto


def operation_dto(
    operation: Operation,
    *,
    url: str | None = None,
    files: list[Json] | None = None,
    folders: list[Json] | None = None,
) -> Json:
    """FileOperationDto; `files`/`folders` are the resulting entries (never for a
    delete), `url` the archive of a finished download."""
    dto: Json = {
        "id": operation.id,
        "Operation": int(operation.kind),
        "progress": 100 if operation.finished else operation.progress,
        "error": operation.error,
        "processed": str(operation.processed),
        "finished": operation.finished,
        "status": int(operation.status),
    }
    if url is not None:
        dto["url"] = url
    if files:
        dto["files"] = files
    if folders:
        dto["folders"] = folders
    return dto


def edit_history_dto(file: Entry, version: Version, people: PeopleLookup) -> Json:
    """EditHistoryDto: one version as the editors' history shows it."""
    author = people(version.created_by)
    user = {"id": version.created_by, "name": author.display_name if author else ""}
    return {
        "id": file.id,
        # The editors' document key: it changes whenever the content does.
        "key": f"{file.id}-{version.version}-{version.sha256[:20]}",
        "version": version.version,
        "versionGroup": version.version_group,
        "user": user,
        "created": api_date(version.created),
        "changes": [],
    }


def autocleanup_dto(cleanup: AutoCleanup) -> Json:
    return {"isAutoCleanUp": cleanup.enabled, "gap": int(cleanup.gap)}


def used_space_dto(
    my_documents: int, trash: int, rooms: int = 0, archive: int = 0
) -> Json:
    """FilesStatisticsResultDto: every section, with 0 where nothing is stored."""
    return {
        "myDocumentsUsedSpace": {"title": "My documents", "usedSpace": my_documents},
        "trashUsedSpace": {"title": "Trash", "usedSpace": trash},
        "roomsUsedSpace": {"title": "Rooms", "usedSpace": rooms},
        "archiveUsedSpace": {"title": "Archive", "usedSpace": archive},
    }


def key_dto(
    key: ApiKey, owner: User | None, base: str, *, secret: str | None = None
) -> Json:
    dto: Json = {
        "id": key.id,
        "name": key.name,
        "key": secret if secret is not None else f"sk-***{key.postfix}",
        "keyPostfix": key.postfix,
        "permissions": list(key.permissions),
        "createOn": api_date(key.created),
        "isActive": key.is_active,
    }
    if owner is not None:
        dto["createBy"] = employee(owner, base)
    if key.last_used is not None:
        dto["lastUsed"] = api_date(key.last_used)
    if key.expires_at is not None:
        dto["expiresAt"] = api_date(key.expires_at)
    return dto


def self_profile(user: User, base: str) -> Json:
    """EmployeeFullDto of people/@self."""
    dto = employee(user, base)
    dto.update(
        {
            "firstName": user.first_name,
            "lastName": user.last_name,
            "userName": user.email,
            "email": user.email,
            "status": 1,
            "activationStatus": 1,
            "department": "",
            "isAdmin": user.is_admin,
            "isOwner": user.is_owner,
            # DocSpace's user types: 2 room admin, 3 user, 4 guest.
            "isRoomAdmin": user.role == 2,
            "isVisitor": user.role == 4,
            "isCollaborator": user.role == 3,
            "isLDAP": False,
            "isSSO": False,
            "cultureName": "en-US",
            "quotaLimit": user.quota_limit,
            "usedSpace": user.used_space,
            "isCustomQuota": user.quota_limit >= 0,
            "hasPersonalFolder": user.role != 4,
            "registrationDate": api_date(user.created),
            "theme": "System",
            "loginEventId": 0,
            "listAdminModules": [],
        }
    )
    return dto


def session_dto(session: UploadSession, path: list[int], base: str) -> Json:
    """ChunkedUploadSessionResponse: note the snake_case `bytes_total`."""
    return {
        "id": session.id,
        "path": path,
        "created": utc_date(session.created),
        "expired": utc_date(session.expires),
        "location": f"{base}/ChunkedUploader.ashx?uid={session.id}",
        "bytes_total": session.size,
    }


def session_progress_dto(
    session: UploadSession, chunks: list[Chunk], path: list[int], base: str
) -> Json:
    """The session with what has arrived, for clients resuming an upload.

    Folio's addition: DocSpace's session answer plus `bytes_uploaded` (as older
    DocSpace servers sent it), `chunk_size` and `chunks_uploaded`.
    """
    dto = session_dto(session, path, base)
    dto["bytes_uploaded"] = sum(chunk.size for chunk in chunks)
    dto["chunk_size"] = session.chunk_size
    dto["chunks_uploaded"] = [chunk.number for chunk in chunks]
    return dto


def upload_result_dto(
    session: UploadSession, file: Entry | None, file_json: Json | None
) -> Json:
    """UploadSessionResponseDto: the file once complete, a placeholder before."""
    dto: Json = {
        "id": file.id if file is not None else session.file_id or 0,
        "folderId": session.folder_id,
        "version": file.version if file is not None else 0,
        "title": file.title if file is not None else session.title,
        "uploaded": file is not None,
    }
    if file_json is not None:
        dto["file"] = file_json
    return dto
