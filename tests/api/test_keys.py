"""API keys: /api/2.0/keys, their scopes, expiry and revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import docspace_api_sdk as sdk
import httpx
import pytest

from folio.persistence.tables import api_keys
from folio.services.space import Space
from helpers import FolioServer, TestUser

PERMISSIONS = [
    "*",
    "*:read",
    "*:write",
    "accounts:read",
    "accounts:write",
    "accounts.self:read",
    "accounts.self:write",
    "files:read",
    "files:write",
    "rooms:read",
    "rooms:write",
]


def _create(client: httpx.Client, **body: object) -> dict[str, object]:
    answer = client.post("/api/2.0/keys", json={"name": "ci-bot", **body})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"])


def test_create_key_answers_the_full_secret_once(
    client: httpx.Client, user: TestUser
) -> None:
    created = _create(client, permissions=["files:read", "rooms:read"])

    secret = str(created["key"])
    assert secret.startswith("sk-") and len(secret) == 67
    assert int(secret[3:], 16) >= 0 and secret[3:] == secret[3:].lower()
    assert created["keyPostfix"] == secret[-4:]
    assert created["permissions"] == ["files:read", "rooms:read"]
    assert created["isActive"] is True
    assert "expiresAt" not in created
    assert created["createBy"]["id"] == user.user_id  # type: ignore[index]

    listed = client.get("/api/2.0/keys").json()["response"]
    mine = next(key for key in listed if key["id"] == created["id"])
    assert mine["key"] == f"sk-***{secret[-4:]}"


def test_created_key_authenticates_and_reports_itself(
    server: FolioServer, client: httpx.Client
) -> None:
    secret = _create(client)["key"]
    with server.client(str(secret)) as http:
        current = http.get("/api/2.0/keys/@self").json()["response"]
    assert current["name"] == "ci-bot"
    assert current["key"].startswith("sk-***")
    assert current["permissions"] == []
    assert current["isActive"] is True
    assert "lastUsed" in current


def test_key_with_expiry_reports_expires_at(client: httpx.Client) -> None:
    created = _create(client, expiresInDays=7)
    expires = datetime.fromisoformat(str(created["expiresAt"]))
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": ""}, "Name", "The Name field is required."),
        ({"name": "   "}, "Name", "The Name field is required."),
        ({"name": "x" * 31}, "Name", "Incorrect name. Length must be less than 30"),
    ],
)
def test_create_key_with_bad_name_answers_validation_error(
    client: httpx.Client, body: dict[str, str], field: str, message: str
) -> None:
    answer = client.post("/api/2.0/keys", json=body)
    assert answer.status_code == 400
    assert answer.json()["response"]["errors"][field] == [message]
    assert answer.json()["status"] == 1


def test_create_key_without_name_answers_validation_error(
    client: httpx.Client,
) -> None:
    answer = client.post("/api/2.0/keys", json={"permissions": ["files:read"]})
    assert answer.status_code == 400
    assert "missing required properties including: 'name'" in str(
        answer.json()["response"]["errors"]["$"]
    )


@pytest.mark.parametrize("permissions", [[], ["files:everything"], "files:read"])
def test_create_key_with_invalid_permissions_answers_400(
    client: httpx.Client, permissions: object
) -> None:
    answer = client.post(
        "/api/2.0/keys", json={"name": "x", "permissions": permissions}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Permissions are not valid."


def test_permissions_are_listed_in_docspace_order(client: httpx.Client) -> None:
    answer = client.get("/api/2.0/keys/permissions").json()
    assert answer["response"] == PERMISSIONS
    assert answer["count"] == 11


def test_files_read_key_reads_files_but_cannot_write_or_see_profile(
    server: FolioServer, client: httpx.Client
) -> None:
    secret = str(_create(client, permissions=["files:read"])["key"])
    with server.client(secret) as http:
        assert http.get("/api/2.0/files/@my").status_code == 200

        for answer in (
            http.post("/api/2.0/files/@my/file", json={"title": "x"}),
            http.get("/api/2.0/people/@self"),
            http.post("/api/2.0/keys", json={"name": "escalate"}),
        ):
            assert answer.status_code == 403
            assert answer.json()["error"]["message"] == "Access denied"
    titles = [
        f["title"] for f in client.get("/api/2.0/files/@my").json()["response"]["files"]
    ]
    assert titles == []


def test_files_write_key_can_create_files(
    server: FolioServer, client: httpx.Client
) -> None:
    secret = str(_create(client, permissions=["files:write"])["key"])
    with server.client(secret) as http:
        answer = http.post("/api/2.0/files/@my/file", json={"title": "x"})
    assert answer.status_code == 200


def test_deactivated_key_stops_working_and_can_come_back(
    server: FolioServer, client: httpx.Client
) -> None:
    created = _create(client)
    with server.client(str(created["key"])) as http:
        off = client.put(f"/api/2.0/keys/{created['id']}", json={"isActive": False})
        assert off.json()["response"] is True
        assert http.get("/api/2.0/files/@my").status_code == 401

        listed = client.get("/api/2.0/keys").json()["response"]
        assert next(k for k in listed if k["id"] == created["id"])["isActive"] is False

        client.put(f"/api/2.0/keys/{created['id']}", json={"isActive": True})
        assert http.get("/api/2.0/files/@my").status_code == 200


def test_update_key_renames_and_rescopes(client: httpx.Client) -> None:
    created = _create(client)
    answer = client.put(
        f"/api/2.0/keys/{created['id']}",
        json={"name": "renamed", "permissions": ["files:read"]},
    )
    assert answer.json()["response"] is True
    assert created["id"] in answer.json()["links"][0]["href"]
    listed = client.get("/api/2.0/keys").json()["response"]
    mine = next(k for k in listed if k["id"] == created["id"])
    assert (mine["name"], mine["permissions"]) == ("renamed", ["files:read"])


def test_deleted_key_stops_working(server: FolioServer, client: httpx.Client) -> None:
    created = _create(client)
    answer = client.delete(f"/api/2.0/keys/{created['id']}")
    assert answer.json()["response"] is True
    with server.client(str(created["key"])) as http:
        assert http.get("/api/2.0/files/@my").status_code == 401


def test_another_users_key_cannot_be_changed_or_deleted(
    client: httpx.Client, other_client: httpx.Client
) -> None:
    created = _create(client)
    path = f"/api/2.0/keys/{created['id']}"
    assert other_client.put(path, json={"isActive": False}).json()["response"] is False
    assert other_client.delete(path).json()["response"] is False
    ids = [k["id"] for k in other_client.get("/api/2.0/keys").json()["response"]]
    assert created["id"] not in ids
    assert client.get("/api/2.0/keys").json()["count"] >= 2


def test_admin_lists_every_key_of_the_portal(
    server: FolioServer, client: httpx.Client, user: TestUser
) -> None:
    admin = server.new_user(admin=True)
    with server.client(admin.key) as http:
        listed = http.get("/api/2.0/keys").json()["response"]
    owners = {key["createBy"]["id"] for key in listed}
    assert {user.user_id, admin.user_id} <= owners


def test_expired_key_answers_401(server: FolioServer, client: httpx.Client) -> None:
    created = _create(client, expiresInDays=1)

    async def expire(space: Space) -> None:
        async with space.db.write() as connection:
            await connection.execute(
                api_keys.update()
                .where(api_keys.c.id == created["id"])
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )

    server.run(expire)
    with server.client(str(created["key"])) as http:
        assert http.get("/api/2.0/files/@my").status_code == 401


def test_keys_through_the_sdk(sdk_client: sdk.ApiClient) -> None:
    keys = sdk.ApiKeysApi(sdk_client)
    created = keys.create_api_key(
        sdk.CreateApiKeyRequestDto(
            name="sdk-key", permissions=["files:read"], expires_in_days=3
        )
    )
    assert created.response.key.startswith("sk-")
    assert created.response.expires_at is not None
    assert any(k.id == created.response.id for k in keys.get_api_keys().response)
    assert keys.get_api_key().response.is_active is True
    assert "files:write" in keys.get_all_permissions().response
    key_id = created.response.id
    assert keys.update_api_key(key_id, sdk.UpdateApiKeyRequest(name="n")).response
    assert keys.delete_api_key(key_id).response is True
