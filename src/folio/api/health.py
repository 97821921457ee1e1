"""Probes for load balancers and orchestrators: alive, and ready to serve.

Neither needs credentials, and neither says more than which dependency failed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from folio.api.context import space

__all__ = ["routes"]


async def health(request: Request) -> Response:
    """Liveness: the process answers. Restart the node if this fails.

    It also says whether this is a self-hosted server or an emulator.
    """
    emulator = space(request).settings.emulator
    return JSONResponse(
        {"status": "ok", "mode": "emulator" if emulator else "self-hosted"},
        headers={"Cache-Control": "no-store"},
    )


async def ready(request: Request) -> Response:
    """Readiness: the database and the store answer. Send no traffic if not (503)."""
    checks = await space(request).monitoring.readiness()
    healthy = all(state == "ok" for state in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


routes = [
    Route("/health", health, methods=["GET", "HEAD"]),
    Route("/health/ready", ready, methods=["GET", "HEAD"]),
]
