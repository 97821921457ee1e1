"""Two `folio serve` nodes on one PostgreSQL and one S3 store behave as one server.

Whatever a client does on one node, it can continue on the other: no node keeps
state another node needs, and background work runs once across both.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import time
from collections.abc import Iterator

import httpx
import pytest

from helpers import (
    Deployment,
    FolioServer,
    MotoServer,
    PostgresServer,
    TestUser,
    wait_for_operation,
)

MIB = 1024 * 1024
SWEEP_INTERVAL = 1
LEASE_SECONDS = 3


@pytest.fixture(scope="module")
def nodes(
    postgres: PostgresServer, s3: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FolioServer, FolioServer]]:
    """Nodes A and B, started at the same moment on one empty database and store."""
    bucket = f"two-nodes-{os.urandom(4).hex()}"
    s3.create_bucket(bucket)
    shared = Deployment("scaleout", postgres=postgres, s3=s3, bucket=bucket)
    env = {
        **shared.fresh_env(),
        "FOLIO_SWEEP_INTERVAL": str(SWEEP_INTERVAL),
        "FOLIO_SWEEP_GRACE": "1",
        "FOLIO_LEASE_SECONDS": str(LEASE_SECONDS),
        "FOLIO_CHUNK_SIZE": str(5 * MIB),
    }
    root = tmp_path_factory.mktemp("nodes")
    a = FolioServer(root / "a", env)
    b = FolioServer(root / "b", env)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for started in [pool.submit(a.start), pool.submit(b.start)]:
            started.result()
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture(scope="module")
def someone(nodes: tuple[FolioServer, FolioServer]) -> TestUser:
    return nodes[0].new_user()


@pytest.fixture
def on_a(
    nodes: tuple[FolioServer, FolioServer], someone: TestUser
) -> Iterator[httpx.Client]:
    with nodes[0].client(someone.key) as http:
        yield http


@pytest.fixture
def on_b(
    nodes: tuple[FolioServer, FolioServer], someone: TestUser
) -> Iterator[httpx.Client]:
    with nodes[1].client(someone.key) as http:
        yield http


def _upload(client: httpx.Client, title: str, data: bytes) -> dict[str, object]:
    answer = client.post("/api/2.0/files/@my/upload", files={"file": (title, data)})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["response"][0])


def _download(client: httpx.Client, file_id: object, **headers: str) -> bytes:
    answer = client.get(
        "/filehandler.ashx",
        params={"action": "download", "fileid": file_id},
        headers=headers,
    )
    assert answer.status_code in (200, 206), answer.status_code
    return answer.content


def _log_lines(node: FolioServer, event: str) -> list[str]:
    return [
        line
        for line in node.log_path.read_text().splitlines()
        if f"event={event} " in line
    ]


def test_both_nodes_started_together_share_one_owner(
    nodes: tuple[FolioServer, FolioServer],
) -> None:
    keys = [node.owner_key for node in nodes]

    assert len([key for key in keys if key]) == 1
    for node in nodes:
        with node.client(next(key for key in keys if key)) as http:
            assert http.get("/api/2.0/people/@self").status_code == 200


def test_upload_on_a_downloads_from_b(on_a: httpx.Client, on_b: httpx.Client) -> None:
    data = os.urandom(9 * MIB + 123)

    file = _upload(on_a, "from-a.bin", data)

    assert hashlib.sha256(_download(on_b, file["id"])).digest() == (
        hashlib.sha256(data).digest()
    )
    assert _download(on_b, file["id"], range="bytes=100-199") == data[100:200]
    listed = on_b.get("/api/2.0/files/@my").json()["response"]["files"]
    assert file["id"] in [entry["id"] for entry in listed]


def test_session_token_from_a_is_accepted_by_b(
    nodes: tuple[FolioServer, FolioServer], someone: TestUser
) -> None:
    a, b = nodes
    with a.client() as anonymous:
        token = anonymous.post(
            "/api/2.0/authentication",
            json={"userName": someone.email, "password": someone.password},
        ).json()["response"]["token"]

    with b.client() as http:
        answer = http.get("/api/2.0/files/@my", headers={"Authorization": token})

    assert answer.status_code == 200


def test_failed_logins_on_both_nodes_count_together(
    nodes: tuple[FolioServer, FolioServer],
) -> None:
    victim = nodes[0].new_user()
    clients = [node.client() for node in nodes]
    wrong = {"userName": victim.email, "password": "not the password"}
    try:
        for attempt in range(5):
            answer = clients[attempt % 2].post("/api/2.0/authentication", json=wrong)
            assert answer.status_code == 401

        right = {"userName": victim.email, "password": victim.password}
        refused = clients[1].post("/api/2.0/authentication", json=right)
    finally:
        for client in clients:
            client.close()

    assert refused.status_code == 403


def test_operation_started_on_a_is_polled_to_completion_on_b(
    on_a: httpx.Client, on_b: httpx.Client
) -> None:
    file = _upload(on_a, "doomed.txt", b"soon in the trash")

    started = on_a.request(
        "DELETE", f"/api/2.0/files/file/{file['id']}", json={"immediately": False}
    )
    operation_id = started.json()["response"][0]["id"]
    done = wait_for_operation(on_b, operation_id)

    assert (done["progress"], done["error"]) == (100, "")
    trash = on_b.get("/api/2.0/files/@trash").json()["response"]["files"]
    assert file["id"] in [entry["id"] for entry in trash]


def test_each_operation_runs_once_across_both_nodes(
    nodes: tuple[FolioServer, FolioServer], on_a: httpx.Client, on_b: httpx.Client
) -> None:
    clients = [on_a, on_b]
    files = [_upload(clients[i % 2], f"many-{i}.txt", b"x") for i in range(12)]
    operation_ids = []
    for i, file in enumerate(files):
        started = clients[i % 2].request(
            "DELETE", f"/api/2.0/files/file/{file['id']}", json={"immediately": True}
        )
        operation_ids.append(started.json()["response"][0]["id"])

    for i, operation_id in enumerate(operation_ids):
        done = wait_for_operation(clients[(i + 1) % 2], operation_id)
        assert done["error"] == ""

    claims = [
        line
        for node in nodes
        for line in _log_lines(node, "operation.claimed")
        if any(f"id={operation_id} " in line for operation_id in operation_ids)
    ]
    claimed_ids = sorted(re.search(r"id=(\S+)", line).group(1) for line in claims)  # type: ignore[union-attr]
    assert claimed_ids == sorted(operation_ids)


def test_each_periodic_job_runs_once_per_interval_across_both_nodes(
    nodes: tuple[FolioServer, FolioServer],
) -> None:
    time.sleep(4 * SWEEP_INTERVAL)

    for name, interval in (
        ("sweep-orphaned-content", SWEEP_INTERVAL),
        ("recover-operations", LEASE_SECONDS),
    ):
        starts = sorted(
            float(re.search(r"started=(\S+)", line).group(1))  # type: ignore[union-attr]
            for node in nodes
            for line in _log_lines(node, "job.ran")
            if f"name={name} " in line
        )
        gaps = [
            later - earlier for earlier, later in zip(starts, starts[1:], strict=False)
        ]
        assert len(starts) >= 2, name
        # Clocks are one machine's; a little slack covers the ticks' own timing.
        assert min(gaps) >= interval - 0.05, (name, gaps)


def test_orphaned_content_is_swept_once_and_referenced_content_kept(
    nodes: tuple[FolioServer, FolioServer], on_a: httpx.Client, s3: MotoServer
) -> None:
    kept = _upload(on_a, "kept.txt", b"still referenced")
    settings = nodes[0].settings()
    url = settings.storage_url
    assert url is not None
    bucket = url.removeprefix("s3://").split("/", 1)[0]
    prefix = url.split("?", 1)[0].removeprefix(f"s3://{bucket}/")
    orphan = f"{prefix}/objects/{'0' * 32}"
    s3.client().put_object(Bucket=bucket, Key=orphan, Body=b"nobody's")

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listed = s3.client().list_objects_v2(Bucket=bucket, Prefix=orphan)
        if not listed.get("KeyCount"):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the orphaned content was not swept")

    assert _download(on_a, kept["id"]) == b"still referenced"


def test_chunked_session_alternating_between_nodes_completes_with_right_sha256(
    on_a: httpx.Client, on_b: httpx.Client
) -> None:
    chunk = 5 * MIB
    data = os.urandom(3 * chunk + 1234)
    my_id = on_a.get("/api/2.0/files/@my").json()["response"]["current"]["id"]
    session = on_a.post(
        f"/api/2.0/files/{my_id}/session",
        json={"fileName": "alternating.bin", "fileSize": len(data)},
    )
    assert session.status_code == 200, session.text
    session_id = session.json()["response"]["id"]

    clients = [on_a, on_b]
    for number, offset in enumerate(range(0, len(data), chunk), start=1):
        sent = clients[number % 2].post(
            f"/api/2.0/files/{my_id}/session/{session_id}/upload",
            params={"chunkNumber": number},
            files={"file": ("blob", data[offset : offset + chunk])},
        )
        assert sent.status_code == 200, sent.text
    finished = on_b.put(f"/api/2.0/files/{my_id}/session/{session_id}/finalize")

    assert finished.status_code == 201, finished.text
    file_id = finished.json()["response"]["id"]
    assert hashlib.sha256(_download(on_a, file_id)).hexdigest() == (
        hashlib.sha256(data).hexdigest()
    )
