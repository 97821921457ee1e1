"""The request middleware: a request id, one access line, and the traffic metrics.

It wraps the whole application as plain ASGI, so it sees every answer, streamed
downloads and errors alike, and counts body bytes as they pass without holding
them.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio import logs
from folio.api.metrics import Metrics

__all__ = ["RequestMiddleware"]

access = logging.getLogger("folio.access")

# An id sent by the proxy in front (nginx's $request_id) is kept if it looks sane.
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_HEADER = b"x-request-id"


def _route(scope: Scope) -> str:
    """The matched route's template (bounded label values); "unmatched" if none."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(_HEADER, b"").decode("latin-1")
        request_id = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
        token = logs.request_id.set(request_id)
        started = time.monotonic()
        received = sent = 0
        status = 500

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            nonlocal sent, status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            seconds = time.monotonic() - started
            route = _route(scope)
            method = scope["method"]
            self.metrics.observe_request(route, method, status, seconds, received, sent)
            access.info(
                "event=http.request request_id=%s method=%s path=%s route=%s "
                "status=%d ms=%.1f bytes_in=%d bytes_out=%d client=%s",
                request_id,
                method,
                scope["path"].replace(" ", "%20"),
                route.replace(" ", "%20"),
                status,
                1000 * seconds,
                received,
                sent,
                (scope.get("client") or ("-",))[0],
            )
            logs.request_id.reset(token)
