"""GET /filehandler.ashx?action=download: bytes, headers, ranges, versions."""

from __future__ import annotations

import httpx
import pytest


def _upload(client: httpx.Client, name: str, data: bytes) -> dict[str, object]:
    answer = client.post("/api/2.0/files/@my/upload", files={"file": (name, data)})
    return dict(answer.json()["response"][0])


DATA = bytes(range(256)) * 40


def test_download_sends_bytes_with_docspace_headers(client: httpx.Client) -> None:
    file = _upload(client, "report.docx", DATA)
    answer = client.get(str(file["viewUrl"]))

    assert answer.status_code == 200
    assert answer.content == DATA
    assert answer.headers["content-length"] == str(len(DATA))
    assert answer.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert answer.headers["content-disposition"] == 'attachment; filename="report.docx"'
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["cache-control"].startswith("private")
    assert answer.headers["etag"].strip('"')


def test_download_of_a_non_ascii_title_carries_rfc5987_name(
    client: httpx.Client,
) -> None:
    file = _upload(client, "Отчёт 2026.txt", b"x")
    disposition = client.get(str(file["viewUrl"])).headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%202026.txt" in disposition


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=100-", 100, len(DATA)),
        ("bytes=-10", len(DATA) - 10, len(DATA)),
        ("bytes=10000-99999", 10000, len(DATA)),
    ],
)
def test_single_range_answers_206(
    client: httpx.Client, header: str, start: int, end: int
) -> None:
    file = _upload(client, "r.bin", DATA)
    answer = client.get(str(file["viewUrl"]), headers={"Range": header})
    assert answer.status_code == 206
    assert answer.content == DATA[start:end]
    assert answer.headers["content-range"] == f"bytes {start}-{end - 1}/{len(DATA)}"
    assert answer.headers["content-length"] == str(end - start)


def test_unsatisfiable_range_answers_416(client: httpx.Client) -> None:
    file = _upload(client, "r.bin", DATA)
    answer = client.get(str(file["viewUrl"]), headers={"Range": "bytes=99999-"})
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{len(DATA)}"


def test_etag_answers_304_when_unchanged(client: httpx.Client) -> None:
    file = _upload(client, "r.bin", DATA)
    etag = client.get(str(file["viewUrl"])).headers["etag"]
    again = client.get(str(file["viewUrl"]), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_head_answers_headers_only(client: httpx.Client) -> None:
    file = _upload(client, "r.bin", DATA)
    answer = client.head(str(file["viewUrl"]))
    assert answer.status_code == 200
    assert answer.headers["content-length"] == str(len(DATA))
    assert answer.content == b""


def test_download_of_an_earlier_version(client: httpx.Client) -> None:
    file = _upload(client, "v.txt", b"first")
    _upload(client, "v.txt", b"second")
    url = str(file["viewUrl"])
    assert client.get(url).content == b"second"
    assert client.get(url + "&version=1").content == b"first"
    assert client.get(url + "&version=9").status_code == 404


@pytest.mark.parametrize("file_id", ["999999999", "abc", "-1", ""])
def test_download_of_unknown_file_answers_bare_404(
    client: httpx.Client, file_id: str
) -> None:
    answer = client.get(
        "/filehandler.ashx", params={"action": "download", "fileid": file_id}
    )
    assert answer.status_code == 404
    assert answer.content == b""


def test_download_without_credentials_answers_401(
    client: httpx.Client, anonymous: httpx.Client
) -> None:
    file = _upload(client, "r.bin", DATA)
    answer = anonymous.get(str(file["viewUrl"]))
    assert answer.status_code == 401
    assert answer.content == b""
