"""The administration commands: user add, key create/list/revoke."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from helpers import FolioServer


def folio(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "folio", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_user_and_key_commands_create_a_working_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    added = folio(
        "user", "add", "ann@example.com", "--name", "Ann Lee", data_dir=data_dir
    )
    assert added.returncode == 0, added.stderr
    assert "password:" in added.stdout

    created = folio(
        "key", "create", "ann@example.com", "--name", "ci", data_dir=data_dir
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("sk-") and len(key) == 67

    server = FolioServer(data_dir)
    server.start()
    try:
        with server.client(key) as http:
            profile = http.get("/api/2.0/people/@self").json()["response"]
            assert (profile["email"], profile["displayName"]) == (
                "ann@example.com",
                "Ann Lee",
            )

        listed = folio("key", "list", "ann@example.com", data_dir=data_dir)
        assert listed.returncode == 0
        (line,) = [row for row in listed.stdout.splitlines() if key[-4:] in row]
        assert "active" in line and key not in line
        key_id = line.split()[0]

        revoked = folio("key", "revoke", key_id, data_dir=data_dir)
        assert revoked.returncode == 0, revoked.stderr
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {key}"}
        ) as http:
            assert http.get("/api/2.0/files/@my").status_code == 401
    finally:
        server.stop()


def test_first_start_prints_the_owner_once(tmp_path: Path) -> None:
    server = FolioServer(tmp_path / "data")
    server.start()
    first_key = server.owner_key
    server.stop()
    assert first_key is not None

    server.start()
    try:
        assert "API key" not in server.stdout_path.read_text()
        with server.client(first_key) as http:
            profile = http.get("/api/2.0/people/@self").json()["response"]
        assert profile["isOwner"] is True
    finally:
        server.stop()


def test_errors_are_one_sentence_and_a_non_zero_exit(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for args in (
        ("key", "create", "nobody@example.com"),
        ("key", "revoke", "not-a-key"),
        ("user", "add", "not an email"),
    ):
        result = folio(*args, data_dir=data_dir)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("Error: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    folio("user", "add", "dup@example.com", data_dir=data_dir)
    again = folio("user", "add", "dup@example.com", data_dir=data_dir)
    assert again.returncode == 1
    assert "already exists" in again.stderr
