"""POST /api/2.0/files/@my/upload: multipart uploads and the same-title rule."""

from __future__ import annotations

import hashlib

import docspace_api_sdk as sdk
import httpx
import pytest

from helpers import FolioServer


def _upload(
    client: httpx.Client, name: str, data: bytes, part: str = "file", **params: str
) -> httpx.Response:
    return client.post(
        "/api/2.0/files/@my/upload", files={part: (name, data)}, params=params
    )


@pytest.mark.parametrize("part", ["file", "File", "FILE"])
def test_upload_part_name_is_case_insensitive(client: httpx.Client, part: str) -> None:
    answer = _upload(client, "a.txt", b"abc", part=part)
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    (file,) = body["response"]
    assert (file["title"], file["pureContentLength"], file["contentLength"]) == (
        "a.txt",
        3,
        "3 bytes",
    )


def test_upload_keeps_title_and_extension_as_sent(client: httpx.Client) -> None:
    for name, kind in (
        ("Отчёт (final) v2.md", 7),
        ("scan.pdf", 10),
        ("photo.jpg", 4),
        ("data.csv", 5),
        ("archive.zip", 1),
        ("noextension", 0),
    ):
        (file,) = _upload(client, name, b"x").json()["response"]
        assert file["title"] == name
        assert file["fileType"] == kind


def test_upload_of_an_empty_file_works(client: httpx.Client) -> None:
    (file,) = _upload(client, "empty.txt", b"").json()["response"]
    assert file["contentLength"] == "0 bytes"
    assert "pureContentLength" not in file


def test_same_title_upload_becomes_a_new_version(client: httpx.Client) -> None:
    (first,) = _upload(client, "r.txt", b"one").json()["response"]
    (second,) = _upload(client, "R.TXT", b"two!").json()["response"]

    assert second["id"] == first["id"]
    assert (second["version"], second["versionGroup"], second["comment"]) == (
        2,
        2,
        "Uploaded",
    )
    assert second["pureContentLength"] == 4
    assert client.get(second["viewUrl"]).content == b"two!"
    assert client.get("/api/2.0/files/@my").json()["response"]["total"] == 1


def test_create_new_if_exist_numbers_the_title(client: httpx.Client) -> None:
    (first,) = _upload(client, "r.txt", b"one").json()["response"]
    (second,) = _upload(client, "r.txt", b"two", createNewIfExist="true").json()[
        "response"
    ]
    (third,) = _upload(client, "r.txt", b"three", createNewIfExist="true").json()[
        "response"
    ]
    assert first["id"] != second["id"] != third["id"]
    assert (second["title"], third["title"]) == ("r (1).txt", "r (2).txt")


def test_upload_without_a_file_part_answers_400(client: httpx.Client) -> None:
    answers = [
        client.post(
            "/api/2.0/files/@my/upload", data={"title": "x"}, files={"x": ("", b"")}
        ),
        client.post("/api/2.0/files/@my/upload", files={"files": ("a.txt", b"x")}),
        client.post("/api/2.0/files/@my/upload", content=b"raw bytes"),
        client.post("/api/2.0/files/@my/upload"),
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == (
            "Value cannot be null. (Parameter 'uploadModel.File')"
        )
    assert client.get("/api/2.0/files/@my").json()["response"]["total"] == 0


def test_upload_over_the_size_limit_answers_402_and_keeps_nothing(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    server = FolioServer(
        tmp_path_factory.mktemp("limited") / "data",
        env={"FOLIO_MAX_UPLOAD_SIZE": str(1024 * 1024)},
    )
    server.start()
    try:
        user = server.new_user()
        with server.client(user.key) as http:
            answer = _upload(http, "big.bin", b"x" * (1024 * 1024 + 1))
            assert answer.status_code == 402
            assert answer.json()["error"]["message"] == (
                "The maximum file size is exceeded (1 MB)."
            )
            assert http.get("/api/2.0/files/@my").json()["response"]["total"] == 0
            assert _upload(http, "fits.bin", b"x" * 1024 * 1024).status_code == 200
        tmp = server.data_dir / "content" / "tmp"
        assert list(tmp.iterdir()) == []
    finally:
        server.stop()


def test_uploaded_content_downloads_unchanged(client: httpx.Client) -> None:
    data = bytes(range(256)) * 4099
    (file,) = _upload(client, "blob.bin", data).json()["response"]
    downloaded = client.get(file["viewUrl"]).content
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(data).digest()


def test_upload_through_the_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    first = folders.upload_file_to_my(file=("sdk.txt", b"one"))
    again = folders.upload_file_to_my(file=("sdk.txt", b"two"))
    copy = folders.upload_file_to_my(
        file=("sdk.txt", b"three"), create_new_if_exist=True
    )
    assert again.response[0].id == first.response[0].id
    assert again.response[0].version == 2
    assert copy.response[0].title == "sdk (1).txt"
