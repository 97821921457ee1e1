"""Small steps the folder, Trash, operation and version tests share."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from folio.persistence.tables import entries, file_versions
from folio.services.space import Space
from helpers import FolioServer, wait_for_operation

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


def stored_state(server: FolioServer, user_id: str) -> tuple[int, set[str], set[str]]:
    """Read the server's own database and store (on either deployment): the bytes
    the user's versions hold in storage, every content key some version refers to,
    and every content key in storage."""

    async def read(space: Space) -> tuple[int, set[str], set[str]]:
        async with space.db.read() as connection:
            referenced = {
                row.blob_key
                for row in await connection.execute(sa.select(file_versions.c.blob_key))
            }
            mine = [
                row.blob_key
                for row in await connection.execute(
                    sa.select(file_versions.c.blob_key)
                    .join(entries, entries.c.id == file_versions.c.file_id)
                    .where(entries.c.owner_id == user_id)
                )
            ]
        stored = {key async for key in space.blobs.keys()}
        size = 0
        for key in mine:
            async for piece in space.blobs.read(key):
                size += len(piece)
        return size, referenced, stored

    return server.run(read)
