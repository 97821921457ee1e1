"""Versions of a file: how they are made, read, restored, grouped, commented and
deleted; renames, locks and the editors' history."""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx
import pytest
from space_helpers import download, listing, run_operation, titles, upload

from helpers import wait_for_operation

UNKNOWN = 999999999


@pytest.fixture
def versioned(client: httpx.Client) -> int:
    """A file with three uploaded versions: b"one", b"two!", b"three"."""
    file = upload(client, "@my", "doc.txt", b"one")
    upload(client, "@my", "doc.txt", b"two!")
    upload(client, "@my", "doc.txt", b"three")
    return int(file["id"])


def _history(client: httpx.Client, file_id: int) -> list[dict[str, object]]:
    answer = client.get(f"/api/2.0/files/file/{file_id}/history")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["response"])


def test_history_of_a_new_file_has_one_version(client: httpx.Client) -> None:
    created = client.post("/api/2.0/files/@my/file", json={"title": "New.docx"}).json()[
        "response"
    ]
    (only,) = _history(client, created["id"])
    assert (only["id"], only["version"], only["versionGroup"]) == (created["id"], 1, 1)
    assert (only["comment"], only["fileStatus"], only["fileExst"]) == (
        "Created",
        0,
        ".docx",
    )
    assert only["viewUrl"] and only["webUrl"]
    assert "locked" not in only and "encrypted" not in only


def test_every_version_downloads_as_written(
    client: httpx.Client, versioned: int
) -> None:
    history = _history(client, versioned)
    assert [(v["version"], v["pureContentLength"]) for v in history] == [
        (3, 5),
        (2, 4),
        (1, 3),
    ]
    assert all(v["comment"] == "Uploaded" for v in history)
    assert [download(client, versioned, n) for n in (1, 2, 3)] == [
        b"one",
        b"two!",
        b"three",
    ]
    assert download(client, versioned) == b"three"
    older = client.get(f"/api/2.0/files/file/{versioned}", params={"version": 1})
    assert older.json()["response"]["pureContentLength"] == 3
    missing = client.get(
        "/filehandler.ashx",
        params={"action": "download", "fileid": versioned, "version": 9},
    )
    assert missing.status_code == 404


def test_last_version_restores_an_old_version_as_a_new_one(
    client: httpx.Client, versioned: int
) -> None:
    answer = client.put(f"/api/2.0/files/file/{versioned}", json={"lastVersion": 1})
    assert answer.status_code == 200
    restored = answer.json()["response"]
    assert (restored["version"], restored["pureContentLength"]) == (4, 3)
    assert restored["comment"].startswith("Restored from the revision of ")
    assert download(client, versioned) == b"one"
    assert download(client, versioned, 3) == b"three"


def test_last_version_above_the_current_copies_the_latest(
    client: httpx.Client,
) -> None:
    file = upload(client, "@my", "bump.txt", b"same")
    for expected in (2, 3):
        bumped = client.put(
            f"/api/2.0/files/file/{file['id']}", json={"lastVersion": expected}
        ).json()["response"]
        assert bumped["version"] == expected
    assert [v["version"] for v in _history(client, file["id"])] == [3, 2, 1]
    assert download(client, file["id"], 2) == b"same"


def test_last_version_equal_to_the_current_is_400(
    client: httpx.Client, versioned: int
) -> None:
    answer = client.put(f"/api/2.0/files/file/{versioned}", json={"lastVersion": 3})
    assert answer.status_code == 400
    assert (
        answer.json()["error"]["message"]
        == "The new version cannot be the same as the current one"
    )
    assert len(_history(client, versioned)) == 3


