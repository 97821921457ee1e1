"""Another user's ids answer exactly as ids that do not exist."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

MISSING = 999999999

Call = Callable[[httpx.Client, int, int], httpx.Response]

CALLS: dict[str, Call] = {
    "file info": lambda c, file, folder: c.get(f"/api/2.0/files/file/{file}"),
    "folder listing": lambda c, file, folder: c.get(f"/api/2.0/files/{folder}"),
    "delete file": lambda c, file, folder: c.request(
        "DELETE", f"/api/2.0/files/file/{file}", json={"immediately": True}
    ),
    "download": lambda c, file, folder: c.get(
        f"/filehandler.ashx?action=download&fileid={file}"
    ),
    "create in folder": lambda c, file, folder: c.post(
        f"/api/2.0/files/{folder}/file", json={"title": "intruder"}
    ),
    "upload to folder": lambda c, file, folder: c.post(
        f"/api/2.0/files/{folder}/upload", files={"file": ("intruder.txt", b"x")}
    ),
    "template": lambda c, file, folder: c.post(
        "/api/2.0/files/@my/file", json={"title": "t", "templateId": file}
    ),
}


def _shape(answer: httpx.Response) -> tuple[int, object]:
    if not answer.content:
        return answer.status_code, None
    body = answer.json()
    return answer.status_code, body.get("error", {}).get("message")


@pytest.mark.parametrize("name", CALLS)
def test_other_users_ids_answer_as_missing_ids(
    client: httpx.Client, other_client: httpx.Client, name: str
) -> None:
    theirs = other_client.post(
        "/api/2.0/files/@my/upload", files={"file": ("secret.txt", b"secret")}
    ).json()["response"][0]
    their_folder = theirs["folderId"]
    call = CALLS[name]

    intruding = call(client, theirs["id"], their_folder)
    missing = call(client, MISSING, MISSING)

    assert intruding.status_code in (403, 404)
    assert _shape(intruding) == _shape(missing)
    assert b"secret" not in intruding.content

    # Nothing of theirs changed.
    mine = other_client.get("/api/2.0/files/@my").json()["response"]
    assert [f["title"] for f in mine["files"]] == ["secret.txt"]
    assert other_client.get(theirs["viewUrl"]).content == b"secret"
    assert other_client.get("/api/2.0/files/@trash").json()["response"]["total"] == 0


def test_other_users_trash_is_not_theirs_to_list(
    client: httpx.Client, other_client: httpx.Client
) -> None:
    their_trash = other_client.get("/api/2.0/files/@trash").json()["response"]
    answer = client.get(f"/api/2.0/files/{their_trash['current']['id']}")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "The required folder was not found"


def test_each_user_lists_only_their_own_documents(
    client: httpx.Client, other_client: httpx.Client
) -> None:
    client.post("/api/2.0/files/@my/file", json={"title": "mine"})
    other_client.post("/api/2.0/files/@my/file", json={"title": "theirs"})
    mine = client.get("/api/2.0/files/@my").json()["response"]
    theirs = other_client.get("/api/2.0/files/@my").json()["response"]
    assert [f["title"] for f in mine["files"]] == ["mine.docx"]
    assert [f["title"] for f in theirs["files"]] == ["theirs.docx"]
    assert mine["current"]["id"] != theirs["current"]["id"]
