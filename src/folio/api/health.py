"""GET /health: whether the server answers, and in which mode it runs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["routes"]


async def health(request: Request) -> Response:
    emulator = request.app.state.space.settings.emulator
    return JSONResponse(
        {"status": "ok", "mode": "emulator" if emulator else "self-hosted"}
    )


routes = [Route("/health", health, methods=["GET"])]
