"""Downloads through /filehandler.ashx: ranges, validators, HEAD and errors."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from folio.api.downloads import LocalFileResponse
from folio.persistence.tables import entries
from folio.services.space import Space
from helpers import FolioServer

MIB = 1024 * 1024


def upload(client: httpx.Client, title: str, data: bytes) -> dict[str, Any]:
    answer = client.post("/api/2.0/files/@my/upload", files={"file": (title, data)})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"][0])


def fetch(
    client: httpx.Client, file_id: int, method: str = "GET", **headers: str
) -> httpx.Response:
    return client.request(
        method,
        "/filehandler.ashx",
        params={"action": "download", "fileid": file_id},
        headers={name.replace("_", "-"): value for name, value in headers.items()},
    )


@pytest.fixture
def sample(client: httpx.Client) -> tuple[int, bytes]:
    data = bytes(range(256)) * 40
    return upload(client, "sample.bin", data)["id"], data


def test_download_sends_content_and_validators(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, data = sample

    answer = fetch(client, file_id)

    assert answer.status_code == 200
    assert answer.content == data
    assert answer.headers["content-length"] == str(len(data))
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert answer.headers["cache-control"].startswith("private")
    assert answer.headers["content-disposition"] == 'attachment; filename="sample.bin"'
    assert "last-modified" in answer.headers


def test_head_sends_headers_without_content(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, data = sample

    answer = fetch(client, file_id, "HEAD")

    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-length"] == str(len(data))
    assert answer.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=100-", 100, 10240),
        ("bytes=-10", 10230, 10240),
        ("bytes=10000-99999", 10000, 10240),
    ],
    ids=["first-hundred", "open-ended", "suffix", "past-the-end"],
)
def test_single_range_answers_206(
    client: httpx.Client, sample: tuple[int, bytes], header: str, start: int, end: int
) -> None:
    file_id, data = sample

    answer = fetch(client, file_id, range=header)

    assert answer.status_code == 206
    assert answer.content == data[start:end]
    assert answer.headers["content-range"] == f"bytes {start}-{end - 1}/{len(data)}"
    assert answer.headers["content-length"] == str(end - start)


def test_unsatisfiable_range_answers_416(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, data = sample

    answer = fetch(client, file_id, range="bytes=20000-")

    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{len(data)}"


def test_multiple_ranges_send_the_whole_content(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, data = sample

    answer = fetch(client, file_id, range="bytes=0-1,5-6")

    assert answer.status_code == 200
    assert answer.content == data


def test_matching_if_none_match_answers_304(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, _ = sample
    etag = fetch(client, file_id, "HEAD").headers["etag"]

    matching = fetch(client, file_id, if_none_match=etag)
    anything = fetch(client, file_id, if_none_match="*")
    other = fetch(client, file_id, if_none_match='"something-else"')

    assert matching.status_code == 304
    assert matching.content == b""
    assert matching.headers["etag"] == etag
    assert anything.status_code == 304
    assert other.status_code == 200


def test_if_modified_since_after_the_version_answers_304(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, _ = sample
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)

    assert fetch(client, file_id, if_modified_since=later).status_code == 304
    assert fetch(client, file_id, if_modified_since=earlier).status_code == 200


def test_if_range_with_current_validators_resumes(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, data = sample
    head = fetch(client, file_id, "HEAD").headers

    by_tag = fetch(client, file_id, range="bytes=10-19", if_range=head["etag"])
    by_date = fetch(
        client, file_id, range="bytes=10-19", if_range=head["last-modified"]
    )

    assert (by_tag.status_code, by_tag.content) == (206, data[10:20])
    assert (by_date.status_code, by_date.content) == (206, data[10:20])


def test_if_range_with_a_stale_tag_sends_everything(
    client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, data = sample

    answer = fetch(client, file_id, range="bytes=10-19", if_range='"old-content"')

    assert answer.status_code == 200
    assert answer.content == data


def test_older_version_is_sent_with_its_own_etag(client: httpx.Client) -> None:
    first = upload(client, "v.txt", b"version one")
    upload(client, "v.txt", b"version two!")

    old = client.get(
        "/filehandler.ashx",
        params={"action": "download", "fileid": first["id"], "version": 1},
    )
    new = fetch(client, first["id"])

    assert old.content == b"version one"
    assert old.headers["etag"] == f'"{hashlib.sha256(b"version one").hexdigest()}"'
    assert new.content == b"version two!"


def test_large_range_across_read_pieces_is_exact(client: httpx.Client) -> None:
    data = hashlib.sha256(b"seed").digest() * (9 * MIB // 32)
    file_id = upload(client, "large.bin", data)["id"]
    start, end = 4 * MIB - 3, 8 * MIB + 5

    whole = fetch(client, file_id)
    part = fetch(client, file_id, range=f"bytes={start}-{end - 1}")

    assert whole.content == data
    assert part.content == data[start:end]


def test_empty_file_downloads_as_empty(client: httpx.Client) -> None:
    file_id = upload(client, "empty.txt", b"")["id"]

    answer = fetch(client, file_id)

    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-length"] == "0"


def test_non_ascii_title_uses_rfc5987(client: httpx.Client) -> None:
    file_id = upload(client, "отчёт.txt", b"x")["id"]

    disposition = fetch(client, file_id).headers["content-disposition"]

    assert disposition.startswith('attachment; filename="_____.txt"')
    assert "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt" in disposition


def test_unknown_foreign_and_anonymous_downloads_are_refused(
    client: httpx.Client,
    other_client: httpx.Client,
    anonymous: httpx.Client,
    sample: tuple[int, bytes],
) -> None:
    file_id, _ = sample

    assert fetch(client, 999999999).status_code == 404
    assert fetch(client, 999999999).content == b""
    assert fetch(other_client, file_id).status_code == 404
    assert fetch(anonymous, file_id).status_code == 401


def test_missing_content_answers_404(
    server: FolioServer, client: httpx.Client, sample: tuple[int, bytes]
) -> None:
    file_id, _ = sample

    async def lose_content(space: Space) -> None:
        async with space.db.read() as connection:
            key = (
                await connection.execute(
                    sa.select(entries.c.blob_key).where(entries.c.id == file_id)
                )
            ).scalar_one()
        await space.blobs.delete([key])

    server.run(lose_content)

    assert fetch(client, file_id).status_code == 404
    assert fetch(client, file_id, "HEAD").status_code == 404


# The ASGI zero-copy extensions. uvicorn offers neither, so they are checked
# against the response directly, as a server that offers them would call it.


def run_response(response: LocalFileResponse, extensions: dict[str, Any]) -> list[Any]:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "GET", "extensions": extensions}
    asyncio.run(response(scope, receive, send))
    return sent


def test_local_file_is_sent_zero_copy_when_the_server_offers_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "content"
    path.write_bytes(b"0123456789")
    response = LocalFileResponse(
        path, 2, 7, status_code=206, headers={}, media_type="text/plain"
    )

    start, body = run_response(response, {"http.response.zerocopysend": {}})

    assert start["status"] == 206
    assert body["type"] == "http.response.zerocopysend"
    assert (body["offset"], body["count"]) == (2, 5)


def test_whole_local_file_is_sent_by_path_when_the_server_offers_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "content"
    path.write_bytes(b"0123456789")
    response = LocalFileResponse(
        path, 0, 10, status_code=200, headers={}, media_type="text/plain"
    )

    _, body = run_response(response, {"http.response.pathsend": {}})

    assert body == {"type": "http.response.pathsend", "path": str(path)}


def test_local_file_is_read_ahead_without_extensions(tmp_path: Path) -> None:
    data = bytes(range(256)) * (40 * 1024)
    path = tmp_path / "content"
    path.write_bytes(data)
    response = LocalFileResponse(
        path, 5, len(data) - 5, status_code=206, headers={}, media_type="text/plain"
    )

    _, *bodies = run_response(response, {})

    assert b"".join(message["body"] for message in bodies) == data[5:-5]
    assert [message["more_body"] for message in bodies][-1] is False
    assert len(bodies) > 1
