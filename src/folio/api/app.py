"""The ASGI application: routes, error mapping, and the lifespan of the services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from folio.api import (
    accounts,
    downloads,
    fileops,
    files,
    folders,
    health,
    metrics,
    new_files,
    operations,
    sections,
    sessions,
    tree,
    usage,
    versions,
)
from folio.api import settings as file_settings
from folio.api.auth import MissingScope, Unauthenticated
from folio.api.middleware import RequestMiddleware
from folio.api.responses import JSON_TYPE, error, render, validation_error
from folio.config import Settings
from folio.errors import AccessDenied, FolioError, ValidationFailed
from folio.services.space import Space

__all__ = ["create_app"]

log = logging.getLogger(__name__)


async def _folio_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FolioError)
    if isinstance(exc, ValidationFailed):
        return validation_error(request, exc.errors)
    return error(exc)


async def _unauthenticated(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Unauthenticated)
    headers = {"WWW-Authenticate": 'Basic realm="Folio"'} if exc.basic else None
    return Response(status_code=401, headers=headers)


async def _missing_scope(request: Request, exc: Exception) -> Response:
    return error(AccessDenied())


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    body = {
        "status": 1,
        "statusCode": exc.status_code,
        "error": {"message": exc.detail, "type": None, "stack": None, "hresult": 0},
    }
    return Response(render(body), exc.status_code, media_type=JSON_TYPE)


async def _client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up mid-request; what was received is already discarded, and
    # nobody is left to read an answer.
    return Response(status_code=400)


async def _server_error(request: Request, exc: Exception) -> Response:
    # Starlette logs the exception with its traceback after this answer is sent.
    body = {
        "status": 1,
        "statusCode": 500,
        "error": {
            "message": "The server could not complete the request",
            "type": None,
            "stack": None,
            "hresult": 0,
        },
    }
    return Response(render(body), 500, media_type=JSON_TYPE)


def create_app(
    settings: Settings | None = None, *, space: Space | None = None
) -> Starlette:
    """Build the application; the services open when it starts and close at its end."""
    settings = settings or Settings.from_env()
    the_space = space or Space.from_settings(settings)
    settings = the_space.settings
    app_metrics = metrics.Metrics()
    the_space.operations.observers.append(app_metrics.observe_operation)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await the_space.open(migrate=settings.migrate)
        # An emulator chooses a portal per request (api/emulator.py) and starts
        # with none of its own.
        if not settings.emulator:
            app.state.portal_id = await the_space.accounts.portal()
        try:
            await the_space.recover()
        except Exception:
            # A store that cannot be reached now must not keep the node down:
            # /health/ready tells, and the periodic jobs tidy up later.
            log.exception("event=startup.recover_failed")
        background = [
            asyncio.create_task(the_space.operations.run_worker()),
            asyncio.create_task(the_space.scheduler.run()),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await the_space.aclose()

    routes = [*health.routes]
    # The request log and metrics are outermost, so that they see every answer.
    middleware = [Middleware(RequestMiddleware, metrics=app_metrics)]
    if settings.emulator:
        from folio.api import emulator
        from folio.api.faults import FaultMiddleware, Faults
        from folio.api.ratelimit import RateLimiter, RateLimitMiddleware

        faults = Faults()
        limiter = RateLimiter(settings) if settings.rate_limit else None
        routes += emulator.routes
        # Outermost first: choose the portal, then act as a faulty proxy would,
        # then limit the rate as DocSpace itself does.
        middleware += [
            Middleware(emulator.PortalMiddleware, portals=the_space.portals),
            Middleware(FaultMiddleware, faults=faults),
        ]
        if limiter is not None:
            middleware.append(Middleware(RateLimitMiddleware, limiter=limiter))

    app = Starlette(
        routes=[
            *routes,
            *accounts.routes,
            # Literal paths (fileops/move, @root, settings, …) before the
            # patterns they would otherwise match ({kind}, {folder_id}).
            *fileops.routes,
            *sections.routes,
            *file_settings.routes,
            *usage.routes,
            *tree.routes,
            *new_files.routes,
            *versions.routes,
            *operations.routes,
            *sessions.routes,
            *files.routes,
            *folders.routes,
            *downloads.routes,
            *metrics.routes,
        ],
        exception_handlers={
            FolioError: _folio_error,
            Unauthenticated: _unauthenticated,
            MissingScope: _missing_scope,
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
            Exception: _server_error,
        },
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.space = the_space
    app.state.portal_id = None
    if settings.emulator:
        app.state.faults = faults
        app.state.rate_limiter = limiter
    app.state.metrics = app_metrics
    return app