def test_restoreversion_answers_with_the_longer_edit_history(
    client: httpx.Client, versioned: int
) -> None:
    before = client.get(f"/api/2.0/files/file/{versioned}/edit/history").json()[
        "response"
    ]
    answer = client.post(
        f"/api/2.0/files/file/{versioned}/restoreversion", params={"version": 2}
    )
    assert answer.status_code == 200
    after = answer.json()["response"]
    assert len(after) == len(before) + 1 == 4
    for entry in after:
        assert entry["id"] == versioned
        assert entry["key"]
        assert entry["user"]["id"] and entry["user"]["name"]
        assert entry["created"]
    assert download(client, versioned) == b"two!"
    neither = client.post(f"/api/2.0/files/file/{versioned}/restoreversion")
    assert neither.status_code == 400


def test_edit_history_of_a_new_file_has_one_entry(client: httpx.Client) -> None:
    file = upload(client, "@my", "e.txt", b"e")
    answer = client.get(f"/api/2.0/files/file/{file['id']}/edit/history")
    (entry,) = answer.json()["response"]
    assert answer.json()["count"] == 1
    assert (entry["version"], entry["versionGroup"]) == (1, 1)
    unknown = client.get(f"/api/2.0/files/file/{UNKNOWN}/edit/history")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "The required file was not found"


def test_history_of_an_unknown_file_is_403(client: httpx.Client) -> None:
    assert client.get(f"/api/2.0/files/file/{UNKNOWN}/history").status_code == 403


def test_history_without_credentials_is_403(
    client: httpx.Client, anonymous: httpx.Client
) -> None:
    file = upload(client, "@my", "h.txt", b"h")
    for method, path in [
        ("GET", f"/api/2.0/files/file/{file['id']}/history"),
        ("GET", f"/api/2.0/files/file/{file['id']}/edit/history"),
        ("POST", f"/api/2.0/files/file/{file['id']}/restoreversion?version=1"),
    ]:
        assert anonymous.request(method, path).status_code == 403, path
    for method, path in [
        ("PUT", f"/api/2.0/files/file/{file['id']}/history"),
        ("PUT", f"/api/2.0/files/file/{file['id']}/lock"),
        ("PUT", f"/api/2.0/files/file/{file['id']}"),
    ]:
        assert anonymous.request(method, path, json={}).status_code == 401, path


@pytest.mark.parametrize("continue_version", [False, True])
def test_version_groups_split_and_merge(
    client: httpx.Client, continue_version: bool
) -> None:
    file = upload(client, "@my", "g.txt", b"g")
    client.put(f"/api/2.0/files/file/{file['id']}", json={"lastVersion": 2})
    before = {v["versionGroup"] for v in _history(client, file["id"])}
    answer = client.put(
        f"/api/2.0/files/file/{file['id']}/history",
        json={"version": 2, "continueVersion": continue_version},
    )
    assert answer.status_code == 200
    after = answer.json()["response"]
    assert sorted(v["version"] for v in after) == [1, 2]
    groups = {v["version"]: v["versionGroup"] for v in after}
    if continue_version:
        assert groups[1] == groups[2]
        assert len(set(groups.values())) <= len(before)
    else:
        assert groups[1] != groups[2]
        assert len(set(groups.values())) >= len(before)
    current = client.get(f"/api/2.0/files/file/{file['id']}").json()["response"]
    assert current["versionGroup"] == groups[2]
    unknown = client.put(f"/api/2.0/files/file/{UNKNOWN}/history", json={"version": 1})
    assert unknown.status_code == 404


def test_deleting_old_versions_keeps_the_rest(
    client: httpx.Client, versioned: int
) -> None:
    space_before = client.get("/api/2.0/people/@self").json()["response"]["usedSpace"]
    answer = client.put(
        "/api/2.0/files/fileops/deleteversion",
        json={"fileId": versioned, "versions": [1, 2], "returnSingleOperation": True},
    )
    assert answer.status_code == 200
    started = answer.json()["response"]
    assert isinstance(started, list) and started[0]["Operation"] == 2
    wait_for_operation(client, started[0]["id"])
    assert [v["version"] for v in _history(client, versioned)] == [3]
    assert titles(listing(client, "@my"))[1] == ["doc.txt"]
    space_after = client.get("/api/2.0/people/@self").json()["response"]["usedSpace"]
    assert space_before - space_after == 3 + 4


