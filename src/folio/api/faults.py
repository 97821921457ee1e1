"""Fault injection (emulator mode): what a client meets between it and a portal.

Each portal has its own list of faults, set through `PUT /_folio/faults`. A fault
matches requests by path pattern (shell-style, `*` for any text) and optionally by
method, and may expire after a number of matches. Three kinds:

- `latency`: wait `ms` milliseconds before the request reaches the portal;
- `status`: answer `status` instead of the portal, with the body a proxy sends for
  502/503/504 (nginx's HTML page), an empty body with `Retry-After` for 429, and
  DocSpace's error envelope for anything else;
- `drop`: let the portal answer, send its headers and half of its body, then close
  the connection.

Requests to the emulator's own endpoints (`/_folio/…`) are never faulted, so a
test can always clear what it set.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import threading
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.api.context import PORTAL_SCOPE_KEY
from folio.api.responses import render
from folio.errors import InvalidRequest

__all__ = ["Fault", "FaultMiddleware", "Faults", "parse_faults"]

KINDS = ("latency", "status", "drop")

# nginx's own error page, as a proxy in front of DocSpace sends it.
_PROXY_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclasses.dataclass
class Fault:
    kind: str
    path: str = "*"
    method: str | None = None
    ms: int = 0
    status: int = 0
    #: How many more requests this fault applies to; None for all of them.
    times: int | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "path": self.path}
        if self.method is not None:
            found["method"] = self.method
        if self.kind == "latency":
            found["ms"] = self.ms
        if self.kind == "status":
            found["status"] = self.status
        if self.times is not None:
            found["times"] = self.times
        return found


def _int(spec: dict[str, Any], name: str, low: int, high: int) -> int:
    value = spec.get(name)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise InvalidRequest(f"{name} must be a whole number from {low} to {high}")
    return value


def parse_faults(body: object) -> list[Fault]:
    """Read `{"faults": [...]}`; refuse anything unclear, changing nothing."""
    if not isinstance(body, Mapping) or not isinstance(body.get("faults"), list):
        raise InvalidRequest('Send {"faults": [...]}')
    faults = []
    for spec in body["faults"]:
        if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
            raise InvalidRequest(f"Each fault needs a kind: one of {', '.join(KINDS)}")
        path = spec.get("path", "*")
        method = spec.get("method")
        if not isinstance(path, str) or not path.startswith(("/", "*")):
            raise InvalidRequest("path must be a pattern starting with / or *")
        if method is not None and not isinstance(method, str):
            raise InvalidRequest("method must be an HTTP method")
        fault = Fault(
            kind=spec["kind"],
            path=path,
            method=method.upper() if method else None,
        )
        if fault.kind == "latency":
            fault.ms = _int(spec, "ms", 1, 600_000)
        elif fault.kind == "status":
            fault.status = _int(spec, "status", 400, 599)
        if spec.get("times") is not None:
            fault.times = _int(spec, "times", 1, 1_000_000)
        faults.append(fault)
    return faults


class Faults:
    """The faults set for each portal, kept in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_portal: dict[int, list[Fault]] = {}

    def set(self, portal_id: int, faults: list[Fault]) -> None:
        with self._lock:
            if faults:
                self._by_portal[portal_id] = faults
            else:
                self._by_portal.pop(portal_id, None)

    def get(self, portal_id: int) -> list[Fault]:
        with self._lock:
            return list(self._by_portal.get(portal_id, []))

    def clear(self, portal_id: int) -> None:
        self.set(portal_id, [])

    def take(self, portal_id: int, method: str, path: str) -> list[Fault]:
        """The faults that apply to a request, counting it against their `times`."""
        with self._lock:
            faults = self._by_portal.get(portal_id)
            if not faults:
                return []
            taken = []
            for fault in faults:
                if fault.matches(method, path):
                    taken.append(dataclasses.replace(fault))
                    if fault.times is not None:
                        fault.times -= 1
            faults[:] = [f for f in faults if f.times is None or f.times > 0]
            return taken


async def _answer(send: Send, status: int) -> None:
    reason = (
        HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    )
    headers: list[tuple[bytes, bytes]]
    if status in (502, 503, 504):
        body = _PROXY_PAGE.format(code=status, reason=reason).encode()
        headers = [(b"content-type", b"text/html")]
    elif status == 429:
        body = b""
        headers = [(b"retry-after", b"1")]
    else:
        body = render(
            {
                "status": 1,
                "statusCode": status,
                "error": {
                    "message": reason or "Injected fault",
                    "type": None,
                    "stack": None,
                    "hresult": 0,
                },
            }
        )
        headers = [(b"content-type", b"application/json; charset=utf-8")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FaultMiddleware:
    """Applies the faults of the request's portal (emulator mode only)."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        portal_id = scope.get(PORTAL_SCOPE_KEY)
        if (
            scope["type"] != "http"
            or portal_id is None
            or scope["path"].startswith("/_folio/")
        ):
            await self.app(scope, receive, send)
            return
        faults = self.faults.take(portal_id, scope["method"], scope["path"])
        if not faults:
            await self.app(scope, receive, send)
            return
        delay = sum(fault.ms for fault in faults if fault.kind == "latency")
        if delay:
            await asyncio.sleep(delay / 1000)
        for fault in faults:
            if fault.kind == "status":
                await _answer(send, fault.status)
                return
        if any(fault.kind == "drop" for fault in faults):
            await self.app(scope, receive, _Cutter(send))
            return
        await self.app(scope, receive, send)


class _Cutter:
    """Passes on a response's headers and half its body, then nothing more.

    The server sees the application return with the response unfinished, and
    closes the connection: the client gets a body cut short.
    """

    def __init__(self, send: Send) -> None:
        self.send = send
        self.limit: int | None = None
        self.sent = 0
        self.cut = False

    async def __call__(self, message: Message) -> None:
        if self.cut:
            return
        if message["type"] == "http.response.start":
            for name, value in message.get("headers", []):
                if name.lower() == b"content-length":
                    self.limit = int(value) // 2
            await self.send(message)
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        body = message.get("body", b"")
        limit = self.limit if self.limit is not None else len(body) // 2
        part = body[: max(limit - self.sent, 0)]
        if part:
            self.sent += len(part)
            await self.send(
                {"type": "http.response.body", "body": part, "more_body": True}
            )
        if self.sent >= limit or not message.get("more_body", False):
            self.cut = True
