"""Operations under stress: stopped while running, run at once on one file, and
interrupted by a crash of the server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from space_helpers import (
    create_folder,
    download,
    listing,
    my_id,
    stored_state,
    titles,
    upload,
    used_space,
)

import helpers
from helpers import FolioServer, wait_for_operation

OPS = "/api/2.0/files/fileops"


def _many_files(client: httpx.Client, folder: int, count: int) -> list[int]:
    return [
        upload(client, folder, f"f{n:04}.txt", b"%04d" % n * 50)["id"]
        for n in range(count)
    ]


def _seen_running(client: httpx.Client, operation_id: str, timeout: float = 30) -> bool:
    """Wait until the operation has done part of its work, and is not finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for operation in client.get(OPS, params={"id": operation_id}).json()[
            "response"
        ]:
            if operation["finished"]:
                return False
            if operation["status"] == 1 and operation["progress"] > 0:
                return True
        time.sleep(0.01)
    return False


def _check_consistent(client: httpx.Client, server: FolioServer, user_id: str) -> None:
    """Used space is what is stored, and no content is left without an owner."""
    size, referenced, on_disk = stored_state(server, user_id)
    assert used_space(client) == size
    assert on_disk <= referenced


def test_terminating_a_running_copy_stops_it_between_items(
    client: httpx.Client, server: FolioServer, user: helpers.TestUser
) -> None:
    root = my_id(client)
    source = create_folder(client, root, "Source")
    dest = create_folder(client, root, "Dest")
    ids = _many_files(client, source["id"], 150)
    started = client.put(
        f"{OPS}/copy", json={"fileIds": ids, "destFolderId": dest["id"]}
    ).json()["response"][0]
    assert _seen_running(client, started["id"]), "the copy finished before it was seen"

    answer = client.put(f"{OPS}/terminate/{started['id']}")
    assert answer.status_code == 200
    assert isinstance(answer.json()["response"], list)
    assert started["id"] not in {op["id"] for op in answer.json()["response"]}
    assert client.get(OPS, params={"id": started["id"]}).json()["response"] == []

    time.sleep(0.5)
    copies = listing(client, dest["id"], count=100)["total"]
    assert 0 < copies < 150
    # Whatever was copied was copied whole.
    for entry in listing(client, dest["id"], count=100)["files"]:
        number = int(entry["title"][1:5])
        assert download(client, entry["id"]) == b"%04d" % number * 50
    assert client.get(OPS).json()["response"] == []
    _check_consistent(client, server, user.user_id)


def test_operations_on_one_file_at_once_lose_no_update(
    client: httpx.Client, server: FolioServer, user: helpers.TestUser
) -> None:
    root = my_id(client)
    folders = [create_folder(client, root, name)["id"] for name in ("A", "B", "C")]
    file = upload(client, root, "contested.txt", b"original")
    file_id = file["id"]

    def bump() -> httpx.Response:
        return client.put(f"/api/2.0/files/file/{file_id}", json={"lastVersion": 99})

    calls: list[Callable[[], httpx.Response]] = [
        lambda: client.put(
            f"{OPS}/move", json={"fileIds": [file_id], "destFolderId": folders[0]}
        ),
        lambda: client.put(
            f"{OPS}/move", json={"fileIds": [file_id], "destFolderId": folders[1]}
        ),
        lambda: client.put(
            f"{OPS}/copy",
            json={
                "fileIds": [file_id],
                "destFolderId": folders[2],
                "conflictResolveType": "Duplicate",
            },
        ),
        lambda: client.put(f"{OPS}/duplicate", json={"fileIds": [file_id]}),
        lambda: client.put(f"/api/2.0/files/file/{file_id}", json={"title": "renamed"}),
        lambda: client.put(
            f"/api/2.0/files/file/{file_id}/lock", json={"lockFile": False}
        ),
        *[bump] * 6,
    ]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        answers = list(pool.map(lambda call: call(), calls))
    assert all(answer.status_code == 200 for answer in answers), [
        (answer.status_code, answer.text) for answer in answers
    ]
    for answer in answers:
        body = answer.json()["response"]
        if isinstance(body, list):
            done = wait_for_operation(client, body[0]["id"])
            assert done["error"] == ""

    history = client.get(f"/api/2.0/files/file/{file_id}/history").json()["response"]
    assert sorted(v["version"] for v in history) == list(range(1, 8))
    assert {download(client, file_id, n) for n in range(1, 8)} == {b"original"}
    homes = [
        folder
        for folder in folders[:2]
        if "renamed.txt" in titles(listing(client, folder))[1]
    ]
    assert len(homes) == 1
    assert "renamed.txt" not in titles(listing(client, root))[1]
    assert len(listing(client, folders[2])["files"]) == 1
    _check_consistent(client, server, user.user_id)


def test_uploads_of_one_title_at_once_become_versions_of_one_file(
    client: httpx.Client, server: FolioServer, user: helpers.TestUser
) -> None:
    contents = [b"content %02d" % n for n in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(
            pool.map(
                lambda data: client.post(
                    "/api/2.0/files/@my/upload", files={"file": ("same.txt", data)}
                ),
                contents,
            )
        )
    assert all(answer.status_code == 200 for answer in answers)
    assert len({answer.json()["response"][0]["id"] for answer in answers}) == 1
    file_id = answers[0].json()["response"][0]["id"]
    assert titles(listing(client, "@my"))[1] == ["same.txt"]
    assert {download(client, file_id, n) for n in range(1, 11)} == set(contents)
    _check_consistent(client, server, user.user_id)


# A crash during an operation


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[FolioServer]:
    server = FolioServer(tmp_path / "data")
    server.start()
    yield server
    if server.process is not None:
        server.stop()


def test_a_crash_fails_the_running_operation_and_keeps_the_queued_one(
    own_server: FolioServer,
) -> None:
    person = own_server.new_user()
    with own_server.client(person.key) as client:
        root = my_id(client)
        source = create_folder(client, root, "Source")
        dest = create_folder(client, root, "Dest")
        ids = _many_files(client, source["id"], 150)
        lonely = upload(client, root, "queued.txt", b"queued")
        running = client.put(
            f"{OPS}/copy", json={"fileIds": ids, "destFolderId": dest["id"]}
        ).json()["response"][0]
        queued = client.put(
            f"{OPS}/move", json={"fileIds": [lonely["id"]], "destFolderId": dest["id"]}
        ).json()["response"][0]
        assert _seen_running(client, running["id"]), "the copy finished too soon"

    own_server.kill()
    own_server.start()

    with own_server.client(person.key) as client:
        failed = wait_for_operation(client, running["id"])
        assert failed["status"] == 4
        assert failed["error"] == "The operation was interrupted by a server restart"
        moved = wait_for_operation(client, queued["id"])
        assert (moved["status"], moved["error"]) == (2, "")
        in_dest = listing(client, dest["id"], count=100)
        assert "queued.txt" in titles(in_dest)[1]
        copies = in_dest["total"] - 1
        assert 0 < copies < 150
        for entry in in_dest["files"]:
            if entry["title"] != "queued.txt":
                number = int(entry["title"][1:5])
                assert download(client, entry["id"]) == b"%04d" % number * 50
        _check_consistent(client, own_server, person.user_id)
