"""Operators' endpoints: /health, /health/ready and Prometheus metrics at /metrics."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from helpers import FolioServer, MotoServer, wait_for_operation


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus' text format, or None if absent."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        found = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if found is None or found.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', found.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            return float(found.group(3))
    return None


def test_health_answers_ok_without_credentials(anonymous: httpx.Client) -> None:
    answer = anonymous.get("/health")

    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.headers["cache-control"] == "no-store"


def test_ready_reports_database_and_storage_reachable(
    anonymous: httpx.Client,
) -> None:
    answer = anonymous.get("/health/ready")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_ready_answers_503_naming_the_unreachable_store(
    s3: MotoServer, tmp_path: Path
) -> None:
    missing = s3.storage_url("no-such-bucket", "x")
    folio = FolioServer(tmp_path / "data", {"FOLIO_STORAGE_URL": missing})
    folio.start()
    try:
        with folio.client() as http:
            answer = http.get("/health/ready")
    finally:
        folio.stop()

    assert answer.status_code == 503
    body = answer.json()
    assert (body["status"], body["database"]) == ("unavailable", "ok")
    assert body["storage"].startswith("unavailable")


def test_metrics_count_requests_by_route_template_and_status(
    client: httpx.Client, anonymous: httpx.Client
) -> None:
    before = anonymous.get("/metrics").text
    client.get("/api/2.0/files/@my")
    client.get("/api/2.0/files/file/2147483000")

    after = anonymous.get("/metrics")

    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    route = "/api/2.0/files/file/{file_id}"
    labels = {"route": route, "method": "GET", "status": "404"}
    count_before = _sample(before, "folio_http_requests_total", **labels) or 0
    assert _sample(after.text, "folio_http_requests_total", **labels) == (
        count_before + 1
    )
    assert (
        _sample(
            after.text,
            "folio_http_request_duration_seconds_count",
            route="/api/2.0/files/@my",
            method="GET",
        )
        or 0
    ) >= 1


def test_metrics_count_bytes_received_and_sent(
    client: httpx.Client, anonymous: httpx.Client
) -> None:
    route = "/api/2.0/files/@my/upload"
    before = anonymous.get("/metrics").text
    received_before = _sample(before, "folio_http_received_bytes_total", route=route)
    sent_before = _sample(before, "folio_http_sent_bytes_total", route=route)

    answer = client.post(route, files={"file": ("m.bin", b"z" * 50_000)})
    after = anonymous.get("/metrics").text

    received = _sample(after, "folio_http_received_bytes_total", route=route)
    sent = _sample(after, "folio_http_sent_bytes_total", route=route)
    assert received is not None and sent is not None
    assert received - (received_before or 0) > 50_000
    assert sent - (sent_before or 0) == len(answer.content)


def test_metrics_show_the_operation_queue_and_durations(
    client: httpx.Client, anonymous: httpx.Client
) -> None:
    file = client.post(
        "/api/2.0/files/@my/upload", files={"file": ("q.txt", b"queued")}
    ).json()["response"][0]
    started = client.request(
        "DELETE", f"/api/2.0/files/file/{file['id']}", json={"immediately": True}
    )
    wait_for_operation(client, started.json()["response"][0]["id"])

    text = anonymous.get("/metrics").text

    assert _sample(text, "folio_operations", state="waiting") is not None
    assert _sample(text, "folio_operations", state="running") is not None
    assert (
        _sample(
            text,
            "folio_operation_duration_seconds_count",
            kind="delete",
            status="completed",
        )
        or 0
    ) >= 1
    assert _sample(text, "folio_upload_sessions_open") is not None


@pytest.mark.parametrize("path", ["/health", "/metrics"])
def test_operator_endpoints_need_no_credentials_and_carry_no_envelope(
    anonymous: httpx.Client, path: str
) -> None:
    answer = anonymous.get(path)

    assert answer.status_code == 200
    assert "statusCode" not in answer.text
