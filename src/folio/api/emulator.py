"""Emulator mode's edge: choosing each request's portal, the portal service's
registration, DocSpace's member and portal-removal endpoints, and the emulator's
own controls under /_folio/.

None of these routes exist on a self-hosted server: `create_app` mounts them, and
the middleware, only in emulator mode.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from folio.api.auth import AUTH_COOKIE
from folio.api.context import PORTAL_SCOPE_KEY, base_url, caller, space
from folio.api.faults import Faults, parse_faults
from folio.api.ratelimit import RateLimiter
from folio.api.requests import json_body
from folio.api.responses import JSON_TYPE, render, success
from folio.api.wire import api_date, self_profile
from folio.errors import FolioError, NotFound
from folio.services.accounts import Role
from folio.services.portals import PortalNameRejected, Portals, role_named

__all__ = ["PortalMiddleware", "routes"]

# Paths that answer without a portal.
_PORTAL_FREE = ("/apisystem/", "/health", "/metrics", "/_folio/portals")

# DocSpace's cultures for the short language codes the portal service accepts.
_CULTURES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "ru": "ru-RU"}


def _name_in(host: str, domain: str) -> str:
    """The portal name a host names: "<name>.<domain>", or the bare "<name>"."""
    host = host.strip().lower()
    if host.startswith("["):
        return ""
    host = host.rsplit(":", 1)[0] if ":" in host else host
    suffix = "." + domain.lower()
    return host[: -len(suffix)] if host.endswith(suffix) else host


def _secret(headers: Headers) -> str | None:
    """The API key or session token a request carries, if any."""
    cookie_header = headers.get("cookie")
    if cookie_header:
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:
            cookies = SimpleCookie()
        if AUTH_COOKIE in cookies:
            return cookies[AUTH_COOKIE].value
    header = headers.get("authorization", "").strip()
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        return None
    return value.strip() if scheme.lower() == "bearer" else header


class PortalMiddleware:
    """Chooses the portal of each request.

    In order: the portal its Host header names ("<name>.<domain>" or "<name>"),
    the one an Origin of the form http://<name> names, the one its API key or
    session token belongs to, and, while there is only one portal, that one.
    """

    def __init__(self, app: ASGIApp, portals: Portals) -> None:
        self.app = app
        self.portals = portals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        portal_id = await self._choose(Headers(scope=scope))
        if portal_id is not None:
            scope[PORTAL_SCOPE_KEY] = portal_id
        elif not scope["path"].startswith(_PORTAL_FREE):
            body = render(
                {
                    "status": 1,
                    "statusCode": 404,
                    "error": {
                        "message": "Portal not found",
                        "type": None,
                        "stack": None,
                        "hresult": 0,
                    },
                }
            )
            await Response(body, 404, media_type=JSON_TYPE)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _choose(self, headers: Headers) -> int | None:
        domain = self.portals.settings.emulator_domain
        names = []
        if "host" in headers:
            names.append(_name_in(headers["host"], domain))
        origin = headers.get("origin")
        if origin:
            names.append(_name_in(urlsplit(origin).netloc or origin, domain))
        chosen = await self.portals.resolve(names)
        if chosen is None:
            secret = _secret(headers)
            if secret:
                chosen = await self.portals.portal_of_secret(secret)
        if chosen is None:
            chosen = await self.portals.only()
        return chosen


def _portals(request: Request) -> Portals:
    return space(request).portals


def _faults(request: Request) -> Faults:
    return request.app.state.faults  # type: ignore[no-any-return]


def _limiter(request: Request) -> RateLimiter | None:
    return request.app.state.rate_limiter  # type: ignore[no-any-return]


def _portal_of(request: Request) -> int:
    chosen = request.scope.get(PORTAL_SCOPE_KEY)
    if chosen is None:
        raise NotFound("Portal not found")
    return chosen  # type: ignore[no-any-return]


def _forget(request: Request, portal_id: int) -> None:
    """Drop what the edge keeps in memory for a portal."""
    _faults(request).clear(portal_id)
    limiter = _limiter(request)
    if limiter is not None:
        limiter.forget(portal_id)


# The portal service


def _system_error(code: str, message: str, status: int = 400, **extra: Any) -> Response:
    """The portal service's own error body: {"error": code, "message": text}."""
    return JSONResponse({"error": code, "message": message, **extra}, status)


