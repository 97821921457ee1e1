"""What survives a crash: acknowledged uploads do; interrupted ones leave nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpers import FolioServer

BOUNDARY = "folio-crash-test"


def _slow_multipart(name: str, total: int, sent: threading.Event) -> Iterator[bytes]:
    """A multipart body that trickles out, so the server dies mid-upload."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    chunk = b"z" * (1024 * 1024)
    for number in range(total // len(chunk)):
        if number == 8:
            sent.set()
        yield chunk
        time.sleep(0.02)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _content_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "content").rglob("*") if p.is_file()]


@pytest.fixture
def crash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FolioServer]:
    server = FolioServer(
        tmp_path_factory.mktemp("crash") / "data",
        env={"FOLIO_MAX_UPLOAD_SIZE": str(1024**3)},
    )
    server.start()
    yield server
    server.stop()


def test_sigkill_during_a_large_upload_leaves_nothing_behind(
    crash_server: FolioServer,
) -> None:
    user = crash_server.new_user()
    with crash_server.client(user.key) as http:
        kept = http.post(
            "/api/2.0/files/@my/upload", files={"file": ("kept.txt", b"kept")}
        ).json()["response"][0]
        before = http.get("/api/2.0/files/@my").json()["response"]
    stored_before = _content_files(crash_server.data_dir)

    sent = threading.Event()
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            with crash_server.client(user.key) as http:
                http.post(
                    "/api/2.0/files/@my/upload",
                    content=_slow_multipart("huge.bin", 512 * 1024 * 1024, sent),
                    headers={
                        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"
                    },
                )
        except httpx.HTTPError as exc:
            errors.append(exc)

    uploader = threading.Thread(target=upload)
    uploader.start()
    assert sent.wait(30)
    partial = [p for p in _content_files(crash_server.data_dir) if "tmp" in p.parts]
    assert partial, "the upload should be in flight, in a temporary file"

    crash_server.kill()
    uploader.join(30)
    assert errors, "the client must see the connection die"

    crash_server.start()
    with crash_server.client(user.key) as http:
        after = http.get("/api/2.0/files/@my").json()["response"]
        assert [f["id"] for f in after["files"]] == [f["id"] for f in before["files"]]
        assert after["total"] == before["total"] == 1
        assert http.get(kept["viewUrl"]).content == b"kept"
    assert _content_files(crash_server.data_dir) == stored_before


def test_acknowledged_upload_survives_sigkill(crash_server: FolioServer) -> None:
    user = crash_server.new_user()
    with crash_server.client(user.key) as http:
        file = http.post(
            "/api/2.0/files/@my/upload", files={"file": ("safe.bin", b"s" * 70000)}
        ).json()["response"][0]
    crash_server.kill()

    crash_server.start()
    with crash_server.client(user.key) as http:
        listed = http.get("/api/2.0/files/@my").json()["response"]["files"]
        assert [f["id"] for f in listed] == [file["id"]]
        assert http.get(file["viewUrl"]).content == b"s" * 70000


def test_content_without_metadata_is_swept_at_start(crash_server: FolioServer) -> None:
    stray = crash_server.data_dir / "content" / "objects" / "ab" / ("ab" + "0" * 30)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"orphan")
    leftover = crash_server.data_dir / "content" / "tmp" / "dead.part"
    leftover.write_bytes(b"half")
    crash_server.stop()

    crash_server.start()
    assert not stray.exists()
    assert not leftover.exists()
