"""Who is calling: DocSpace's credential carriers and the scopes of API keys."""

from __future__ import annotations

import base64
import binascii
import time

from starlette.requests import Request

from folio.errors import AuthenticationFailed, FolioError
from folio.services.accounts import Caller, hash_secret
from folio.services.space import Space

__all__ = [
    "AUTH_COOKIE",
    "MissingScope",
    "Unauthenticated",
    "authenticate",
    "required_scopes",
]

AUTH_COOKIE = "asc_auth_key"

# Verified Basic credentials, so that a script sending them on every request does not
# pay a password hash each time. Entries live for a minute on this node only.
_BASIC_CACHE: dict[str, tuple[str, float]] = {}
_BASIC_TTL = 60.0


class Unauthenticated(Exception):
    """No valid credentials: DocSpace answers 401 with an empty body."""

    def __init__(self, *, basic: bool = False) -> None:
        super().__init__("authentication required")
        self.basic = basic


class MissingScope(Exception):
    """The API key lacks the route's scope: 403 with an empty body."""


def required_scopes(method: str, path: str) -> tuple[str, ...] | None:
    """The scopes an API key needs for a route (any one will do); None for none."""
    route = path.removeprefix("/api/2.0/").lower()
    reading = method in ("GET", "HEAD")
    if route.startswith("keys/@self") and reading:
        return None
    if route.startswith("files/rooms"):
        area = "rooms"
    elif route.startswith("files"):
        area = "files"
    elif route.startswith("people/@self"):
        area = "accounts.self"
    elif route.startswith("people") or route.startswith("group"):
        area = "accounts"
    else:
        area = None
    if reading:
        granted = ("*:read", "*:write")
        return granted + ((f"{area}:read", f"{area}:write") if area else ())
    return ("*:write",) + ((f"{area}:write",) if area else ())


async def authenticate(request: Request, space: Space, portal_id: int) -> Caller | None:
    """Resolve the request's credentials; None when it carries none that are valid.

    The cookie wins over the header, as in DocSpace. A header starting with "Basic"
    is a password, "Bearer sk-…" an API key, anything else a session token.
    """
    cookie = request.cookies.get(AUTH_COOKIE)
    if cookie:
        return await space.accounts.caller_from_token(portal_id, cookie)
    header = request.headers.get("authorization", "").strip()
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        return await _basic(space, portal_id, value.strip())
    token = value.strip() if scheme.lower() == "bearer" else header
    if token.startswith("sk-"):
        return await space.accounts.caller_from_key(portal_id, token)
    return await space.accounts.caller_from_token(portal_id, token)


async def _basic(space: Space, portal_id: int, encoded: str) -> Caller | None:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated(basic=True) from None
    email, _, password = decoded.partition(":")
    cache_key = hash_secret(f"{portal_id}:{decoded}")
    cached = _BASIC_CACHE.get(cache_key)
    if cached and cached[1] > time.monotonic():
        user = await space.accounts.user(cached[0])
        return Caller(user)
    try:
        user = await space.accounts.check_password(portal_id, email, password)
    except AuthenticationFailed:
        raise Unauthenticated(basic=True) from None
    except FolioError:
        return None
    _BASIC_CACHE[cache_key] = (user.id, time.monotonic() + _BASIC_TTL)
    return Caller(user)
