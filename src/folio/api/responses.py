"""DocSpace's two envelopes: one for successes, another for errors."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from folio.errors import (
    AuthenticationFailed,
    Conflict,
    FolioError,
    Forbidden,
    InvalidRequest,
    NotFound,
    QuotaExceeded,
    TooManyLoginAttempts,
    UnsupportedMediaType,
    ValidationFailed,
)

__all__ = ["JSON_TYPE", "error", "render", "status_of", "success", "validation_error"]

JSON_TYPE = "application/json; charset=utf-8"

# Most specific first: the first class an error is an instance of decides.
_STATUSES: list[tuple[type[FolioError], int]] = [
    (NotFound, 404),
    (InvalidRequest, 400),
    (AuthenticationFailed, 401),
    (Forbidden, 403),
    (QuotaExceeded, 402),
    (UnsupportedMediaType, 415),
    (Conflict, 409),
]

# Diagnostic fields of the error body, as .NET would name the exception.
_TYPES = {
    404: ("ASC.Common.Web.ItemNotFoundException", -2146233088),
    400: ("System.ArgumentException", -2147024809),
    401: ("System.Security.Authentication.AuthenticationException", -2146233087),
    403: ("System.InvalidOperationException", -2146233079),
    402: ("ASC.Core.Tenants.TenantQuotaException", -2146233088),
    415: ("System.NotSupportedException", -2146233067),
    409: ("System.InvalidOperationException", -2146233079),
}


def render(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _links(request: Request) -> list[dict[str, str]]:
    return [{"href": str(request.url), "action": request.method}]


def success(
    request: Request,
    payload: object = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Wrap a payload in DocSpace's success envelope."""
    if payload is None:
        count = 0
    elif isinstance(payload, list):
        count = len(payload)
    else:
        count = 1
    body: dict[str, Any] = {}
    if payload is not None:
        body["response"] = payload
    body.update(count=count, links=_links(request), status=0, statusCode=status)
    return Response(render(body), status, headers=headers, media_type=JSON_TYPE)


def status_of(exc: FolioError) -> int:
    for cls, status in _STATUSES:
        if isinstance(exc, cls):
            return status
    return 400


def error(exc: FolioError) -> Response:
    """DocSpace's error envelope; it writes nulls, unlike the success one."""
    if isinstance(exc, ValidationFailed):
        raise TypeError("Validation errors use validation_error()")
    status = status_of(exc)
    type_name, hresult = _TYPES.get(status, (None, 0))
    with_type = not isinstance(exc, (AuthenticationFailed, TooManyLoginAttempts))
    body = {
        "status": 1,
        "statusCode": status,
        "error": {
            "message": exc.message,
            "type": type_name if with_type else None,
            "stack": None,
            "hresult": hresult if with_type else 0,
        },
    }
    return Response(render(body), status, media_type=JSON_TYPE)


def validation_error(request: Request, errors: dict[str, list[str]]) -> Response:
    """A model-binding failure: a problem object inside the *success* envelope."""
    problem = {
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": errors,
        "traceId": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-00",
    }
    body = {
        "response": problem,
        "count": 1,
        "links": _links(request),
        "status": 1,
        "statusCode": 400,
    }
    return Response(render(body), 400, media_type="application/problem+json")
