"""The archive of a bulk download, streamed from /filehandler.ashx?action=bulk."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from folio.api.auth import Unauthenticated
from folio.api.context import optional_caller, space
from folio.api.requests import Query
from folio.errors import NotFound
from folio.services.archives import ARCHIVE_TITLE

__all__ = ["bulk_download"]


async def bulk_download(request: Request) -> Response:
    """Stream the zip a finished download operation names; 404 for anything else.

    Like every /filehandler.ashx answer, errors are bare statuses, not JSON.
    """
    who = await optional_caller(request)
    if who is None:
        raise Unauthenticated()
    name = Query(request).get("filename") or ""
    archives = space(request).archives
    try:
        members = await archives.members(who, name)
    except NotFound:
        return Response(status_code=404)
    headers = {
        "Content-Disposition": f'attachment; filename="{ARCHIVE_TITLE}"',
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    return StreamingResponse(
        archives.stream(members), headers=headers, media_type="application/zip"
    )