def test_deleting_the_current_version_is_refused(
    client: httpx.Client, versioned: int
) -> None:
    done = run_operation(
        client,
        "PUT",
        "/api/2.0/files/fileops/deleteversion",
        {"fileId": versioned, "versions": [3]},
    )
    assert done["error"] == "Cannot delete current version of file"
    assert len(_history(client, versioned)) == 3


@pytest.mark.parametrize("versions", [[999], None], ids=["unknown", "null"])
def test_deleting_no_real_version_changes_nothing(
    client: httpx.Client, versions: list[int] | None
) -> None:
    file = upload(client, "@my", "one.txt", b"1")
    done = run_operation(
        client,
        "PUT",
        "/api/2.0/files/fileops/deleteversion",
        {"fileId": file["id"], "versions": versions},
    )
    assert done["finished"] is True
    assert [v["version"] for v in _history(client, file["id"])] == [1]


def test_deleting_versions_of_a_file_in_trash_is_forbidden(
    client: httpx.Client,
) -> None:
    file = upload(client, "@my", "t.txt", b"1")
    upload(client, "@my", "t.txt", b"2")
    run_operation(client, "DELETE", f"/api/2.0/files/file/{file['id']}", {})
    answer = client.put(
        "/api/2.0/files/fileops/deleteversion",
        json={"fileId": file["id"], "versions": [1]},
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("requested", "stored"),
    [
        ("Budget", "Budget.docx"),
        ("Budget.docx", "Budget.docx"),
        ("Budget.txt", "Budget.txt.docx"),
        ("A & B", "A & B.docx"),
        ("A/B", "A_B.docx"),
        ("", "Report.docx"),
        ("   ", "Report.docx"),
    ],
)
def test_rename_keeps_the_extension(
    client: httpx.Client, requested: str, stored: str
) -> None:
    file = client.post("/api/2.0/files/@my/file", json={"title": "Report.docx"}).json()[
        "response"
    ]
    answer = client.put(f"/api/2.0/files/file/{file['id']}", json={"title": requested})
    assert answer.status_code == 200
    renamed = answer.json()["response"]
    assert (
        renamed["id"],
        renamed["title"],
        renamed["fileExst"],
        renamed["version"],
    ) == (
        file["id"],
        stored,
        ".docx",
        1,
    )
    assert titles(listing(client, "@my"))[1] == [stored]


