"""Listing a large folder: is a deep page as quick as the first, and does a title
search cost only what lies in the folder searched?

The data is written straight through the persistence layer (100,000 rows take
seconds that way, hours through uploads), then a real `folio serve` is started on
it and every figure is measured through its HTTP API.

    python bench/listing.py [--files 100000] [--outside 100000] [--repeat 15]

Every file row of the benchmark shares one stored content, which no real space
does; listing never reads content, so the figures are not affected by it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from folio.config import Settings
from folio.domain.entries import EntryType, FolderType
from folio.domain.kinds import kind_of
from folio.persistence.tables import entries, file_versions, users
from folio.services.accounts import Caller
from folio.services.space import Space

NEEDLE = "needle"


async def _fill(data_dir: Path, files: int) -> tuple[str, int, int]:
    """Create a user with a folder of `files` files; return (key, folder, my id)."""
    space = Space.from_settings(Settings(data_dir=data_dir, fsync=False))
    await space.open()
    try:
        portal = await space.accounts.portal()
        user = await space.accounts.add_user(portal, "bench@example.com", "bench")
        key = await space.accounts.create_key(Caller(user), "bench")
        folder = await space.folders.create(Caller(user), user.my_folder_id, "Big")
        # One (empty) subfolder, so that a search must look through the subtree.
        await space.folders.create(Caller(user), folder.id, "Sub")
        await _add_files(space, user.id, portal, folder.id, files, "file")
        return key.secret, folder.id, user.my_folder_id
    finally:
        await space.aclose()


async def _add_files(
    space: Space, user_id: str, portal: int, folder_id: int, count: int, prefix: str
) -> None:
    """Insert `count` file rows into a folder, as uploads would leave them."""
    blob = await space.blobs.put(b"benchmark content")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    async with space.db.write() as connection:
        folder = (
            await connection.execute(entries.select().where(entries.c.id == folder_id))
        ).one()
        next_id = int(
            (
                await connection.execute(sa.select(sa.func.max(entries.c.id)))
            ).scalar_one()
        )
        batch: list[dict[str, object]] = []
        versions: list[dict[str, object]] = []
        for n in range(count):
            next_id += 1
            # One title in a thousand holds the word a search looks for.
            title = f"{prefix}-{n:07d}{'-' + NEEDLE if n % 1000 == 7 else ''}.docx"
            moment = start + timedelta(seconds=n)
            batch.append(
                {
                    "id": next_id,
                    "portal_id": portal,
                    "owner_id": user_id,
                    "entry_type": int(EntryType.FILE),
                    "parent_id": folder_id,
                    "root_id": folder.root_id,
                    "root_type": int(FolderType.USER),
                    "path": f"{folder.path}{next_id}/",
                    "title": title,
                    "title_key": title.casefold(),
                    "file_kind": int(kind_of(title)),
                    "created": moment,
                    "updated": moment,
                    "created_by": user_id,
                    "updated_by": user_id,
                    "version": 1,
                    "version_group": 1,
                    "size": blob.size,
                    "blob_key": blob.key,
                    "sha256": blob.sha256,
                    "comment": "Uploaded",
                    "files_count": 0,
                    "folders_count": 0,
                }
            )
            versions.append(
                {
                    "portal_id": portal,
                    "file_id": next_id,
                    "version": 1,
                    "version_group": 1,
                    "size": blob.size,
                    "blob_key": blob.key,
                    "sha256": blob.sha256,
                    "comment": "Uploaded",
                    "created": moment,
                    "created_by": user_id,
                }
            )
            if len(batch) == 5000:
                await connection.execute(entries.insert(), batch)
                await connection.execute(file_versions.insert(), versions)
                batch, versions = [], []
        if batch:
            await connection.execute(entries.insert(), batch)
            await connection.execute(file_versions.insert(), versions)
        ancestors = [int(part) for part in folder.path.strip("/").split("/")]
        await connection.execute(
            entries.update()
            .where(entries.c.id.in_(ancestors))
            .values(files_count=entries.c.files_count + count)
        )
        await connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(used_space=users.c.used_space + count * blob.size)
        )


async def _add_outside(data_dir: Path, my_id: int, count: int) -> None:
    """Put `count` more files next to the big folder, in a folder of their own."""
    space = Space.from_settings(Settings(data_dir=data_dir, fsync=False))
    await space.open()
    try:
        portal = await space.accounts.portal()
        user = await space.accounts.user_by_email(portal, "bench@example.com")
        assert user is not None
        folder = await space.folders.create(
            Caller(user), my_id, f"Elsewhere {uuid.uuid4().hex[:6]}"
        )
        await _add_files(space, user.id, portal, folder.id, count, "other")
    finally:
        await space.aclose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "folio",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--no-fsync",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/2.0/authentication", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("folio serve did not start")


def _median_ms(
    client: httpx.Client, path: str, params: dict[str, object], repeat: int
) -> float:
    """The median time of a request, in milliseconds, after one warm-up."""
    client.get(path, params=params).raise_for_status()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return statistics.median(times)


def _searches(
    client: httpx.Client, path: str, label: str, repeat: int
) -> list[tuple[str, float]]:
    """A title search through the folder's subtree, and through its children."""
    subtree = {"filterValue": NEEDLE}
    children = {"filterValue": NEEDLE, "withSubFolders": "false"}
    return [
        (f"title search of the subtree, {label}",
         _median_ms(client, path, subtree, repeat)),
        (f"title search of the children, {label}",
         _median_ms(client, path, children, repeat)),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--outside", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="folio-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        started = time.perf_counter()
        key, folder, my_id = asyncio.run(_fill(data_dir, options.files))
        print(
            f"filled {options.files:,} files in {time.perf_counter() - started:.1f} s"
        )
        headers = {"Authorization": f"Bearer {key}"}
        path = f"/api/2.0/files/{folder}"
        last = max(options.files - 100, 0)

        rows: list[tuple[str, float]] = []
        process, url = _serve(data_dir)
        try:
            with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
                for order in ({}, {"sortBy": "AZ", "sortOrder": 0}):
                    name = "by title" if order else "newest first"
                    first = _median_ms(
                        client, path, {**order, "startIndex": 0}, options.repeat
                    )
                    deep = _median_ms(
                        client, path, {**order, "startIndex": last}, options.repeat
                    )
                    rows += [(f"first page ({name})", first),
                             (f"page at offset {last:,} ({name})", deep)]  # fmt: skip
                rows += _searches(client, path, "nothing else stored", options.repeat)
        finally:
            process.terminate()
            process.wait()

        for extra in (1, 2):
            asyncio.run(_add_outside(data_dir, my_id, options.outside))
            process, url = _serve(data_dir)
            try:
                with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
                    found = client.get(path, params={"filterValue": NEEDLE}).json()
                    assert found["response"]["total"] == len(
                        [n for n in range(options.files) if n % 1000 == 7]
                    )
                    outside = f"{extra * options.outside:,} files outside"
                    rows += _searches(client, path, outside, options.repeat)
            finally:
                process.terminate()
                process.wait()

    print(f"\n| request (folder of {options.files:,} files) | median |")
    print("|---|---|")
    for label, ms in rows:
        print(f"| {label} | {ms:.1f} ms |")


if __name__ == "__main__":
    main()
