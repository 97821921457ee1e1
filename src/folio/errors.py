"""The one error tree of Folio.

Every refusal a service makes is one of these. The edges map them once: the API
to an HTTP status and a DocSpace error body, the CLI to a message and an exit code.

    FolioError
    ├── NotFound ─────────── FileNotFound, FolderNotFound, UploadSessionNotFound
    ├── InvalidRequest ───── ValidationFailed
    ├── AuthenticationFailed
    ├── Forbidden ────────── AccessDenied, TooManyLoginAttempts
    ├── QuotaExceeded ────── FileTooLarge
    ├── UnsupportedMediaType
    └── Conflict

Messages are DocSpace's own wherever DocSpace has one, because clients compare them.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AuthenticationFailed",
    "Conflict",
    "FileNotFound",
    "FileTooLarge",
    "FolioError",
    "FolderNotFound",
    "Forbidden",
    "InvalidRequest",
    "NotFound",
    "QuotaExceeded",
    "TooManyLoginAttempts",
    "UnsupportedMediaType",
    "UploadSessionNotFound",
    "ValidationFailed",
]


class FolioError(Exception):
    """A request was refused; nothing was changed."""

    message = "The request could not be completed"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or type(self).message
        super().__init__(self.message)


class NotFound(FolioError):
    """The item does not exist, or it belongs to somebody else."""

    message = "The required item was not found"


class FileNotFound(NotFound):
    """No such file is visible to the caller."""

    message = "The required file was not found"


class FolderNotFound(NotFound):
    """No such folder is visible to the caller."""

    message = "The required folder was not found"


class UploadSessionNotFound(NotFound):
    """The upload session is unknown, finished, aborted or expired."""

    message = "The upload session was not found or has already expired"


class InvalidRequest(FolioError):
    """An argument was missing or out of range."""

    message = "The request is not valid"


class ValidationFailed(InvalidRequest):
    """The request did not bind: fields are listed with what is wrong with them."""

    message = "One or more validation errors occurred."

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__()
        self.errors = errors


class AuthenticationFailed(FolioError):
    """The credentials given are wrong."""

    message = "User authentication failed"


class Forbidden(FolioError):
    """The caller may not do this (an 'invalid operation' in DocSpace terms)."""

    message = "Access denied"


class AccessDenied(Forbidden):
    """A permission check failed."""

    message = "Access denied"


class TooManyLoginAttempts(Forbidden):
    """Too many failed logins came from one client in a short time."""

    message = "Login attempts limit exceeded. Try again later."


class QuotaExceeded(FolioError):
    """The change would take the caller past a size limit or quota."""

    message = "The quota is exceeded"


class FileTooLarge(QuotaExceeded):
    """A single upload is larger than the configured maximum."""

    def __init__(self, limit: int) -> None:
        megabytes = limit // (1024 * 1024)
        super().__init__(f"The maximum file size is exceeded ({megabytes} MB).")
        self.limit = limit


class UnsupportedMediaType(FolioError):
    """The request body is of a type the endpoint does not read."""

    message = "Unsupported media type"


class Conflict(FolioError):
    """The item is in a state that does not allow this change now."""

    message = "The item is in use"