def test_rename_refusals(client: httpx.Client) -> None:
    file = upload(client, "@my", "x.txt", b"x")
    long = client.put(f"/api/2.0/files/file/{file['id']}", json={"title": "a" * 166})
    assert long.status_code == 400
    assert long.json()["response"]["errors"]["File.Title"] == [
        "The field Title must be a string with a maximum length of 165."
    ]
    unknown = client.put(f"/api/2.0/files/file/{UNKNOWN}", json={"title": "y"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "The required file was not found"
    run_operation(client, "DELETE", f"/api/2.0/files/file/{file['id']}", {})
    in_trash = client.put(f"/api/2.0/files/file/{file['id']}", json={"title": "y"})
    assert in_trash.status_code == 403
    assert titles(listing(client, "@trash"))[1] == ["x.txt"]


def test_lock_and_unlock_are_idempotent(client: httpx.Client) -> None:
    file = upload(client, "@my", "l.txt", b"l")
    for _ in range(2):
        locked = client.put(
            f"/api/2.0/files/file/{file['id']}/lock", json={"lockFile": True}
        )
        body = locked.json()["response"]
        assert (body["id"], body["locked"], body["lockedBy"]) == (
            file["id"],
            True,
            "Test User",
        )
    for _ in range(2):
        unlocked = client.put(
            f"/api/2.0/files/file/{file['id']}/lock", json={"lockFile": False}
        ).json()["response"]
        assert not unlocked.get("locked")
        assert "lockedBy" not in unlocked
    assert (
        client.put(
            f"/api/2.0/files/file/{UNKNOWN}/lock", json={"lockFile": True}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "comment",
    ["Looks good", "", None, "Ünïcödé ✓ <b>kept</b>"],
    ids=["plain", "empty", "null", "unicode"],
)
def test_comment_is_stored_and_echoed(
    client: httpx.Client, comment: str | None
) -> None:
    file = upload(client, "@my", "c.txt", b"c")
    answer = client.put(
        f"/api/2.0/files/file/{file['id']}/comment",
        json={"version": 1, "comment": comment},
    )
    assert answer.status_code == 200
    assert answer.json()["response"] == (comment or "")
    (version,) = _history(client, file["id"])
    assert version.get("comment", "") == (comment or "")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"version": 1, "comment": "x" * 2000}, 400),
        ({"version": 999, "comment": "x"}, 400),
        ({"version": 0, "comment": "x"}, 400),
        ({"version": -1, "comment": "x"}, 400),
    ],
    ids=["too-long", "unknown-version", "zero", "negative"],
)
def test_comment_refusals(
    client: httpx.Client, body: dict[str, object], status: int
) -> None:
    file = upload(client, "@my", "c.txt", b"c")
    answer = client.put(f"/api/2.0/files/file/{file['id']}/comment", json=body)
    assert answer.status_code == status
    assert _history(client, file["id"])[0]["comment"] == "Uploaded"
    unknown = client.put(
        f"/api/2.0/files/file/{UNKNOWN}/comment", json={"version": 1, "comment": "x"}
    )
    assert unknown.status_code == 404


def test_versions_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    files = sdk.FilesApi(sdk_client)
    operations = sdk.OperationsApi(sdk_client)
    folders.upload_file_to_my(file=("v.txt", b"one"))
    file_id = folders.get_my_folder_without_preload_content().json()["response"][
        "files"
    ][0]["id"]
    folders.upload_file_to_my(file=("v.txt", b"two"))

    history = files.get_file_version_info(file_id).response
    assert [entry.version for entry in history] == [2, 1]
    updated = files.update_file(
        file_id, sdk.UpdateFile(title="w", last_version=1)
    ).response
    assert (updated.title, updated.version) == ("w.txt", 3)
    restored = files.restore_file_version(file_id, version=2).response
    assert [entry.version for entry in restored] == [1, 2, 3, 4]
    edit = files.get_edit_history(file_id).response
    assert len(edit) == 4
    changed = files.change_version_history(
        file_id, sdk.ChangeHistory(version=2, continue_version=False)
    ).response
    assert len(changed) == 4
    assert (
        operations.update_file_comment(
            file_id, sdk.UpdateComment(version=1, comment="first")
        ).response
        == "first"
    )
    locked = files.lock_file(file_id, sdk.LockFileParameters(lock_file=True)).response
    assert locked.locked is True
    files.lock_file(file_id, sdk.LockFileParameters(lock_file=False))

    # DocSpace answers deleteversion with an array, which SDK 3.7.0 cannot parse
    # (it expects one object): read the reply as JSON.
    raw = operations.delete_file_versions_without_preload_content(
        sdk.DeleteVersionBatchRequestDto(file_id=file_id, versions=[1])
    )
    assert raw.status == 200
    assert raw.json()["response"][0]["Operation"] == 2


def test_refused_version_leaves_the_title_as_it_was(
    client: httpx.Client, versioned: int
) -> None:
    answer = client.put(
        f"/api/2.0/files/file/{versioned}", json={"title": "new name", "lastVersion": 3}
    )
    assert answer.status_code == 400
    assert titles(listing(client, "@my"))[1] == ["doc.txt"]
    both = client.put(
        f"/api/2.0/files/file/{versioned}", json={"title": "new name", "lastVersion": 1}
    ).json()["response"]
    assert (both["title"], both["version"]) == ("new name.txt", 4)
