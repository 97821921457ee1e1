"""A small HTTP proxy on loopback that can refuse, answer or cut requests.

It stands between a client and the real server to cause what the server will not
do on demand: a 429 with Retry-After, a gateway's 503, a connection dropped in
the middle of a request or an answer. A rule sees each request's head and picks
what happens to it. Every request is forwarded on its own connection (the proxy
asks both sides to close after one exchange), so that cutting one never harms
another.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = [
    "Action",
    "CutRequest",
    "CutResponse",
    "Forward",
    "Head",
    "Proxy",
    "Reply",
    "Rule",
]


@dataclasses.dataclass(frozen=True)
class Head:
    """What a rule sees of a request."""

    method: str
    target: str
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclasses.dataclass(frozen=True)
class Forward:
    """Pass the request to the server and its answer back."""


@dataclasses.dataclass(frozen=True)
class Reply:
    """Answer at once, without the server."""

    status: int
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


@dataclasses.dataclass(frozen=True)
class CutRequest:
    """Pass on the head and `after` bytes of the body, then drop both sides."""

    after: int


@dataclasses.dataclass(frozen=True)
class CutResponse:
    """Pass the request on; return the answer's head and `after` bytes of its body,
    then drop the connection."""

    after: int


Action = Forward | Reply | CutRequest | CutResponse
Rule = Callable[[Head], Action]

_REASONS = {200: "OK", 409: "Conflict", 429: "Too Many Requests", 500: "Error",
            502: "Bad Gateway", 503: "Service Unavailable"}  # fmt: skip


class Proxy:
    """Run with `with Proxy(upstream, rule) as proxy:`; send requests to proxy.url."""

    def __init__(self, upstream: str, rule: Rule | None = None) -> None:
        parts = urlsplit(upstream)
        assert parts.hostname is not None and parts.port is not None
        self._upstream = (parts.hostname, parts.port)
        self.rule: Rule = rule or (lambda head: Forward())
        self.seen: list[Head] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._server: asyncio.Server | None = None
        self.url = ""

    def __enter__(self) -> Proxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[Head]:
        """The requests seen so far, narrowed by method and path prefix."""
        return [
            head
            for head in self.seen
            if (method is None or head.method == method)
            and (path is None or head.path.startswith(path))
        ]

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            port = self._server.sockets[0].getsockname()[1]
            self.url = f"http://127.0.0.1:{port}"

        self._loop.run_until_complete(start())
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        cut = True
        try:
            cut = await self._exchange(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if cut:
                writer.transport.abort()
            else:
                writer.close()
                with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                    await writer.wait_closed()

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Carry out one request; True when the connection is to be dropped."""
        raw_head = await reader.readuntil(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        head = Head(method, target, headers)
        self.seen.append(head)
        length = int(headers.get("content-length", "0"))
        action = self.rule(head)

        if isinstance(action, Reply):
            await reader.readexactly(length)
            reason = _REASONS.get(action.status, "Status")
            extra = "".join(f"{k}: {v}\r\n" for k, v in action.headers.items())
            writer.write(
                f"HTTP/1.1 {action.status} {reason}\r\n{extra}"
                f"Content-Length: {len(action.body)}\r\nConnection: close\r\n\r\n"
                .encode() + action.body
            )  # fmt: skip
            await writer.drain()
            return False

        upstream_reader, upstream_writer = await asyncio.open_connection(
            *self._upstream
        )
        try:
            kept = [
                line
                for line in lines[1:]
                if line and not line.lower().startswith("connection:")
            ]
            upstream_writer.write(
                "\r\n".join([lines[0], *kept, "Connection: close", "", ""]).encode(
                    "latin-1"
                )
            )
            if isinstance(action, CutRequest):
                upstream_writer.write(
                    await reader.readexactly(min(action.after, length))
                )
                await upstream_writer.drain()
                return True
            upstream_writer.write(await reader.readexactly(length))
            await upstream_writer.drain()
            limit = action.after if isinstance(action, CutResponse) else None
            await self._relay_answer(upstream_reader, writer, limit)
            return limit is not None
        finally:
            upstream_writer.transport.abort()

    @staticmethod
    async def _relay_answer(
        upstream: asyncio.StreamReader, writer: asyncio.StreamWriter, limit: int | None
    ) -> None:
        head = await upstream.readuntil(b"\r\n\r\n")
        writer.write(head)
        sent = 0
        while limit is None or sent < limit:
            want = 65536 if limit is None else min(65536, limit - sent)
            data = await upstream.read(want)
            if not data:
                break
            writer.write(data)
            sent += len(data)
            await writer.drain()
        await writer.drain()
