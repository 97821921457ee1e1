"""A Python client for Folio and any DocSpace-compatible server.

`Folio` blocks, `AsyncFolio` is awaited; both share one implementation. Neither
depends on anything else in Folio, so the client works against a DocSpace
portal just as well.
"""

from __future__ import annotations

from folio.client._client import AsyncFolio, Folio
from folio.client._errors import (
    AmbiguousName,
    APIError,
    AuthenticationError,
    BadRequest,
    ClientError,
    Conflict,
    DownloadInterrupted,
    NotFound,
    OperationFailed,
    OperationTimeout,
    PermissionDenied,
    ProtocolError,
    QuotaExceeded,
    RateLimited,
    ServerError,
    TransferInterrupted,
    TransportError,
    UploadInterrupted,
)
from folio.client._models import (
    ApiKey,
    AuthToken,
    Entry,
    File,
    FileType,
    Folder,
    FolderType,
    Listing,
    Operation,
    OperationStatus,
    OperationType,
    PathPart,
    Person,
    Profile,
    UploadSession,
    Version,
)
from folio.client._retry import Retry
from folio.client._transfer import (
    DEFAULT_CHUNK_SIZE,
    Checkpoint,
    DownloadState,
    Progress,
    UploadSource,
    UploadState,
)

__all__ = [
    "APIError",
    "AmbiguousName",
    "ApiKey",
    "AsyncFolio",
    "AuthToken",
    "AuthenticationError",
    "BadRequest",
    "Checkpoint",
    "ClientError",
    "Conflict",
    "DEFAULT_CHUNK_SIZE",
    "DownloadInterrupted",
    "DownloadState",
    "Entry",
    "File",
    "FileType",
    "Folder",
    "FolderType",
    "Folio",
    "Listing",
    "NotFound",
    "Operation",
    "OperationFailed",
    "OperationStatus",
    "OperationTimeout",
    "OperationType",
    "PathPart",
    "PermissionDenied",
    "Person",
    "Profile",
    "Progress",
    "ProtocolError",
    "QuotaExceeded",
    "RateLimited",
    "Retry",
    "ServerError",
    "TransferInterrupted",
    "TransportError",
    "UploadInterrupted",
    "UploadSession",
    "UploadSource",
    "UploadState",
    "Version",
]
