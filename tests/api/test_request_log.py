"""Structured logs: one line per request, with a request id the client also sees."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx

from helpers import Deployment, FolioServer


def _access_lines(server: FolioServer, request_id: str) -> list[str]:
    """The access lines of one request; written just after its answer is sent."""
    deadline = time.monotonic() + 5
    while True:
        found = [
            line
            for line in server.log_path.read_text().splitlines()
            if "event=http.request" in line and f"request_id={request_id}" in line
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_every_answer_carries_a_fresh_request_id(client: httpx.Client) -> None:
    first = client.get("/api/2.0/files/@my").headers["x-request-id"]
    second = client.get("/api/2.0/files/@my").headers["x-request-id"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_request_id_from_the_proxy_is_kept_and_logged_once(
    server: FolioServer, client: httpx.Client
) -> None:
    given = "nginx-7f3a9c01b2"

    answer = client.get("/api/2.0/files/@my", headers={"X-Request-Id": given})

    assert answer.headers["x-request-id"] == given
    (line,) = _access_lines(server, given)
    assert "method=GET" in line and "status=200" in line
    assert "route=/api/2.0/files/@my" in line


def test_request_id_that_is_not_sane_is_replaced(client: httpx.Client) -> None:
    answer = client.get(
        "/api/2.0/files/@my", headers={"X-Request-Id": "bad id\twith spaces"}
    )

    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"])


def test_refused_request_is_logged_with_its_status(
    server: FolioServer, anonymous: httpx.Client
) -> None:
    answer = anonymous.get("/api/2.0/files/@my")

    (line,) = _access_lines(server, answer.headers["x-request-id"])
    assert answer.status_code == 401 and "status=401" in line


def test_json_logs_are_one_object_a_line_with_the_request_fields(
    deployment: Deployment, tmp_path: Path
) -> None:
    folio = deployment.server(tmp_path / "data", env={"FOLIO_LOG_JSON": "true"})
    folio.start()
    try:
        with folio.client() as http:
            request_id = http.get("/health").headers["x-request-id"]
    finally:
        folio.stop()

    records = [json.loads(line) for line in folio.log_path.read_text().splitlines()]
    (access,) = [r for r in records if r.get("request_id") == request_id]
    assert access["event"] == "http.request"
    assert (access["route"], access["status"], access["logger"]) == (
        "/health",
        "200",
        "folio.access",
    )
    assert access["time"].endswith("Z") and access["level"] == "info"
