"""Another user's ids answer exactly as ids of nothing, on every endpoint of
folders, Trash, operations, versions and marks; and nothing of theirs changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from space_helpers import (
    Json,
    create_folder,
    listing,
    my_id,
    run_operation,
    titles,
    upload,
)

from helpers import FolioServer

UNKNOWN = 999999999


# Every call here is refused or changes nothing, so one pair of users serves the
# whole module.


@pytest.fixture(scope="module")
def first(server: FolioServer) -> Iterator[httpx.Client]:
    with server.client(server.new_user().key) as http:
        yield http


@pytest.fixture(scope="module")
def second(server: FolioServer) -> Iterator[httpx.Client]:
    with server.client(server.new_user().key) as http:
        yield http


@pytest.fixture(scope="module")
def theirs(first: httpx.Client) -> Json:
    """The first user's things: a folder with a file of two versions, marked as
    favourite and recent, a file in Trash, and a finished download."""
    client = first
    root = my_id(client)
    folder = create_folder(client, root, "Private")
    file = upload(client, folder["id"], "secret.txt", b"v1")
    upload(client, folder["id"], "secret.txt", b"v2")
    trashed = upload(client, root, "trashed.txt", b"t")
    run_operation(client, "DELETE", f"/api/2.0/files/file/{trashed['id']}", {})
    client.post("/api/2.0/files/favorites", json={"fileIds": [file["id"]]})
    client.post(f"/api/2.0/files/file/{file['id']}/recent")
    archive = run_operation(
        client, "PUT", "/api/2.0/files/fileops/bulkdownload", {"fileIds": [file["id"]]}
    )
    return {
        "root": root,
        "folder": folder["id"],
        "file": file["id"],
        "trashed": trashed["id"],
        "archive": archive["id"],
    }


def _snapshot(client: httpx.Client, things: Json) -> Any:
    history = client.get(f"/api/2.0/files/file/{things['file']}/history").json()
    return (
        titles(listing(client, things["root"])),
        titles(listing(client, things["folder"])),
        titles(listing(client, "@trash")),
        [v["version"] for v in history["response"]],
        [f["id"] for f in listing(client, "@favorites")["files"]],
        [f["id"] for f in listing(client, "@recent")["files"]],
        client.get(f"/api/2.0/files/file/{things['file']}").json()["response"]["title"],
    )


# (method, path, keyword arguments); FILE and FOLDER are replaced by the first
# user's ids, or by an id of nothing.
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/2.0/files/folder/FOLDER", {}),
    ("POST", "/api/2.0/files/folder/FOLDER", {"json": {"title": "x"}}),
    ("PUT", "/api/2.0/files/folder/FOLDER", {"json": {"title": "x"}}),
    ("DELETE", "/api/2.0/files/folder/FOLDER", {"json": {"immediately": True}}),
    ("GET", "/api/2.0/files/folder/FOLDER/path", {}),
    ("GET", "/api/2.0/files/folder/FOLDER/log", {}),
    ("PUT", "/api/2.0/files/folder/FOLDER/order", {"json": {"order": 1}}),
    ("GET", "/api/2.0/files/FOLDER", {}),
    ("GET", "/api/2.0/files/FOLDER/subfolders", {}),
    ("GET", "/api/2.0/files/FOLDER/news", {}),
    ("GET", "/api/2.0/files/FOLDER/formfilter", {}),
    ("POST", "/api/2.0/files/FOLDER/upload", {"files": {"file": ("a.txt", b"a")}}),
    ("POST", "/api/2.0/files/FOLDER/file", {"json": {"title": "x.docx"}}),
    ("POST", "/api/2.0/files/FOLDER/text", {"json": {"title": "x", "content": "c"}}),
    ("POST", "/api/2.0/files/FOLDER/html", {"json": {"title": "x", "content": "c"}}),
    (
        "POST",
        "/api/2.0/files/FOLDER/insert",
        {"params": {"title": "x"}, "content": b"x"},
    ),
    (
        "POST",
        "/api/2.0/files/FOLDER/upload/check",
        {"json": {"filesTitle": ["secret.txt"]}},
    ),
    ("PUT", "/api/2.0/files/file/FILE", {"json": {"title": "stolen"}}),
    ("PUT", "/api/2.0/files/file/FILE", {"json": {"lastVersion": 1}}),
    ("GET", "/api/2.0/files/file/FILE/history", {}),
    ("PUT", "/api/2.0/files/file/FILE/history", {"json": {"version": 1}}),
    ("POST", "/api/2.0/files/file/FILE/restoreversion", {"params": {"version": 1}}),
    ("GET", "/api/2.0/files/file/FILE/edit/history", {}),
    (
        "PUT",
        "/api/2.0/files/file/FILE/comment",
        {"json": {"version": 1, "comment": "x"}},
    ),
    ("PUT", "/api/2.0/files/file/FILE/lock", {"json": {"lockFile": True}}),
    ("POST", "/api/2.0/files/file/FILE/recent", {}),
    ("GET", "/api/2.0/files/favorites/FILE", {"params": {"favorite": "false"}}),
    ("PUT", "/api/2.0/files/FILE/order", {"json": {"order": 1}}),
    (
        "PUT",
        "/api/2.0/files/fileops/move",
        {"json": {"fileIds": ["FILE"], "destFolderId": "MINE"}},
    ),
    (
        "PUT",
        "/api/2.0/files/fileops/move",
        {"json": {"folderIds": ["FOLDER"], "destFolderId": "MINE"}},
    ),
    (
        "PUT",
        "/api/2.0/files/fileops/move",
        {"json": {"fileIds": ["OWN"], "destFolderId": "FOLDER"}},
    ),
    (
        "PUT",
        "/api/2.0/files/fileops/copy",
        {"json": {"fileIds": ["FILE"], "destFolderId": "MINE"}},
    ),
    (
        "PUT",
        "/api/2.0/files/fileops/copy",
        {"json": {"fileIds": ["OWN"], "destFolderId": "FOLDER"}},
    ),
    ("PUT", "/api/2.0/files/fileops/duplicate", {"json": {"fileIds": ["FILE"]}}),
    ("PUT", "/api/2.0/files/fileops/duplicate", {"json": {"folderIds": ["FOLDER"]}}),
    ("PUT", "/api/2.0/files/fileops/delete", {"json": {"fileIds": ["FILE"]}}),
    (
        "PUT",
        "/api/2.0/files/fileops/delete",
        {"json": {"folderIds": ["FOLDER"], "immediately": True}},
    ),
    (
        "PUT",
        "/api/2.0/files/fileops/delete",
        {"json": {"fileIds": ["TRASHED"], "immediately": True}},
    ),
    ("PUT", "/api/2.0/files/fileops/bulkdownload", {"json": {"fileIds": ["FILE"]}}),
    ("PUT", "/api/2.0/files/fileops/bulkdownload", {"json": {"folderIds": ["FOLDER"]}}),
    (
        "PUT",
        "/api/2.0/files/fileops/deleteversion",
        {"json": {"fileId": "FILE", "versions": [1]}},
    ),
    (
        "GET",
        "/api/2.0/files/fileops/move",
        {"params": {"destFolderId": "FOLDER", "fileIds": "OWN"}},
    ),
    (
        "GET",
        "/api/2.0/files/fileops/move",
        {"params": {"destFolderId": "MINE", "fileIds": "FILE"}},
    ),
    (
        "GET",
        "/api/2.0/files/fileops/checkdestfolder",
        {"params": {"destFolderId": "FOLDER", "fileIds": "OWN"}},
    ),
    (
        "GET",
        "/api/2.0/files/fileops/checkdestfolder",
        {"params": {"destFolderId": "MINE", "fileIds": "FILE"}},
    ),
    ("DELETE", "/api/2.0/files/file/FILE", {"json": {"immediately": True}}),
    (
        "GET",
        "/filehandler.ashx",
        {"params": {"action": "download", "fileid": "FILE", "version": 1}},
    ),
]


def _resolve(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str):
        for name, replacement in names.items():
            if value == name:
                return replacement
            value = value.replace(name, str(replacement))
        return value
    if isinstance(value, list):
        return [_resolve(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, names) for key, item in value.items()}
    return value


def _outcome(answer: httpx.Response) -> Any:
    """What a caller learns from an answer: status, error message, and payload."""
    try:
        body = answer.json()
    except ValueError:
        return answer.status_code, answer.content
    if "error" in body:
        return answer.status_code, body["error"]["message"]
    payload = body.get("response")
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        # Operations differ by id only; their other fields must not.
        payload = [{k: v for k, v in item.items() if k != "id"} for item in payload]
    return answer.status_code, payload


@pytest.mark.parametrize(("method", "path", "kwargs"), CALLS)
def test_another_users_ids_answer_as_ids_of_nothing(
    first: httpx.Client,
    second: httpx.Client,
    theirs: Json,
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    client, other_client = first, second
    before = _snapshot(client, theirs)
    mine = my_id(other_client)
    own = upload(other_client, mine, "own.txt", b"own")["id"]
    foreign = {
        "FOLDER": theirs["folder"],
        "FILE": theirs["file"],
        "TRASHED": theirs["trashed"],
        "MINE": mine,
        "OWN": own,
    }
    nothing = {**foreign, "FOLDER": UNKNOWN, "FILE": UNKNOWN, "TRASHED": UNKNOWN}

    with_foreign = other_client.request(
        method, _resolve(path, foreign), **_resolve(kwargs, foreign)
    )
    with_nothing = other_client.request(
        method, _resolve(path, nothing), **_resolve(kwargs, nothing)
    )
    assert with_foreign.status_code != 500
    assert _outcome(with_foreign) == _outcome(with_nothing)
    other_client.put("/api/2.0/files/fileops/terminate")
    assert _snapshot(client, theirs) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/2.0/files/favorites", {"fileIds": ["FILE"]}),
        ("POST", "/api/2.0/files/favorites", {"folderIds": ["FOLDER"]}),
        ("DELETE", "/api/2.0/files/favorites", {"fileIds": ["FILE"]}),
        ("DELETE", "/api/2.0/files/recent", {"fileIds": ["FILE"]}),
        ("PUT", "/api/2.0/files/fileops/markasread", {"fileIds": ["FILE"]}),
    ],
)
def test_marks_on_another_users_ids_change_nothing_of_theirs(
    first: httpx.Client,
    second: httpx.Client,
    theirs: Json,
    method: str,
    path: str,
    body: Json,
) -> None:
    client, other_client = first, second
    before = _snapshot(client, theirs)
    names = {"FOLDER": theirs["folder"], "FILE": theirs["file"]}
    answer = other_client.request(method, path, json=_resolve(body, names))
    assert answer.status_code in (200, 204)
    assert listing(other_client, "@favorites")["total"] == 0
    assert listing(other_client, "@recent")["total"] == 0
    assert _snapshot(client, theirs) == before


def test_another_users_operations_and_archives_are_invisible(
    first: httpx.Client, second: httpx.Client, theirs: Json
) -> None:
    client, other_client = first, second
    operation = theirs["archive"]
    listed = other_client.get("/api/2.0/files/fileops", params={"id": operation})
    assert listed.json()["response"] == []
    terminated = other_client.put(f"/api/2.0/files/fileops/terminate/{operation}")
    assert operation not in {op["id"] for op in terminated.json()["response"]}
    bulk = {"action": "bulk", "filename": operation}
    assert other_client.get("/filehandler.ashx", params=bulk).status_code == 404
    assert client.get("/filehandler.ashx", params=bulk).status_code == 200
