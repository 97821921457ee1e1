"""Chunked upload sessions over HTTP and through ONLYOFFICE's SDK.

Most tests run against a server whose chunk size is 1 MiB, so that sessions of a
few chunks stay small; the 10 MiB default is checked on the shared server.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import docspace_api_sdk as sdk
import httpx
import pytest

import helpers
from folio.persistence.tables import upload_sessions
from folio.services.space import Space
from helpers import FolioServer

MIB = 1024 * 1024
NOT_AUTHORIZED = "Not authorized or session with specified upload id already expired"


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FolioServer]:
    """A server with 1 MiB chunks that sweeps expired sessions every second."""
    folio = FolioServer(
        tmp_path_factory.mktemp("sessions") / "data",
        env={"FOLIO_CHUNK_SIZE": str(MIB), "FOLIO_UPLOAD_SWEEP_INTERVAL": "1"},
    )
    folio.start()
    yield folio
    folio.stop()


@pytest.fixture
def small_user(small_server: FolioServer) -> helpers.TestUser:
    return small_server.new_user()


@pytest.fixture
def http(
    small_server: FolioServer, small_user: helpers.TestUser
) -> Iterator[httpx.Client]:
    with small_server.client(small_user.key) as client:
        yield client


@pytest.fixture
def stranger(small_server: FolioServer) -> Iterator[httpx.Client]:
    with small_server.client(small_server.new_user().key) as client:
        yield client


@pytest.fixture
def small_sdk(
    small_server: FolioServer, small_user: helpers.TestUser
) -> Iterator[sdk.ApiClient]:
    configuration = sdk.Configuration(
        host=small_server.url, access_token=small_user.key
    )
    with sdk.ApiClient(
        configuration,
        header_name="Authorization",
        header_value=f"Bearer {small_user.key}",
    ) as api_client:
        yield api_client


def my_id(client: httpx.Client) -> int:
    return int(client.get("/api/2.0/files/@my").json()["response"]["current"]["id"])


def start(
    client: httpx.Client, folder: str | int = "@my", **body: Any
) -> dict[str, Any]:
    body.setdefault("fileName", "big.bin")
    answer = client.post(f"/api/2.0/files/{folder}/session", json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"])


def send(
    client: httpx.Client,
    session_id: str,
    data: bytes,
    *,
    number: int | None = None,
    parallel: bool = False,
    folder: int | str = 1,
) -> httpx.Response:
    path = f"/api/2.0/files/{folder}/session/{session_id}"
    if parallel:
        path += "/upload"
    params = {"chunkNumber": number} if number is not None else None
    return client.post(path, params=params, files={"file": ("blob", data)})


def finalize(client: httpx.Client, session_id: str) -> httpx.Response:
    return client.put(f"/api/2.0/files/1/session/{session_id}/finalize")


def progress(client: httpx.Client, session_id: str) -> httpx.Response:
    return client.get(f"/api/2.0/files/1/session/{session_id}")


def download(client: httpx.Client, file_id: int) -> httpx.Response:
    return client.get(
        "/filehandler.ashx", params={"action": "download", "fileid": file_id}
    )


def titles(client: httpx.Client, folder: str | int = "@my") -> list[str]:
    listing = client.get(f"/api/2.0/files/{folder}").json()["response"]
    return [entry["title"] for entry in listing["files"]]


def content(size: int, seed: int = 0) -> bytes:
    return bytes((seed + i * 7) % 251 for i in range(size))


# Creating sessions


def test_session_created_in_my_documents_has_docspace_shape(http: httpx.Client) -> None:
    answer = http.post(
        "/api/2.0/files/@my/session", json={"fileName": "big.bin", "fileSize": 26214400}
    )

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["statusCode"], body["count"]) == (0, 200, 1)
    session = body["response"]
    assert re.fullmatch(r"[0-9a-f]{32}", session["id"])
    assert session["path"] == [my_id(http)]
    assert session["bytes_total"] == 26214400
    assert session["location"].endswith(f"/ChunkedUploader.ashx?uid={session['id']}")
    created = datetime.fromisoformat(session["created"].replace("Z", "+00:00"))
    expired = datetime.fromisoformat(session["expired"].replace("Z", "+00:00"))
    assert session["created"].endswith("Z")
    assert expired - created == timedelta(hours=12)
    assert "bytes_uploaded" not in session


def test_session_with_size_zero_echoes_zero(http: httpx.Client) -> None:
    assert start(http, fileSize=0)["bytes_total"] == 0


def test_session_in_unknown_or_foreign_folder_answers_404(
    http: httpx.Client, stranger: httpx.Client
) -> None:
    unknown = http.post(
        "/api/2.0/files/999999999/session", json={"fileName": "a.bin", "fileSize": 1}
    )
    foreign = stranger.post(
        f"/api/2.0/files/{my_id(http)}/session", json={"fileName": "a", "fileSize": 1}
    )

    for answer in (unknown, foreign):
        assert answer.status_code == 404
        assert answer.json()["error"]["message"] == "The required folder was not found"


def test_session_without_file_name_answers_400(http: httpx.Client) -> None:
    answer = http.post("/api/2.0/files/@my/session", json={"fileSize": 10})

    assert answer.status_code == 400
    assert answer.json()["response"]["errors"]["FileName"] == [
        "The FileName field is required."
    ]


def test_session_in_trash_answers_403(http: httpx.Client) -> None:
    trash = http.get("/api/2.0/files/@trash").json()["response"]["current"]["id"]

    answer = http.post(
        f"/api/2.0/files/{trash}/session", json={"fileName": "a", "fileSize": 1}
    )

    assert answer.status_code == 403


def test_session_over_quota_answers_402(
    small_server: FolioServer, small_user: helpers.TestUser, http: httpx.Client
) -> None:
    database = small_server.data_dir / "folio.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE users SET quota_limit = 1000 WHERE id = ?", (small_user.user_id,)
        )

    answer = http.post(
        "/api/2.0/files/@my/session", json={"fileName": "a", "fileSize": 5000}
    )

    assert answer.status_code == 402


def test_deprecated_create_session_wraps_the_session(http: httpx.Client) -> None:
    answer = http.post(
        f"/api/2.0/files/{my_id(http)}/upload/create_session",
        json={"fileName": "old.bin", "fileSize": 5},
    )

    assert answer.status_code == 200
    wrapped = answer.json()["response"]
    assert wrapped["success"] is True
    assert wrapped["data"]["bytes_total"] == 5
    assert re.fullmatch(r"[0-9a-f]{32}", wrapped["data"]["id"])


def test_relative_path_creates_subfolders_and_reuses_them(http: httpx.Client) -> None:
    first = start(http, fileName="one.txt", fileSize=3, relativePath="Sub/Deeper")
    second = start(http, fileName="two.txt", fileSize=3, relativePath="Sub/Deeper")

    assert first["path"][0] == my_id(http)
    assert len(first["path"]) == 3
    assert second["path"] == first["path"]
    assert send(http, first["id"], b"one").status_code == 201
    assert titles(http, first["path"][2]) == ["one.txt"]
    folders = http.get("/api/2.0/files/@my").json()["response"]["folders"]
    assert [folder["title"] for folder in folders] == ["Sub"]


# Sending chunks in order


def test_sequential_chunks_answer_200_then_201_with_the_file(
    http: httpx.Client,
) -> None:
    data = content(2 * MIB + 100)
    session = start(http, fileSize=len(data))

    first = send(http, session["id"], data[:MIB])
    second = send(http, session["id"], data[MIB : 2 * MIB])
    last = send(http, session["id"], data[2 * MIB :])

    for answer in (first, second):
        assert answer.status_code == 200
        assert answer.json()["response"]["uploaded"] is False
        assert answer.json()["response"]["id"] == 0
    assert last.status_code == 201
    body = last.json()
    assert body["statusCode"] == 201
    result = body["response"]
    assert result["uploaded"] is True
    assert result["file"]["pureContentLength"] == len(data)
    assert result["id"] == result["file"]["id"]
    assert result["title"] == "big.bin"
    assert download(http, result["id"]).content == data


def test_file_smaller_than_a_chunk_completes_on_its_only_chunk(
    client: httpx.Client,
) -> None:
    session = start(client, fileName="small.txt", fileSize=11)

    answer = send(client, session["id"], b"hello world")

    assert answer.status_code == 201
    assert answer.json()["response"]["file"]["title"] == "small.txt"
    assert titles(client) == ["small.txt"]


def test_session_of_unknown_size_completes_with_its_first_chunk(
    http: httpx.Client,
) -> None:
    session = start(http, fileSize=0)

    answer = send(http, session["id"], b"whatever size")

    assert answer.status_code == 201
    assert answer.json()["response"]["file"]["pureContentLength"] == 13


def test_short_middle_chunk_counts_its_bytes(http: httpx.Client) -> None:
    data = content(2 * MIB)
    session = start(http, fileSize=len(data))
    cuts = [0, MIB, MIB + 1000, len(data)]

    answers = [
        send(http, session["id"], data[a:b]) for a, b in itertools.pairwise(cuts)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 201]
    file_id = answers[-1].json()["response"]["id"]
    assert download(http, file_id).content == data


# Parallel chunks


def test_chunks_out_of_order_then_finalize_store_the_file(http: httpx.Client) -> None:
    data = content(3 * MIB - 5, seed=3)
    session = start(http, fileSize=len(data))
    pieces = {n: data[(n - 1) * MIB : n * MIB] for n in (1, 2, 3)}

    answers = [
        send(http, session["id"], pieces[n], number=n, parallel=True) for n in (3, 1, 2)
    ]
    done = finalize(http, session["id"])

    for answer in answers:
        assert answer.status_code == 200
        assert answer.json()["response"]["path"] == [my_id(http)]
    assert done.status_code == 201
    assert done.json()["statusCode"] == 201
    file = done.json()["response"]["file"]
    fetched = download(http, file["id"])
    assert fetched.content == data
    assert fetched.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'


def test_resent_chunk_replaces_the_first_copy(http: httpx.Client) -> None:
    data = content(2 * MIB, seed=5)
    session = start(http, fileSize=len(data))

    send(http, session["id"], data[:MIB], number=1, parallel=True)
    send(http, session["id"], b"x" * MIB, number=2, parallel=True)
    again = send(http, session["id"], data[MIB:], number=2, parallel=True)
    state = progress(http, session["id"]).json()["response"]
    done = finalize(http, session["id"])

    assert again.status_code == 200
    assert state["chunks_uploaded"] == [1, 2]
    assert state["bytes_uploaded"] == len(data)
    assert download(http, done.json()["response"]["id"]).content == data


def test_progress_tells_which_chunks_arrived(http: httpx.Client) -> None:
    session = start(http, fileSize=3 * MIB)
    send(http, session["id"], content(MIB), number=1, parallel=True)
    send(http, session["id"], content(MIB), number=3, parallel=True)

    answer = progress(http, session["id"])

    assert answer.status_code == 200
    state = answer.json()["response"]
    assert state["chunks_uploaded"] == [1, 3]
    assert state["bytes_uploaded"] == 2 * MIB
    assert state["chunk_size"] == MIB
    assert state["bytes_total"] == 3 * MIB
    assert state["id"] == session["id"]


def test_resumed_upload_sends_only_missing_chunks(http: httpx.Client) -> None:
    data = content(3 * MIB, seed=9)
    session = start(http, fileSize=len(data))
    send(http, session["id"], data[:MIB])
    send(http, session["id"], data[MIB : 2 * MIB])

    state = progress(http, session["id"]).json()["response"]
    rest = send(http, session["id"], data[state["bytes_uploaded"] :])

    assert state["chunks_uploaded"] == [1, 2]
    assert rest.status_code == 201
    assert download(http, rest.json()["response"]["id"]).content == data


def test_finalize_twice_answers_the_same_file(http: httpx.Client) -> None:
    session = start(http, fileSize=4)
    send(http, session["id"], b"data", number=1, parallel=True)

    first = finalize(http, session["id"])
    second = finalize(http, session["id"])

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["response"]["id"] == second.json()["response"]["id"]
    assert titles(http) == ["big.bin"]


# Refusals that change nothing


def test_chunk_larger_than_chunk_size_answers_402_and_is_not_kept(
    http: httpx.Client,
) -> None:
    session = start(http, fileSize=3 * MIB)

    answer = send(http, session["id"], content(MIB + 1), number=1, parallel=True)

    assert answer.status_code == 402
    assert (
        answer.json()["error"]["message"] == "The maximum file size is exceeded (1 MB)."
    )
    assert progress(http, session["id"]).json()["response"]["chunks_uploaded"] == []


def test_chunk_over_the_default_chunk_size_answers_402(client: httpx.Client) -> None:
    session = start(client, fileSize=30 * MIB)

    answer = send(client, session["id"], bytes(10 * MIB + 1), number=1, parallel=True)

    assert answer.status_code == 402
    assert answer.json()["error"]["message"] == (
        "The maximum file size is exceeded (10 MB)."
    )


def test_chunks_beyond_the_announced_size_are_refused(http: httpx.Client) -> None:
    session = start(http, fileSize=MIB + 10)
    send(http, session["id"], content(MIB), number=1, parallel=True)

    answer = send(http, session["id"], content(11), number=2, parallel=True)

    assert answer.status_code == 400
    assert "more than the file size" in answer.json()["error"]["message"]
    assert progress(http, session["id"]).json()["response"]["chunks_uploaded"] == [1]


def test_finalize_with_a_missing_chunk_is_refused(http: httpx.Client) -> None:
    session = start(http, fileSize=3 * MIB)
    send(http, session["id"], content(MIB), number=1, parallel=True)
    send(http, session["id"], content(MIB), number=3, parallel=True)

    answer = finalize(http, session["id"])

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Chunks are missing from the upload: 2"
    assert titles(http) == []
    assert send(http, session["id"], content(MIB), number=2, parallel=True).is_success
    assert finalize(http, session["id"]).status_code == 201


def test_finalize_with_too_few_bytes_is_refused(http: httpx.Client) -> None:
    session = start(http, fileSize=2 * MIB)
    send(http, session["id"], content(MIB), number=1, parallel=True)

    answer = finalize(http, session["id"])

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        f"The chunks hold {MIB} bytes, but the session was created for {2 * MIB} bytes"
    )
    assert titles(http) == []


@pytest.mark.parametrize("number", [0, -1, 10001], ids=["zero", "negative", "too-high"])
def test_chunk_number_out_of_range_is_refused(http: httpx.Client, number: int) -> None:
    session = start(http, fileSize=10)

    answer = send(http, session["id"], b"0123456789", number=number, parallel=True)

    assert answer.status_code == 400
    assert progress(http, session["id"]).json()["response"]["chunks_uploaded"] == []


def test_chunk_without_a_file_part_is_refused(http: httpx.Client) -> None:
    session = start(http, fileSize=10)

    answer = http.post(
        f"/api/2.0/files/1/session/{session['id']}", data={"title": "no file here"}
    )

    assert answer.status_code == 400
    assert progress(http, session["id"]).json()["response"]["chunks_uploaded"] == []


def test_truncated_multipart_chunk_is_refused(http: httpx.Client) -> None:
    session = start(http, fileSize=100)
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="b"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + b"a" * 50
    )

    answer = http.post(
        f"/api/2.0/files/1/session/{session['id']}",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )

    assert answer.status_code == 400
    assert progress(http, session["id"]).json()["response"]["bytes_uploaded"] == 0


def test_raw_body_is_taken_as_the_chunk(http: httpx.Client) -> None:
    session = start(http, fileName="raw.txt", fileSize=7)

    answer = http.post(
        f"/api/2.0/files/1/session/{session['id']}",
        content=b"raw one",
        headers={"Content-Type": "application/octet-stream"},
    )

    assert answer.status_code == 201
    assert download(http, answer.json()["response"]["id"]).content == b"raw one"


def test_chunk_to_a_completed_session_is_refused(http: httpx.Client) -> None:
    session = start(http, fileSize=3)
    done = send(http, session["id"], b"abc")

    answer = send(http, session["id"], b"def", number=1, parallel=True)

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "The upload session is already complete"
    assert download(http, done.json()["response"]["id"]).content == b"abc"


def test_session_of_another_user_answers_as_missing(
    http: httpx.Client, stranger: httpx.Client
) -> None:
    session = start(http, fileSize=3)
    send(http, session["id"], b"ab", number=1, parallel=True)

    answers = [
        send(stranger, session["id"], b"c", number=2, parallel=True),
        finalize(stranger, session["id"]),
        progress(stranger, session["id"]),
        stranger.delete(f"/api/2.0/files/1/session/{session['id']}"),
    ]

    for answer in answers:
        assert answer.status_code == 404
        assert answer.json()["error"]["message"] == (
            "The upload session was not found or has already expired"
        )
    assert progress(http, session["id"]).json()["response"]["chunks_uploaded"] == [1]


def test_requests_without_credentials_answer_401(anonymous: httpx.Client) -> None:
    zero = "0" * 32
    answers = [
        anonymous.post("/api/2.0/files/@my/session", json={"fileName": "a"}),
        anonymous.post(f"/api/2.0/files/1/session/{zero}", files={"file": b"a"}),
        anonymous.put(f"/api/2.0/files/1/session/{zero}/finalize"),
        anonymous.delete(f"/api/2.0/files/1/session/{zero}"),
    ]

    assert [answer.status_code for answer in answers] == [401] * 4
    assert all(answer.content == b"" for answer in answers)


# Aborting


def test_abort_drops_the_session_and_leaves_no_file(http: httpx.Client) -> None:
    session = start(http, fileSize=2 * MIB)
    send(http, session["id"], content(MIB))

    answer = http.delete(f"/api/2.0/files/1/session/{session['id']}")

    assert answer.status_code == 200
    body = answer.json()
    assert "response" not in body
    assert body["count"] == 0
    assert titles(http) == []
    later = send(http, session["id"], content(MIB))
    assert later.status_code == 404
    assert later.json()["error"]["message"] == "The upload session was aborted"
    assert finalize(http, session["id"]).status_code == 404
    assert progress(http, session["id"]).status_code == 404
    again = http.delete(f"/api/2.0/files/1/session/{session['id']}")
    assert again.status_code == 200


def test_abort_of_unknown_session_answers_404(http: httpx.Client) -> None:
    answer = http.delete(f"/api/2.0/files/1/session/{'0' * 32}")

    assert answer.status_code == 404


def test_abort_after_finalize_keeps_the_file(http: httpx.Client) -> None:
    session = start(http, fileSize=3)
    done = send(http, session["id"], b"abc")

    answer = http.delete(f"/api/2.0/files/1/session/{session['id']}")

    assert answer.status_code == 200
    assert download(http, done.json()["response"]["id"]).content == b"abc"


# Collisions and edit sessions


def test_same_name_without_create_new_adds_a_version(http: httpx.Client) -> None:
    first = send(http, start(http, fileName="v.txt", fileSize=2)["id"], b"v1")
    second = send(http, start(http, fileName="v.txt", fileSize=2)["id"], b"v2")

    one, two = first.json()["response"], second.json()["response"]
    assert two["id"] == one["id"]
    assert (one["version"], two["version"]) == (1, 2)
    assert titles(http) == ["v.txt"]
    assert download(http, two["id"]).content == b"v2"


def test_same_name_with_create_new_makes_a_numbered_copy(http: httpx.Client) -> None:
    send(http, start(http, fileName="c.txt", fileSize=1)["id"], b"1")
    session = start(http, fileName="c.txt", fileSize=1, createNewIfExist=True)

    answer = send(http, session["id"], b"2")

    assert answer.json()["response"]["title"] == "c (1).txt"
    assert sorted(titles(http)) == ["c (1).txt", "c.txt"]


def test_edit_session_replaces_content_and_keeps_the_version(
    http: httpx.Client,
) -> None:
    original = send(http, start(http, fileName="e.txt", fileSize=3)["id"], b"old")
    file_id = original.json()["response"]["id"]

    answer = http.post(
        f"/api/2.0/files/file/{file_id}/edit_session", params={"fileSize": 9}
    )
    session = answer.json()["response"]
    done = send(http, session["data"]["id"], b"new words")

    assert answer.status_code == 200
    assert session["success"] is True
    assert session["data"]["bytes_total"] == 9
    assert done.status_code == 201
    assert done.json()["response"]["version"] == 1
    assert done.json()["response"]["file"]["pureContentLength"] == 9
    assert download(http, file_id).content == b"new words"


def test_edit_session_of_unknown_file_answers_404(http: httpx.Client) -> None:
    answer = http.post("/api/2.0/files/file/999999999/edit_session")

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "The required file was not found"


# Expiry


def test_expired_session_is_swept_with_its_content(
    small_server: FolioServer, http: httpx.Client
) -> None:
    session = start(http, fileSize=2 * MIB)
    send(http, session["id"], content(MIB))
    uploads = small_server.data_dir / "content" / "uploads"
    before = set(os.listdir(uploads))
    with sqlite3.connect(small_server.data_dir / "folio.db") as connection:
        handle = connection.execute(
            "SELECT storage_ref FROM upload_sessions WHERE id = ?", (session["id"],)
        ).fetchone()[0]
        connection.execute(
            "UPDATE upload_sessions SET expires = '2000-01-01 00:00:00.000000' "
            "WHERE id = ?",
            (session["id"],),
        )

    deadline = time.monotonic() + 15
    while progress(http, session["id"]).status_code != 404:
        assert time.monotonic() < deadline, "the session was not swept"
        time.sleep(0.2)

    assert f"{handle}.part" in before
    assert f"{handle}.part" not in os.listdir(uploads)
    assert send(http, session["id"], content(MIB)).status_code == 404


def test_chunk_to_an_expired_session_is_refused_before_the_sweep(
    server: FolioServer, client: httpx.Client
) -> None:
    # The shared server sweeps every ten minutes: the session stays in the
    # database, expired, while the chunk arrives.
    session = start(client, fileSize=2)

    async def expire(space: Space) -> None:
        async with space.db.write() as connection:
            await connection.execute(
                upload_sessions.update()
                .where(upload_sessions.c.id == session["id"])
                .values(expires=datetime(2000, 1, 1, tzinfo=UTC))
            )

    server.run(expire)

    answer = send(client, session["id"], b"ok")

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == (
        "The upload session was not found or has already expired"
    )
    assert titles(client) == []


# The legacy handler


def legacy(client: httpx.Client, **params: Any) -> httpx.Response:
    data = params.pop("data", None)
    files = {"file": ("blob", data)} if data is not None else None
    return client.post("/ChunkedUploader.ashx", params=params, files=files)


def test_legacy_handler_takes_chunks_then_answers_201(http: httpx.Client) -> None:
    data = content(MIB + 3)
    session = start(http, fileName="legacy.bin", fileSize=len(data))
    location = httpx.URL(session["location"])

    first = http.post(location, files={"file": ("blob", data[:MIB])})
    last = http.post(location, files={"file": ("blob", data[MIB:])})

    assert first.status_code == 200
    body = first.json()
    assert body["success"] is True
    assert body["data"]["id"] == session["id"]
    assert body["data"]["bytes_uploaded"] == MIB
    assert "response" not in body
    assert last.status_code == 201
    done = last.json()
    assert done["success"] is True
    assert done["data"]["uploaded"] is True
    assert download(http, done["data"]["file"]["id"]).content == data


def test_legacy_handler_parallel_chunks_and_finalize(http: httpx.Client) -> None:
    session = start(http, fileName="p.bin", fileSize=MIB + 1)

    second = legacy(http, uid=session["id"], upload="true", chunkNumber=2, data=b"z")
    first = legacy(
        http, uid=session["id"], upload="true", chunkNumber=1, data=bytes(MIB)
    )
    done = legacy(http, uid=session["id"], finalize="true")

    assert (second.status_code, first.status_code) == (200, 200)
    assert second.json()["success"] is True
    assert done.status_code == 201
    assert done.json()["data"]["file"]["pureContentLength"] == MIB + 1


def test_legacy_handler_initiates_and_aborts(http: httpx.Client) -> None:
    started = legacy(http, initiate="true", title="i.bin", fileSize=5)
    session_id = started.json()["data"]["id"]

    aborted = legacy(http, uid=session_id, abort="true")
    after = legacy(http, uid=session_id, data=b"12345")

    assert started.status_code == 200
    assert started.json()["data"]["bytes_total"] == 5
    assert aborted.status_code == 200
    assert aborted.json() == {"success": True}
    assert after.status_code == 200
    assert after.json() == {
        "success": False,
        "message": "The upload session was aborted",
    }


def test_legacy_handler_reports_errors_with_http_200(
    http: httpx.Client, stranger: httpx.Client, anonymous: httpx.Client
) -> None:
    session = start(http, fileSize=MIB * 2)

    unknown = legacy(http, uid="0" * 32, data=b"a")
    foreign = legacy(stranger, uid=session["id"], data=b"a")
    no_credentials = legacy(anonymous, uid=session["id"], data=b"a")
    oversized = legacy(http, uid=session["id"], data=bytes(MIB + 1))

    for answer in (unknown, foreign, no_credentials):
        assert answer.status_code == 200
        assert answer.json() == {"success": False, "message": NOT_AUTHORIZED}
    assert oversized.status_code == 200
    assert oversized.json() == {
        "success": False,
        "message": "The maximum file size is exceeded (1 MB).",
    }
    assert progress(http, session["id"]).json()["response"]["chunks_uploaded"] == []


def test_legacy_handler_answers_options(anonymous: httpx.Client) -> None:
    assert anonymous.options("/ChunkedUploader.ashx").status_code == 200


# Through ONLYOFFICE's SDK


def test_sdk_session_lifecycle_parallel(
    small_sdk: sdk.ApiClient, http: httpx.Client
) -> None:
    operations = sdk.OperationsApi(small_sdk)
    folder = my_id(http)
    data = content(MIB + 20, seed=2)

    created = operations.create_upload_session_in_folder(
        folder,
        sdk.SessionRequest(file_name="sdk.bin", file_size=len(data)),
    )
    session = created.response
    chunk = operations.upload_async_session(
        folder, session.id, chunk_number=2, file=("blob", data[MIB:])
    )
    operations.upload_async_session(
        folder, session.id, chunk_number=1, file=("blob", data[:MIB])
    )
    # The spec declares only 200 for finalize, so the SDK leaves a 201 unparsed.
    finished = operations.finalize_session_with_http_info(folder, session.id)

    assert session.bytes_total == len(data)
    assert session.path == [folder]
    assert chunk.response.id == session.id
    assert finished.status_code == 201
    assert finished.data is None
    result = json.loads(finished.raw_data)["response"]
    assert result["uploaded"] is True
    assert download(http, result["id"]).content == data


def test_sdk_session_lifecycle_sequential(
    small_sdk: sdk.ApiClient, http: httpx.Client
) -> None:
    operations = sdk.OperationsApi(small_sdk)
    folder = my_id(http)
    data = content(MIB + 7, seed=4)
    session = operations.create_upload_session_in_folder(
        folder,
        sdk.SessionRequest(file_name="seq.bin", file_size=len(data)),
    ).response

    first = operations.upload_session(folder, session.id, file=("blob", data[:MIB]))
    # A 201 is not in the spec: the SDK returns no data, the raw answer has it.
    last = operations.upload_session_with_http_info(
        folder, session.id, file=("blob", data[MIB:])
    )

    assert first.response.uploaded is False
    assert first.response.title == "seq.bin"
    assert last.status_code == 201
    assert last.data is None
    assert json.loads(last.raw_data)["response"]["file"]["title"] == "seq.bin"


def test_sdk_abort_and_deprecated_create(
    small_sdk: sdk.ApiClient, http: httpx.Client
) -> None:
    operations = sdk.OperationsApi(small_sdk)
    folder = my_id(http)

    wrapped = operations.create_upload_session(
        folder, sdk.SessionRequest(file_name="d.bin", file_size=3)
    )
    session_id = wrapped.response.data.id
    aborted = operations.abort_upload_session_with_http_info(session_id, folder)

    assert wrapped.response.success is True
    assert wrapped.response.data.bytes_total == 3
    assert aborted.status_code == 200
    assert progress(http, session_id).status_code == 404
    assert send(http, session_id, b"abc").status_code == 404


def test_sdk_edit_session(small_sdk: sdk.ApiClient, http: httpx.Client) -> None:
    original = send(http, start(http, fileName="w.txt", fileSize=1)["id"], b"1")
    file_id = original.json()["response"]["id"]

    answer = sdk.FilesApi(small_sdk).create_edit_session(file_id, file_size=4)

    assert answer.response.success is True
    assert answer.response.data.bytes_total == 4
    assert send(http, answer.response.data.id, b"four").status_code == 201
    assert download(http, file_id).content == b"four"
