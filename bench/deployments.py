"""Throwaway Folio servers of either deployment, for benchmarks.

`running("embedded")` serves SQLite and a folder on disk; `running("scaleout")`
serves PostgreSQL (FOLIO_TEST_DATABASE_URL, else 127.0.0.1:5432/test, in a schema
of its own) and an S3-compatible store (moto's server on a loopback port). Both
yield the server's URL and an API key, and remove everything afterwards.

    python bench/deployments.py            # quick transfer figures for both
    python bench/deployments.py scaleout   # for one

moto keeps objects in its own process's memory and is no model of a real store's
speed: figures for S3 here show Folio's own overhead, not a production store's.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from helpers import (  # noqa: E402 - the test helpers start the servers
    DEFAULT_TEST_DATABASE_URL,
    S3_CREDENTIALS,
    Deployment,
    FolioServer,
    MotoServer,
    PostgresServer,
)

__all__ = ["running"]

MIB = 1024 * 1024


@contextlib.contextmanager
def running(kind: str, **env: str) -> Iterator[tuple[str, str]]:
    """Serve a fresh Folio of `kind`; yield (base URL, API key of a new user)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        moto = postgres = None
        settings = {"FOLIO_FSYNC": "true", **env}
        try:
            if kind == "scaleout":
                for name, value in S3_CREDENTIALS.items():
                    os.environ.setdefault(name, value)
                moto = MotoServer(root / "moto.log")
                moto.start()
                bucket = f"bench-{uuid.uuid4().hex[:8]}"
                moto.create_bucket(bucket)
                postgres = PostgresServer(
                    os.environ.get("FOLIO_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
                )
                shared = Deployment(kind, postgres=postgres, s3=moto, bucket=bucket)
                settings = {**shared.fresh_env(), **settings}
            elif kind != "embedded":
                raise ValueError(f"No such deployment: {kind}")
            server = FolioServer(root / "data", settings)
            server.start()
            try:
                yield server.url, server.new_user().key
            finally:
                server.stop()
        finally:
            if moto is not None:
                moto.stop()
            if postgres is not None:
                postgres.drop_schemas()


def _median_seconds(work: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(kind: str, repeats: int = 5) -> list[str]:
    """Upload and download throughput and listing latency, as table rows."""
    rows = []
    with running(kind) as (url, key):
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
            for size in (1 * MIB, 64 * MIB):
                data = os.urandom(size)
                ids: list[int] = []

                def upload(data: bytes = data, ids: list[int] = ids) -> None:
                    answer = http.post(
                        "/api/2.0/files/@my/upload", files={"file": ("b.bin", data)}
                    )
                    ids.append(answer.json()["response"][0]["id"])

                def download(ids: list[int] = ids) -> None:
                    params = {"action": "download", "fileid": ids[-1]}
                    with http.stream("GET", "/filehandler.ashx", params=params) as r:
                        for _ in r.iter_bytes(MIB):
                            pass

                up = _median_seconds(upload, repeats)
                down = _median_seconds(download, repeats)
                rows.append(
                    f"| {kind} | {size // MIB} MiB | {size / MIB / up:.0f} MiB/s "
                    f"| {size / MIB / down:.0f} MiB/s |"
                )

            def listing() -> None:
                http.get("/api/2.0/files/@my").raise_for_status()

            latency = _median_seconds(listing, 50 * repeats)
            rows.append(
                f"| {kind} | listing of My documents | {1000 * latency:.1f} ms |"
            )
    return rows


if __name__ == "__main__":
    kinds = sys.argv[1:] or ["embedded", "scaleout"]
    results = [row for kind in kinds for row in measure(kind)]
    print("| deployment | size | upload | download |")
    print("|---|---|---|---|")
    print("\n".join(row for row in results if "listing" not in row))
    print()
    print("| deployment | request | median latency |")
    print("|---|---|---|")
    print("\n".join(row for row in results if "listing" in row))
