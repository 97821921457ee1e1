"""`folio copy-to`: from the embedded deployment to PostgreSQL and S3, losing
nothing a user can see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from helpers import (
    S3_CREDENTIALS,
    Deployment,
    FolioServer,
    MotoServer,
    PostgresServer,
    wait_for_operation,
)


def _copy_to(
    data_dir: Path, target: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "folio",
            "copy-to",
            "--data-dir",
            str(data_dir),
            "--database-url",
            target["FOLIO_DATABASE_URL"],
            "--storage-url",
            target["FOLIO_STORAGE_URL"],
        ],  # fmt: skip
        env={**os.environ, **S3_CREDENTIALS},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _listing(http: httpx.Client, section: str) -> dict[str, dict[str, object]]:
    files = http.get(f"/api/2.0/files/{section}").json()["response"]["files"]
    return {f["title"]: f for f in files}


def _content(http: httpx.Client, file_id: object) -> bytes:
    params = {"action": "download", "fileid": file_id}
    return http.get("/filehandler.ashx", params=params).content


def test_copy_to_scale_out_keeps_users_files_versions_and_trash(
    postgres: PostgresServer, s3: MotoServer, tmp_path: Path
) -> None:
    embedded = FolioServer(tmp_path / "embedded")
    embedded.start()
    try:
        user = embedded.new_user()
        with embedded.client(user.key) as http:
            for words in (b"first draft", b"second draft"):
                http.post("/api/2.0/files/@my/upload", files={"file": ("a.txt", words)})
            big = os.urandom(6 * 1024 * 1024)
            http.post("/api/2.0/files/@my/upload", files={"file": ("b.bin", big)})
            http.post("/api/2.0/files/@my/file", json={"title": "Plan"})
            gone = http.post(
                "/api/2.0/files/@my/upload", files={"file": ("gone.txt", b"bye")}
            ).json()["response"][0]
            started = http.request(
                "DELETE",
                f"/api/2.0/files/file/{gone['id']}",
                json={"immediately": False},
            )
            wait_for_operation(http, started.json()["response"][0]["id"])
            before = _listing(http, "@my")
            token = http.post(
                "/api/2.0/authentication",
                json={"userName": user.email, "password": user.password},
            ).json()["response"]["token"]
    finally:
        embedded.stop()
    bucket = f"moved-{os.urandom(4).hex()}"
    s3.create_bucket(bucket)
    target = Deployment("scaleout", postgres=postgres, s3=s3, bucket=bucket).fresh_env()

    copied = _copy_to(tmp_path / "embedded", target)
    again = _copy_to(tmp_path / "embedded", target)

    assert copied.returncode == 0, copied.stderr
    assert "Copied 5 contents" in copied.stdout
    assert again.returncode == 1 and "not empty" in again.stderr
    scaled = FolioServer(tmp_path / "scaled", target)
    scaled.start()
    try:
        with scaled.client(user.key) as http:
            after = _listing(http, "@my")
            trash = _listing(http, "@trash")
            contents = {t: _content(http, f["id"]) for t, f in after.items()}
            fresh = http.post(
                "/api/2.0/files/@my/upload", files={"file": ("new.txt", b"new")}
            ).json()["response"][0]
            token_works = http.get(
                "/api/2.0/files/@my", headers={"Authorization": token}
            ).status_code
    finally:
        scaled.stop()

    assert {t: (f["id"], f["version"]) for t, f in after.items()} == {
        t: (f["id"], f["version"]) for t, f in before.items()
    }
    assert after["a.txt"]["version"] == 2
    assert (contents["a.txt"], contents["b.bin"]) == (b"second draft", big)
    assert contents["Plan.docx"].startswith(b"PK")
    assert list(trash) == ["gone.txt"]
    assert int(fresh["id"]) > max(int(f["id"]) for f in after.values())  # type: ignore[call-overload]
    assert token_works == 200
