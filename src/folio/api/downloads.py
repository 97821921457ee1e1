"""Downloads through DocSpace's /filehandler.ashx: bytes, never JSON.

Errors here are bare statuses (401, 404) as in DocSpace, since a browser or a
download manager, not an API client, is usually on the other end. Beyond
DocSpace, every answer carries the version's SHA-256 as its ETag, so clients can
revalidate (If-None-Match → 304) and resume safely (If-Range).

Content on the local disk is sent by the server with sendfile when it offers
ASGI's zero-copy extensions (`http.response.zerocopysend`, or `pathsend` for a
whole file); otherwise it is read ahead in a worker thread while the previous
piece is on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from folio.api.archives import bulk_download
from folio.api.auth import Unauthenticated
from folio.api.context import optional_caller, space
from folio.api.requests import Query
from folio.domain.kinds import content_type
from folio.errors import NotFound
from folio.services.documents import Download

__all__ = ["LocalFileResponse", "content_disposition", "routes"]

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_READ_SIZE = 4 * 1024 * 1024


def content_disposition(title: str) -> str:
    """`attachment` with the title; RFC 5987's filename* carries non-ASCII names."""
    fallback = "".join(
        c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in title
    )
    value = f'attachment; filename="{fallback}"'
    if fallback != title:
        value += f"; filename*=UTF-8''{quote(title, safe='')}"
    return value


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """Parse one `bytes=a-b` range into [start, end); None when it is not usable.

    Raises ValueError for a range that cannot be satisfied.
    """
    match = _RANGE.match(header)
    if match is None:
        return None  # Multiple or malformed ranges: send the whole content.
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(size - length, 0), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or start >= end:
        raise ValueError("range outside the content")
    return start, end


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


class LocalFileResponse(Response):
    """Bytes start..end of a file on disk, zero-copy where the server can."""

    def __init__(
        self,
        path: Path,
        start: int,
        end: int,
        *,
        status_code: int,
        headers: Mapping[str, str],
        media_type: str,
    ) -> None:
        super().__init__(
            status_code=status_code, headers=headers, media_type=media_type
        )
        self.path = path
        self.start = start
        self.end = end

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extensions = scope.get("extensions") or {}
        try:
            fd = await to_thread.run_sync(os.open, self.path, os.O_RDONLY)
        except FileNotFoundError:
            await Response(status_code=404)(scope, receive, send)
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            count = self.end - self.start
            if "http.response.zerocopysend" in extensions:
                await send(
                    {
                        "type": "http.response.zerocopysend",
                        "file": fd,
                        "offset": self.start,
                        "count": count,
                    }
                )
            elif "http.response.pathsend" in extensions and self.start == 0:
                await send({"type": "http.response.pathsend", "path": str(self.path)})
            else:
                await self._send_read(send, fd)
        finally:
            await to_thread.run_sync(os.close, fd)

    async def _send_read(self, send: Send, fd: int) -> None:
        """Send the range piece by piece, reading the next while one is sent."""

        def read(position: int) -> asyncio.Future[bytes]:
            size = min(_READ_SIZE, self.end - position)
            return asyncio.ensure_future(
                to_thread.run_sync(os.pread, fd, size, position)
            )

        position = self.start
        ahead = read(position) if position < self.end else None
        try:
            while ahead is not None:
                piece = await ahead
                ahead = None
                position += len(piece)
                more = bool(piece) and position < self.end
                if more:
                    ahead = read(position)
                await send(
                    {"type": "http.response.body", "body": piece, "more_body": more}
                )
            if self.start == self.end:
                await send({"type": "http.response.body", "body": b""})
        finally:
            if ahead is not None:
                # The file is closed after this: let the read in flight finish first.
                with contextlib.suppress(Exception):
                    await ahead


