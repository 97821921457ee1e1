"""Used space (exact, in the same transaction as every change) and quotas."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import docspace_api_sdk as sdk
import httpx
import pytest
from space_helpers import (
    create_folder,
    listing,
    my_id,
    run_operation,
    stored_state,
    titles,
    upload,
    used_space,
)

import helpers
from helpers import FolioServer

USED = "/api/2.0/files/filesusedspace"


@pytest.fixture
def admin_client(server: FolioServer) -> Iterator[httpx.Client]:
    with server.client(server.new_user(admin=True).key) as http:
        yield http


def _sections(client: httpx.Client) -> dict[str, int]:
    answer = client.get(USED)
    assert answer.status_code == 200, answer.text
    body = answer.json()["response"]
    return {key: value["usedSpace"] for key, value in body.items()}


def test_used_space_sections_are_always_all_there(admin_client: httpx.Client) -> None:
    body = admin_client.get(USED).json()["response"]
    assert {key: value["title"] for key, value in body.items()} == {
        "myDocumentsUsedSpace": "My documents",
        "trashUsedSpace": "Trash",
        "roomsUsedSpace": "Rooms",
        "archiveUsedSpace": "Archive",
    }
    assert all(
        isinstance(v["usedSpace"], int) and v["usedSpace"] >= 0 for v in body.values()
    )


def test_used_space_follows_every_change_exactly(admin_client: httpx.Client) -> None:
    start = _sections(admin_client)
    mine = used_space(admin_client)
    created = []
    for title in ("One.docx", "Two.xlsx", "Three.pptx"):
        file = admin_client.post(
            "/api/2.0/files/@my/file", json={"title": title}
        ).json()["response"]
        created.append(file)
    added = sum(file["pureContentLength"] for file in created)
    after_create = _sections(admin_client)
    assert after_create["myDocumentsUsedSpace"] - start["myDocumentsUsedSpace"] == added
    assert used_space(admin_client) - mine == added

    admin_client.put(
        f"/api/2.0/files/file/{created[0]['id']}", json={"title": "Renamed"}
    )
    admin_client.get(f"/api/2.0/files/file/{created[0]['id']}")
    assert _sections(admin_client) == after_create == _sections(admin_client)

    size = created[1]["pureContentLength"]
    run_operation(admin_client, "DELETE", f"/api/2.0/files/file/{created[1]['id']}", {})
    soft = _sections(admin_client)
    assert after_create["myDocumentsUsedSpace"] - soft["myDocumentsUsedSpace"] == size
    assert soft["trashUsedSpace"] - after_create["trashUsedSpace"] == size
    assert used_space(admin_client) - mine == added

    run_operation(
        admin_client,
        "DELETE",
        f"/api/2.0/files/file/{created[2]['id']}",
        {"immediately": True},
    )
    hard = _sections(admin_client)
    assert (
        soft["myDocumentsUsedSpace"] - hard["myDocumentsUsedSpace"]
        == created[2]["pureContentLength"]
    )
    assert used_space(admin_client) - mine == added - created[2]["pureContentLength"]


def test_used_space_of_the_portal_is_for_admins_only(client: httpx.Client) -> None:
    answer = client.get(USED)
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "Access denied"


def test_old_versions_and_trash_count_in_used_space(
    client: httpx.Client, server: FolioServer, user: helpers.TestUser
) -> None:
    root = my_id(client)
    upload(client, root, "v.txt", b"a" * 10)
    file = upload(client, root, "v.txt", b"b" * 20)
    copy_target = create_folder(client, root, "Copies")
    run_operation(
        client,
        "PUT",
        "/api/2.0/files/fileops/copy",
        {"fileIds": [file["id"]], "destFolderId": copy_target["id"]},
    )
    run_operation(client, "DELETE", f"/api/2.0/files/file/{file['id']}", {})
    assert used_space(client) == 10 + 20 + 20
    size, referenced, on_disk = stored_state(server, user.user_id)
    assert size == used_space(client)


# Quotas


def _set_quota(server: FolioServer, email: str, quota: str) -> None:
    """Set a quota with the command line, as an administrator does."""
    env = server.env  # the server's own settings: its database, on either deployment
    done = subprocess.run(
        [sys.executable, "-m", "folio", "user", "set-quota", email, quota],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert email in done.stdout


def test_quota_refuses_what_would_pass_it_and_keeps_nothing(
    client: httpx.Client, server: FolioServer, user: helpers.TestUser
) -> None:
    root = my_id(client)
    file = upload(client, root, "base.txt", b"x" * 600)
    upload(client, root, "base.txt", b"y" * 300)
    _set_quota(server, user.email, "1000")
    profile = client.get("/api/2.0/people/@self").json()["response"]
    assert (profile["quotaLimit"], profile["usedSpace"], profile["isCustomQuota"]) == (
        1000,
        900,
        True,
    )
    folder = create_folder(client, root, "Folder")
    before = (titles(listing(client, root)), listing(client, folder["id"])["total"])
    refusals = [
        client.post(
            f"/api/2.0/files/{root}/upload", files={"file": ("big.bin", b"z" * 200)}
        ),
        client.post(
            "/api/2.0/files/@my/text", json={"title": "t", "content": "q" * 200}
        ),
        client.post(
            "/api/2.0/files/@my/insert", params={"title": "raw.bin"}, content=b"r" * 200
        ),
        client.put(
            "/api/2.0/files/fileops/copy",
            json={"fileIds": [file["id"]], "destFolderId": folder["id"]},
        ),
        client.put(
            "/api/2.0/files/fileops/duplicate",
            json={"folderIds": [folder["id"]], "fileIds": [file["id"]]},
        ),
        client.put(f"/api/2.0/files/file/{file['id']}", json={"lastVersion": 1}),
        client.post(
            f"/api/2.0/files/file/{file['id']}/restoreversion", params={"version": 1}
        ),
    ]
    for answer in refusals:
        assert answer.status_code == 402, (answer.request.url, answer.text)
        assert answer.json()["statusCode"] == 402
    assert (
        titles(listing(client, root)),
        listing(client, folder["id"])["total"],
    ) == before
    assert used_space(client) == 900
    size, referenced, on_disk = stored_state(server, user.user_id)
    assert size == 900
    assert on_disk <= referenced

    fits = client.post(
        f"/api/2.0/files/{root}/upload", files={"file": ("fits.bin", b"f" * 100)}
    )
    assert fits.status_code == 200
    _set_quota(server, user.email, "unlimited")
    assert client.get("/api/2.0/people/@self").json()["response"]["quotaLimit"] == -1
    assert (
        client.put(
            f"/api/2.0/files/file/{file['id']}", json={"lastVersion": 1}
        ).status_code
        == 200
    )


def test_used_space_through_the_official_sdk(server: FolioServer) -> None:
    admin = server.new_user(admin=True)
    configuration = sdk.Configuration(host=server.url, access_token=admin.key)
    with sdk.ApiClient(
        configuration, header_name="Authorization", header_value=f"Bearer {admin.key}"
    ) as api_client:
        used = sdk.FoldersApi(api_client).get_files_used_space().response
        assert used.my_documents_used_space.title == "My documents"
        assert used.trash_used_space.used_space >= 0
        me = sdk.ProfilesApi(api_client).get_self_profile().response
        assert (me.quota_limit, me.used_space) == (-1, 0)
