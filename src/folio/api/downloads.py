"""Downloads through DocSpace's /filehandler.ashx: bytes, never JSON.

Errors here are bare statuses (401, 404) as in DocSpace, since a browser or a
download manager, not an API client, is usually on the other end.
"""

from __future__ import annotations

import re
from email.utils import format_datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from folio.api.archives import bulk_download
from folio.api.auth import Unauthenticated
from folio.api.context import optional_caller, space
from folio.api.requests import Query
from folio.domain.kinds import content_type
from folio.errors import NotFound
from folio.services.documents import Download

__all__ = ["content_disposition", "routes"]

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


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
        if length == 0:
            raise ValueError("empty suffix range")
        return max(size - length, 0), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or start >= end:
        raise ValueError("range outside the content")
    return start, end


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
    return _send(request, found)


def _send(request: Request, found: Download) -> Response:
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
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    redirect = _presigned(request, found, media_type)
    if redirect is not None:
        return redirect
    start, end, status = 0, size, 200
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header and (if_range is None or if_range.strip() == etag):
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
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    blobs = space(request).blobs
    body = blobs.read(version.blob_key, start, end)
    return StreamingResponse(body, status, headers=headers, media_type=media_type)


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
