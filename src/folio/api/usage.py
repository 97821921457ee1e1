"""Storage used across the portal, by section (for administrators)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, space
from folio.api.responses import success
from folio.api.wire import used_space_dto

__all__ = ["routes"]


async def files_used_space(request: Request) -> Response:
    """Every section's bytes, summed over the portal's users; 403 for others."""
    who = await caller(request)
    found = await space(request).usage.portal_space(who)
    return success(
        request,
        used_space_dto(found.my_documents, found.trash, found.rooms, found.archive),
    )


routes = [Route("/api/2.0/files/filesusedspace", files_used_space, methods=["GET"])]
