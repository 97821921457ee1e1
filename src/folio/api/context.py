"""What every endpoint needs from a request: the services, the caller, the origin."""

from __future__ import annotations

from starlette.requests import Request

from folio.api.auth import MissingScope, Unauthenticated, authenticate, required_scopes
from folio.api.wire import PeopleLookup
from folio.domain.entries import User
from folio.services.accounts import Caller
from folio.services.space import Space

__all__ = ["base_url", "caller", "optional_caller", "people", "portal_id", "space"]

# Where emulator mode keeps the portal it chose for a request (api/emulator.py).
PORTAL_SCOPE_KEY = "folio.portal_id"


def space(request: Request) -> Space:
    return request.app.state.space  # type: ignore[no-any-return]


def base_url(request: Request) -> str:
    """The origin to build absolute URLs from: configured, or the request's own."""
    configured = space(request).settings.public_url
    if configured:
        return configured.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


def portal_id(request: Request) -> int:
    """The portal a request addresses: the server's one, or (in emulator mode) the
    one chosen for this request by its Host, Origin or credentials."""
    chosen = request.scope.get(PORTAL_SCOPE_KEY)
    if chosen is not None:
        return chosen  # type: ignore[no-any-return]
    return request.app.state.portal_id  # type: ignore[no-any-return]


async def optional_caller(request: Request) -> Caller | None:
    cached = request.scope.get("folio.caller")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = await authenticate(request, space(request), portal_id(request))
    request.scope["folio.caller"] = found
    return found


async def caller(request: Request, *, scoped: bool = True) -> Caller:
    """The authenticated caller; 401 without valid credentials, 403 without scope."""
    found = await optional_caller(request)
    if found is None:
        raise Unauthenticated()
    if scoped and found.scopes is not None and "*" not in found.scopes:
        accepted = required_scopes(request.method, request.url.path)
        if accepted is not None and not set(found.scopes) & set(accepted):
            raise MissingScope()
    return found


def people(caller: Caller) -> PeopleLookup:
    """Look up the users named on entries; in personal documents, the caller."""

    def lookup(user_id: str) -> User | None:
        return caller.user if user_id == caller.user.id else None

    return lookup