async def register(request: Request) -> Response:
    """POST /apisystem/portal/register: a new portal with its owner."""
    try:
        body = await json_body(request)
    except FolioError:
        return _system_error("params", "Model is null")
    portals = _portals(request)
    try:
        portal = await portals.register(
            body.get("portalName"),
            email=body.get("email"),
            password=body.get("password"),
            first_name=body.get("firstName"),
            last_name=body.get("lastName"),
        )
    except PortalNameRejected as exc:
        extra = {"variants": exc.variants} if exc.variants else {}
        return _system_error(exc.code, exc.message, **extra)
    except FolioError as exc:
        return _system_error("error", exc.message)
    domain = portals.domain(portal.name)
    port = request.url.port
    origin = f"{request.url.scheme}://{domain}" + (f":{port}" if port else "")
    language = body.get("language") if isinstance(body.get("language"), str) else ""
    tenant = {
        "created": api_date(portal.created),
        "domain": domain,
        "industry": 0,
        "language": _CULTURES.get(language.lower(), language or "en-US"),
        "name": "",
        "ownerId": portal.owner.id,
        "portalName": portal.name,
        "status": "Active",
        "tenantId": portal.id,
        "timeZoneId": "UTC",
        "timeZoneName": "(UTC) Coordinated Universal Time",
        "customQuota": -1,
    }
    return JSONResponse({"reference": f"{origin}/", "tenant": tenant})


async def delete_portal(request: Request) -> Response:
    """DELETE /api/2.0/portal/deleteportalimmediately: the owner removes it."""
    who = await caller(request)
    await _portals(request).delete_as(who)
    _forget(request, who.portal_id)
    return success(request)


# Members


async def _add_member(request: Request, default: Role) -> Response:
    who = await caller(request)
    body = await json_body(request)
    user = await _portals(request).add_member(
        who,
        email=body.get("email"),
        password=body.get("password"),
        first_name=body.get("firstName", ""),
        last_name=body.get("lastName", ""),
        role=role_named(body.get("type"), default),
    )
    return success(request, self_profile(user, base_url(request)))


async def add_member(request: Request) -> Response:
    """POST /api/2.0/people: a member of the type asked for (a user by default)."""
    return await _add_member(request, Role.USER)


async def add_active_member(request: Request) -> Response:
    """POST /api/2.0/people/active: an activated member, as guests are added."""
    return await _add_member(request, Role.USER)


# The emulator's controls


async def list_portals(request: Request) -> Response:
    portals = _portals(request)
    rows = await portals.all()
    return JSONResponse(
        {
            "portals": [
                {"id": row.id, "name": row.name, "domain": portals.domain(row.name)}
                for row in rows
            ]
        }
    )


async def reset(request: Request) -> Response:
    portal_id = _portal_of(request)
    await _portals(request).reset(portal_id)
    _forget(request, portal_id)
    return JSONResponse({"reset": True})


async def _snapshot_name(request: Request) -> object:
    body = await json_body(request, required=False)
    return body.get("name")


async def snapshot(request: Request) -> Response:
    name = await _snapshot_name(request)
    await _portals(request).snapshot(_portal_of(request), name)
    return JSONResponse({"snapshot": str(name).strip()})


async def restore(request: Request) -> Response:
    name = await _snapshot_name(request)
    await _portals(request).restore(_portal_of(request), name)
    return JSONResponse({"restored": str(name).strip()})


async def snapshots(request: Request) -> Response:
    names = await _portals(request).snapshots(_portal_of(request))
    return JSONResponse({"snapshots": names})


async def seed(request: Request) -> Response:
    body = await json_body(request)
    created = await _portals(request).seed(_portal_of(request), body)
    return JSONResponse(created)


async def faults(request: Request) -> Response:
    portal_id = _portal_of(request)
    registry = _faults(request)
    if request.method == "PUT":
        registry.set(portal_id, parse_faults(await json_body(request)))
    elif request.method == "DELETE":
        registry.clear(portal_id)
    return JSONResponse({"faults": [f.as_json() for f in registry.get(portal_id)]})


routes = [
    Route("/apisystem/portal/register", register, methods=["POST"]),
    Route("/api/2.0/portal/deleteportalimmediately", delete_portal, methods=["DELETE"]),
    Route("/api/2.0/people", add_member, methods=["POST"]),
    Route("/api/2.0/people/active", add_active_member, methods=["POST"]),
    Route("/_folio/portals", list_portals, methods=["GET"]),
    Route("/_folio/reset", reset, methods=["POST"]),
    Route("/_folio/snapshot", snapshot, methods=["POST"]),
    Route("/_folio/restore", restore, methods=["POST"]),
    Route("/_folio/snapshots", snapshots, methods=["GET"]),
    Route("/_folio/seed", seed, methods=["POST"]),
    Route("/_folio/faults", faults, methods=["GET", "PUT", "DELETE"]),
]
