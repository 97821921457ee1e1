"""`folio serve --ephemeral`: data in a temporary folder that is gone at exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from folio.testing.emulator import free_port


def test_ephemeral_server_keeps_data_in_a_temporary_folder_removed_at_exit(
    tmp_path: Path,
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "folio", "serve", "--emulator", "--ephemeral",
         "--port", str(port)],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        folders = list(tmp_path.glob("folio-*"))
        assert len(folders) == 1
        assert (folders[0] / "folio.db").exists()
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert "in emulator mode" in err and "a temporary folder" in err
    assert not folders[0].exists()


def test_ephemeral_and_a_data_folder_exclude_each_other(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "folio", "serve", "--ephemeral",
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--ephemeral and --data-dir exclude each other" in result.stderr
    assert not (tmp_path / "data").exists()
