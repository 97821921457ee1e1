"""Measure how much a Folio server's memory grows while it takes a large upload.

Starts `folio serve` on a fresh data folder, uploads SIZE bytes (1 GiB by default)
as one multipart request generated on the fly, samples the server's resident memory
while it runs, and prints the baseline, the peak and the growth. The target is a
growth under 64 MiB whatever the file size: uploads stream to disk.

    python bench/upload_memory.py [--size-mib 1024] [--no-fsync]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

MIB = 1024 * 1024
TARGET_GROWTH = 64 * MIB
BOUNDARY = "folio-bench-boundary"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _body(size: int) -> Iterator[bytes]:
    yield (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
        'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    block = os.urandom(MIB)
    for _ in range(size // MIB):
        yield block
    yield block[: size % MIB]
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _start_server(data_dir: Path, port: int, fsync: bool) -> tuple[subprocess.Popen[bytes], str]:
    stdout = data_dir.parent / "stdout.log"
    env = {**os.environ, "FOLIO_MAX_UPLOAD_SIZE": str(64 * 1024 * MIB)}
    args = [sys.executable, "-m", "folio", "serve", "--port", str(port),
            "--data-dir", str(data_dir)] + ([] if fsync else ["--no-fsync"])  # fmt: skip
    with open(stdout, "wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/2.0/authentication", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    key = re.search(r"sk-[0-9a-f]{64}", stdout.read_text())
    if key is None:
        process.kill()
        raise SystemExit("the server did not print an API key")
    return process, key.group(0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--no-fsync", action="store_true")
    options = parser.parse_args()
    size = options.size_mib * MIB

    with tempfile.TemporaryDirectory(prefix="folio-bench-") as folder:
        port = _free_port()
        process, key = _start_server(Path(folder) / "data", port, not options.no_fsync)
        server = psutil.Process(process.pid)
        baseline = server.memory_info().rss
        peak = baseline
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, server.memory_info().rss)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        try:
            answer = httpx.post(
                f"http://127.0.0.1:{port}/api/2.0/files/@my/upload",
                content=_body(size),
                headers={
                    "Authorization": f"Bearer {key}",
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                },
                timeout=600,
            )
        finally:
            elapsed = time.perf_counter() - started
            done.set()
            sampler.join()
            process.terminate()
            process.wait(30)

    answer.raise_for_status()
    stored = answer.json()["response"][0]["pureContentLength"]
    growth = peak - baseline
    print(f"uploaded          {stored / MIB:,.0f} MiB in {elapsed:.1f} s "
          f"({stored / MIB / elapsed:,.0f} MiB/s, fsync {'off' if options.no_fsync else 'on'})")  # fmt: skip
    print(f"server RSS        baseline {baseline / MIB:.1f} MiB, peak {peak / MIB:.1f} MiB")
    print(f"peak RSS growth   {growth / MIB:.1f} MiB "
          f"({'within' if growth < TARGET_GROWTH else 'OVER'} the 64 MiB target)")  # fmt: skip
    return 0 if stored == size and growth < TARGET_GROWTH else 1


if __name__ == "__main__":
    raise SystemExit(main())
