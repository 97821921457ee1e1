"""DocSpace's envelope and transport failures, as the client reads them."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

import httpx

from folio.client._errors import ProtocolError

__all__ = ["describe", "payload", "query"]


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            pairs.extend((name, _query_value(v)) for v in value)
        else:
            pairs.append((name, _query_value(value)))
    return pairs


def describe(error: httpx.TransportError) -> str:
    """One sentence for a transport failure, without httpx's internals."""
    target = ""
    try:
        url = error.request.url
        target = f" {url.scheme}://{url.netloc.decode()}"
    except RuntimeError:
        pass
    if isinstance(error, httpx.ConnectError):
        return f"Could not connect to{target or ' the server'}"
    if isinstance(error, httpx.TimeoutException):
        return f"The server{target} did not answer in time"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"The connection to{target or ' the server'} broke off"
    return f"The connection to{target or ' the server'} failed: {error}"


def payload(response: httpx.Response) -> Any:
    """The `response` of DocSpace's success envelope; None when it has none."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(
            f"The server answered {response.request.method} {response.request.url.path}"
            " with something that is not JSON",
            response=response,
        ) from None
    if not isinstance(body, dict):
        raise ProtocolError("The server's answer is not DocSpace's envelope")
    return body.get("response")