async def download(request: Request) -> Response:
    query = Query(request)
    action = (query.get("action") or "").lower()
    if action == "bulk":
        return await bulk_download(request)
    if action not in ("download", "view"):
        return Response(
            status_code=400, content="Unsupported action", media_type="text/html"
        )
    raw_id = query.get("fileid") or ""
    version = query.int("version") if (query.get("version") or "").isdigit() else None
    who = await optional_caller(request)
    if who is None:
        raise Unauthenticated()
    if not raw_id.isdigit() or int(raw_id) >= 2**31:
        return Response(status_code=404)
    try:
        found = await space(request).documents.download(who, int(raw_id), version)
    except NotFound:
        return Response(status_code=404)
    range_header = request.headers.get("range", "")
    if request.method == "GET" and (not range_header or "=0-" in range_header):
        # A download puts the file in Recent, as in DocSpace (not every range).
        await space(request).sections.opened(who, found.file.id)
    return await _send(request, found)


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """RFC 9110's preconditions for GET and HEAD: If-None-Match wins over dates."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return if_none_match.strip() == "*" or etag in _etags(if_none_match)
    since = _http_date(request.headers.get("if-modified-since"))
    return since is not None and modified.replace(microsecond=0) <= since


def _range_applies(request: Request, etag: str, modified: datetime) -> bool:
    """Whether If-Range (when sent) still names this content."""
    if_range = request.headers.get("if-range")
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith('"') or if_range.startswith("W/"):
        return if_range == etag  # A weak tag never matches (strong comparison).
    date = _http_date(if_range)
    return date is not None and modified.replace(microsecond=0) == date


async def _send(request: Request, found: Download) -> Response:
    version = found.version
    size = version.size
    etag = f'"{version.sha256}"'
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(found.file.title),
        "ETag": etag,
        "Last-Modified": format_datetime(version.created, usegmt=True),
        # Content behind credentials must not be kept by shared caches.
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    media_type = content_type(found.file.title)
    blobs = space(request).blobs
    local = blobs.local_path(version.blob_key)
    if local is not None and not local.is_file():
        return Response(status_code=404)
    if _not_modified(request, etag, version.created):
        return Response(status_code=304, headers=headers)
    redirect = _presigned(request, found, media_type)
    if redirect is not None:
        return redirect
    start, end, status = 0, size, 200
    range_header = request.headers.get("range")
    if range_header and _range_applies(request, etag, version.created):
        try:
            window = _byte_range(range_header, size)
        except ValueError:
            headers["Content-Range"] = f"bytes */{size}"
            return Response(status_code=416, headers=headers)
        if window is not None:
            start, end = window
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if local is None:
        # The first piece is read before answering, so that content missing from
        # the store answers 404 rather than a 200 cut short.
        body = blobs.read(version.blob_key, start, end)
        try:
            first = await anext(body, b"")
        except FileNotFoundError:
            return Response(status_code=404)
        if request.method == "HEAD":
            await body.aclose()  # type: ignore[attr-defined]
            return Response(status_code=status, headers=headers, media_type=media_type)
        return StreamingResponse(
            _prefixed(first, body), status, headers=headers, media_type=media_type
        )
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    return LocalFileResponse(
        local,
        start,
        end,
        status_code=status,
        headers=headers,
        media_type=media_type,
    )


async def _prefixed(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for piece in rest:
        yield piece


def _presigned(request: Request, found: Download, media_type: str) -> Response | None:
    """A redirect to the object store itself, where the deployment allows one.

    The client then fetches the bytes (ranges included) from the store, and the
    node carries none of them. The URL lives for `presign_seconds`.
    """
    the_space = space(request)
    if request.method != "GET" or not the_space.settings.presigned_downloads:
        return None
    url = the_space.blobs.download_url(
        found.version.blob_key,
        disposition=content_disposition(found.file.title),
        media_type=media_type,
        seconds=the_space.settings.presign_seconds,
    )
    if url is None:
        return None
    return Response(
        status_code=302, headers={"Location": url, "Cache-Control": "no-store"}
    )


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


routes = [Route("/filehandler.ashx", download, methods=["GET", "HEAD"])]
