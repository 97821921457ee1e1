"""Small steps the folder, Trash, operation and version tests share."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from helpers import wait_for_operation

__all__ = [
    "Json",
    "create_folder",
    "download",
    "listing",
    "my_id",
    "run_operation",
    "stored_state",
    "titles",
    "trash_id",
    "upload",
    "used_space",
]

Json = dict[str, Any]


def my_id(client: httpx.Client) -> int:
    return int(client.get("/api/2.0/files/@my").json()["response"]["current"]["id"])


def trash_id(client: httpx.Client) -> int:
    return int(client.get("/api/2.0/files/@trash").json()["response"]["current"]["id"])


def create_folder(client: httpx.Client, parent: int | str, title: str) -> Json:
    answer = client.post(f"/api/2.0/files/folder/{parent}", json={"title": title})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"])


def upload(
    client: httpx.Client,
    folder: int | str,
    title: str,
    content: bytes,
    **params: Any,
) -> Json:
    answer = client.post(
        f"/api/2.0/files/{folder}/upload",
        files={"file": (title, content)},
        params=params,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"][0])


def listing(client: httpx.Client, folder: int | str, **params: Any) -> Json:
    answer = client.get(f"/api/2.0/files/{folder}", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"])


def titles(content: Json) -> tuple[list[str], list[str]]:
    """(folder titles, file titles) of a listing."""
    return (
        [entry["title"] for entry in content["folders"]],
        [entry["title"] for entry in content["files"]],
    )


def run_operation(
    client: httpx.Client, method: str, path: str, body: Json | None = None
) -> Json:
    """Start an operation and wait until it reports itself finished."""
    answer = client.request(method, path, json=body if body is not None else {})
    assert answer.status_code == 200, answer.text
    started = answer.json()["response"][0]
    return wait_for_operation(client, started["id"])


def download(client: httpx.Client, file_id: int, version: int | None = None) -> bytes:
    params: dict[str, Any] = {"action": "download", "fileid": file_id}
    if version is not None:
        params["version"] = version
    answer = client.get("/filehandler.ashx", params=params)
    assert answer.status_code == 200, answer.status_code
    return answer.content


def used_space(client: httpx.Client) -> int:
    return int(client.get("/api/2.0/people/@self").json()["response"]["usedSpace"])


def stored_state(data_dir: Path, user_id: str) -> tuple[int, set[str], set[str]]:
    """Read the data folder directly: (bytes the user's versions hold on disk, every
    content key referenced by any version, every content key on disk)."""
    objects = data_dir / "content" / "objects"
    on_disk = {path.name for path in objects.glob("*/*")}
    for _ in range(50):
        try:
            with sqlite3.connect(
                f"file:{data_dir / 'folio.db'}?mode=ro", uri=True
            ) as db:
                referenced = {
                    row[0] for row in db.execute("SELECT blob_key FROM file_versions")
                }
                mine = [
                    row[0]
                    for row in db.execute(
                        "SELECT v.blob_key FROM file_versions v JOIN entries e "
                        "ON e.id = v.file_id WHERE e.owner_id = ?",
                        (user_id,),
                    )
                ]
            break
        except sqlite3.OperationalError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the database stayed locked")
    size = sum((objects / key[:2] / key).stat().st_size for key in mine)
    return size, referenced, on_disk
