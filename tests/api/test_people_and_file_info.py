"""GET /api/2.0/people/@self and GET /api/2.0/files/file/{id}."""

from __future__ import annotations

import uuid

import docspace_api_sdk as sdk
import httpx

from helpers import TestUser


def test_self_profile_describes_the_caller(
    client: httpx.Client, user: TestUser
) -> None:
    profile = client.get("/api/2.0/people/@self").json()["response"]
    assert profile["id"] == user.user_id
    assert profile["email"] == user.email
    assert profile["displayName"] == "Test User"
    assert profile["theme"] == "System"
    assert profile["hasPersonalFolder"] is True
    assert profile["usedSpace"] == 0
    assert profile["quotaLimit"] == -1


def test_used_space_grows_by_exactly_the_bytes_stored(client: httpx.Client) -> None:
    file = client.post(
        "/api/2.0/files/@my/upload", files={"file": ("a.bin", b"x" * 1234)}
    ).json()["response"][0]
    created = client.post("/api/2.0/files/@my/file", json={"title": "d"}).json()
    profile = client.get("/api/2.0/people/@self").json()["response"]
    assert profile["usedSpace"] == 1234 + created["response"]["pureContentLength"]
    assert file["pureContentLength"] == 1234


def test_self_profile_through_the_sdk(
    sdk_client: sdk.ApiClient, user: TestUser
) -> None:
    profile = sdk.ProfilesApi(sdk_client).get_self_profile()
    assert profile.response.id == uuid.UUID(user.user_id)
    assert profile.response.is_owner is False


def test_file_info_has_every_docspace_field(
    client: httpx.Client, user: TestUser
) -> None:
    created = client.post("/api/2.0/files/@my/file", json={"title": "Plan"}).json()
    file = client.get(f"/api/2.0/files/file/{created['response']['id']}").json()[
        "response"
    ]
    base = str(client.base_url).rstrip("/")
    assert (
        file["viewUrl"]
        == f"{base}/filehandler.ashx?action=download&fileid={file['id']}"
    )
    assert file["webUrl"] == f"{base}/doceditor?fileid={file['id']}&version=1"
    assert (file["fileType"], file["fileExst"], file["fileEntryType"]) == (
        7,
        ".docx",
        2,
    )
    assert file["contentLength"].endswith("KB")
    assert file["createdBy"]["id"] == user.user_id
    assert file["access"] == 0 and file["shared"] is False
    assert file["security"]["Edit"] is True and file["security"]["AskAi"] is False
    assert file["viewAccessibility"]["WebEdit"] is True
    for absent in ("locked", "encrypted", "originId", "autoDelete", "isFavorite"):
        assert absent not in file
    assert file["created"].endswith("Z") and len(file["created"]) == 28


def test_file_info_through_the_sdk(
    sdk_client: sdk.ApiClient, client: httpx.Client
) -> None:
    created = client.post("/api/2.0/files/@my/file", json={"title": "a.xlsx"}).json()
    info = sdk.FilesApi(sdk_client).get_file_info(created["response"]["id"])
    assert info.response.title == "a.xlsx"
    assert info.response.root_folder_type == 5
