"""Authentication, API keys and the caller's own profile."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.auth import AUTH_COOKIE
from folio.api.context import base_url, caller, optional_caller, portal_id, space
from folio.api.requests import json_body
from folio.api.responses import success
from folio.api.wire import key_dto, self_profile, utc_date
from folio.errors import AuthenticationFailed, FolioError, ValidationFailed

__all__ = ["routes"]

# What a session login answers for `expires`: DateTime.MinValue.
_SESSION_EXPIRES = "0001-01-01T00:00:00"


async def login(request: Request) -> Response:
    try:
        body = await json_body(request, required=False)
    except FolioError:
        raise AuthenticationFailed() from None
    email, password = body.get("userName"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email:
        raise AuthenticationFailed()
    client = request.client.host if request.client else "unknown"
    token, expires = await space(request).accounts.login(
        portal_id(request), email, password, client
    )
    session = body.get("session") is True
    payload = {
        "token": token,
        "expires": _SESSION_EXPIRES if session else utc_date(expires),
        "sms": False,
        "tfa": False,
    }
    response = success(request, payload)
    response.set_cookie(
        AUTH_COOKIE,
        token,
        expires=None if session else _cookie_expiry(expires),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def _cookie_expiry(expires: datetime) -> int:
    return max(int(expires.timestamp() - datetime.now(expires.tzinfo).timestamp()), 0)


async def is_authenticated(request: Request) -> Response:
    return success(request, await optional_caller(request) is not None)


async def logout(request: Request) -> Response:
    token = request.cookies.get(AUTH_COOKIE)
    if not token:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else header.strip()
    if token and not token.startswith("sk-") and not token.lower().startswith("basic"):
        await space(request).accounts.logout(token)
    response = success(request)
    response.delete_cookie(AUTH_COOKIE)
    return response


async def create_key(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request)
    if "name" not in body:
        raise ValidationFailed(
            {
                "$": [
                    "JSON deserialization for type 'ApiKeyRequestDto' was missing "
                    "required properties including: 'name'."
                ]
            }  # fmt: skip
        )
    new = await space(request).accounts.create_key(
        who, body.get("name"), body.get("permissions"), body.get("expiresInDays")
    )
    return success(
        request, key_dto(new.key, who.user, base_url(request), secret=new.secret)
    )


async def list_keys(request: Request) -> Response:
    who = await caller(request)
    accounts = space(request).accounts
    keys = await accounts.keys(who, everyone=True)
    base = base_url(request)
    owners = {}
    for key in keys:
        if key.user_id not in owners:
            owners[key.user_id] = await accounts.user(key.user_id)
    return success(request, [key_dto(key, owners[key.user_id], base) for key in keys])


async def current_key(request: Request) -> Response:
    who = await caller(request)
    key = await space(request).accounts.key_of(who)
    return success(request, key_dto(key, who.user, base_url(request)))


async def permissions(request: Request) -> Response:
    await caller(request)
    from folio.services.accounts import PERMISSIONS

    return success(request, list(PERMISSIONS))


async def update_key(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request)
    changed = await space(request).accounts.update_key(
        who,
        request.path_params["key_id"],
        name=body.get("name"),
        permissions=body.get("permissions"),
        is_active=body.get("isActive"),
    )
    return success(request, changed)


async def delete_key(request: Request) -> Response:
    who = await caller(request)
    return success(
        request,
        await space(request).accounts.delete_key(who, request.path_params["key_id"]),
    )


async def self_profile_endpoint(request: Request) -> Response:
    who = await caller(request)
    user = await space(request).accounts.user(who.user.id)
    return success(request, self_profile(user, base_url(request)))


routes = [
    Route("/api/2.0/authentication", login, methods=["POST"]),
    Route("/api/2.0/authentication", is_authenticated, methods=["GET"]),
    Route("/api/2.0/authentication/logout", logout, methods=["POST"]),
    Route("/api/2.0/keys", create_key, methods=["POST"]),
    Route("/api/2.0/keys", list_keys, methods=["GET"]),
    Route("/api/2.0/keys/@self", current_key, methods=["GET"]),
    Route("/api/2.0/keys/permissions", permissions, methods=["GET"]),
    Route("/api/2.0/keys/{key_id}", update_key, methods=["PUT"]),
    Route("/api/2.0/keys/{key_id}", delete_key, methods=["DELETE"]),
    Route("/api/2.0/people/@self", self_profile_endpoint, methods=["GET"]),
]
