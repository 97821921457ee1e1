"""A self-hosted server (no --emulator) has none of the emulator's endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from helpers import FolioServer

if TYPE_CHECKING:
    from helpers import TestUser

EMULATOR_ENDPOINTS = [
    ("POST", "/apisystem/portal/register"),
    ("DELETE", "/api/2.0/portal/deleteportalimmediately"),
    ("POST", "/api/2.0/people"),
    ("POST", "/api/2.0/people/active"),
    ("GET", "/_folio/portals"),
    ("POST", "/_folio/reset"),
    ("POST", "/_folio/snapshot"),
    ("POST", "/_folio/restore"),
    ("GET", "/_folio/snapshots"),
    ("POST", "/_folio/seed"),
    ("GET", "/_folio/faults"),
    ("PUT", "/_folio/faults"),
    ("DELETE", "/_folio/faults"),
]


@pytest.mark.parametrize(
    ("method", "path"),
    [pytest.param(m, p, id=f"{m} {p}") for m, p in EMULATOR_ENDPOINTS],
)
def test_self_hosted_server_answers_404_on_emulator_endpoint(
    server: FolioServer, user: TestUser, method: str, path: str
) -> None:
    body = {
        "portalName": "another",
        "firstName": "A",
        "email": "a@example.com",
        "password": "pw",
        "name": "state",
        "faults": [],
    }
    with server.client(server.owner_key) as owner:
        answer = owner.request(method, path, json=body)
        assert answer.status_code == 404
        # Nothing happened: the owner's portal is still there and still alone.
        assert owner.get("/api/2.0/people/@self").status_code == 200


def test_self_hosted_server_ignores_an_origin_naming_another_portal(
    server: FolioServer, user: TestUser
) -> None:
    answer = httpx.get(
        f"{server.url}/api/2.0/people/@self",
        headers={"Authorization": f"Bearer {user.key}", "Origin": "http://elsewhere"},
    )
    assert answer.status_code == 200
    assert answer.json()["response"]["id"] == user.user_id


def test_health_says_self_hosted_mode(server: FolioServer) -> None:
    answer = httpx.get(f"{server.url}/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "mode": "self-hosted"}
