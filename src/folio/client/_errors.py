"""What the client raises. It never answers None for a failure.

    ClientError
    ├── APIError ─────────── the server answered with an error status
    │   ├── BadRequest            400, 415, 422: an argument was refused
    │   ├── AuthenticationError   401: no credentials, or wrong ones
    │   ├── QuotaExceeded         402, 413: a size limit or quota
    │   ├── PermissionDenied      403: not allowed (a key without the scope, too)
    │   ├── NotFound              404: missing, or somebody else's
    │   ├── Conflict              409, 412: the item is in a state that forbids it
    │   ├── RateLimited           429: still refused after the retries
    │   └── ServerError           5xx: the server failed
    ├── TransportError ───── the server could not be reached, or the link broke
    ├── TransferInterrupted ─ an upload or download stopped part way; resumable
    │   ├── UploadInterrupted
    │   └── DownloadInterrupted
    ├── OperationFailed ──── a file operation finished with an error
    ├── OperationTimeout ─── a file operation did not finish in time
    ├── AmbiguousName ────── a path names several items with the same title
    └── ProtocolError ────── the answer is not shaped like DocSpace's

Callers that only care whether something failed catch `ClientError`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from folio.client._models import Operation
    from folio.client._transfer import DownloadState, UploadState

__all__ = [
    "APIError",
    "AmbiguousName",
    "AuthenticationError",
    "BadRequest",
    "ClientError",
    "Conflict",
    "DownloadInterrupted",
    "NotFound",
    "OperationFailed",
    "OperationTimeout",
    "PermissionDenied",
    "ProtocolError",
    "QuotaExceeded",
    "RateLimited",
    "ServerError",
    "TransferInterrupted",
    "TransportError",
    "UploadInterrupted",
]


class ClientError(Exception):
    """Something the client was asked to do did not happen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIError(ClientError):
    """The server refused a request; `message` is DocSpace's own text when sent."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request = request
        self.response = response

    @property
    def method(self) -> str | None:
        return self.request.method if self.request is not None else None

    @property
    def url(self) -> str | None:
        return str(self.request.url) if self.request is not None else None

    def __str__(self) -> str:
        if self.request is None or self.status is None:
            return self.message
        return f"{self.message} ({self.status} on {self.method} {self.url})"


class BadRequest(APIError):
    """The server refused an argument; `errors` lists fields when it named them."""

    def __init__(
        self, message: str, *, errors: dict[str, list[str]] | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.errors = errors or {}


class AuthenticationError(APIError):
    """The server did not accept the credentials, or none were sent."""


class QuotaExceeded(APIError):
    """The change would pass a size limit or the caller's quota."""


class PermissionDenied(APIError):
    """The caller may not do this."""


class NotFound(APIError):
    """The item does not exist, or belongs to somebody else."""


class Conflict(APIError):
    """The item is in a state that does not allow the change now."""


class RateLimited(APIError):
    """The server kept refusing with 429; `retry_after` is its last advice."""

    def __init__(self, message: str, *, retry_after: float | None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(APIError):
    """The server failed to handle a request (5xx)."""


class TransportError(ClientError):
    """The server could not be reached, or the connection broke, after retries."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class TransferInterrupted(ClientError):
    """A transfer stopped part way; what was sent or received is kept for later."""


class UploadInterrupted(TransferInterrupted):
    """An upload stopped part way; pass `state` back as `upload(..., resume=)`."""

    def __init__(self, message: str, *, state: UploadState) -> None:
        super().__init__(message)
        self.state = state


class DownloadInterrupted(TransferInterrupted):
    """A download stopped part way; downloading again continues from `state`."""

    def __init__(self, message: str, *, state: DownloadState) -> None:
        super().__init__(message)
        self.state = state


class OperationFailed(ClientError):
    """A file operation finished with an error; the operation is attached."""

    def __init__(self, operation: Operation) -> None:
        super().__init__(operation.error or "The operation failed")
        self.operation = operation


class OperationTimeout(ClientError):
    """A file operation did not finish in the time allowed; it may still finish."""

    def __init__(self, operation: Operation, timeout: float) -> None:
        super().__init__(
            f"The operation {operation.id} did not finish within {timeout:g} s"
        )
        self.operation = operation


class AmbiguousName(ClientError):
    """A name matches several items of the same folder; name one by id instead."""

    def __init__(self, message: str, *, ids: list[int]) -> None:
        super().__init__(message)
        self.ids = ids


class ProtocolError(ClientError):
    """The server answered something that is not shaped like DocSpace's API."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


# Most statuses map to one class; anything else 4xx is a plain APIError.
_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: AuthenticationError,
    402: QuotaExceeded,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: Conflict,
    413: QuotaExceeded,
    415: BadRequest,
    422: BadRequest,
    429: RateLimited,
}

# What to say when the server sent no message (empty bodies, HTML from a proxy).
_DEFAULT_MESSAGES = {
    400: "The server refused the request as invalid",
    401: "The server did not accept the credentials",
    402: "A size limit or quota would be exceeded",
    403: "Access denied",
    404: "Not found",
    409: "The item is in use",
    412: "The item changed in the meantime",
    413: "The request is too large for the server",
    415: "The server does not accept this kind of content",
    429: "Too many requests; the server asked to slow down",
}


def retry_after(response: httpx.Response) -> float | None:
    """Read Retry-After as seconds (a number or an HTTP date); None if absent."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    date = response.headers.get("date")
    try:
        now = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        now = None
    if now is None:
        now = datetime.now(moment.tzinfo or UTC)
    return max((moment - now).total_seconds(), 0.0)


def _body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None


def error_from_response(response: httpx.Response) -> APIError:
    """Turn an error answer into the most specific exception, with its message.

    DocSpace sends three shapes: `{"error": {"message": …}}` for refusals raised in
    an action, a validation problem inside the success envelope, and empty bodies
    for authentication, scope and rate-limit refusals.
    """
    status = response.status_code
    body = _body(response)
    message: str | None = None
    errors: dict[str, list[str]] | None = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            message = error["message"]
        problem = body.get("response")
        if isinstance(problem, dict) and isinstance(problem.get("errors"), dict):
            errors = {
                str(field): [str(m) for m in (msgs if isinstance(msgs, list) else [])]
                for field, msgs in problem["errors"].items()
            }
            details = "; ".join(
                " ".join(msgs) for msgs in errors.values() if msgs
            )  # fmt: skip
            message = details or problem.get("title") or message
    if not message:
        message = _DEFAULT_MESSAGES.get(status)
    if not message:
        reason = response.reason_phrase or "error"
        message = f"The server answered {status} {reason}"
    common: dict[str, Any] = {
        "status": status,
        "request": response.request,
        "response": response,
    }
    if status >= 500:
        return ServerError(message, **common)
    cls = _BY_STATUS.get(status, APIError)
    if cls is BadRequest:
        return BadRequest(message, errors=errors, **common)
    if cls is RateLimited:
        return RateLimited(message, retry_after=retry_after(response), **common)
    return cls(message, **common)
