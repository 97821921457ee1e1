"""Fault injection, observed the way a client meets it: over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from folio.testing import Portal


def _file(owner: httpx.Client, size: int = 200_000) -> int:
    answer = owner.post(
        "/api/2.0/files/@my/upload", files={"file": ("big.bin", b"x" * size)}
    )
    return int(answer.json()["response"][0]["id"])


def test_latency_fault_delays_only_the_matching_requests(
    portal: Portal, owner: httpx.Client
) -> None:
    portal.set_faults({"kind": "latency", "ms": 400, "path": "/api/2.0/files/*"})
    started = time.monotonic()
    assert owner.get("/api/2.0/files/@my").status_code == 200
    assert time.monotonic() - started >= 0.4

    started = time.monotonic()
    assert owner.get("/api/2.0/people/@self").status_code == 200
    assert time.monotonic() - started < 0.4


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_status_fault_answers_with_the_proxys_html_page(
    portal: Portal, owner: httpx.Client, status: int
) -> None:
    portal.set_faults(
        {"kind": "status", "status": status, "path": "/api/2.0/files/@my"}
    )
    answer = owner.get("/api/2.0/files/@my")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert f"<title>{status} " in answer.text and "nginx" in answer.text
    # Other paths are untouched.
    assert owner.get("/api/2.0/files/@trash").status_code == 200


def test_other_status_faults_answer_docspace_error_bodies(
    portal: Portal, owner: httpx.Client
) -> None:
    portal.set_faults(
        {"kind": "status", "status": 500, "path": "/api/2.0/files/*", "method": "POST"},
        {"kind": "status", "status": 429, "path": "/api/2.0/people/@self"},
    )
    failed = owner.post("/api/2.0/files/@my/file", json={"title": "A.docx"})
    assert failed.status_code == 500
    assert failed.json()["statusCode"] == 500 and failed.json()["status"] == 1
    assert owner.get("/api/2.0/files/@my").json()["response"]["total"] == 0

    limited = owner.get("/api/2.0/people/@self")
    assert (limited.status_code, limited.content) == (429, b"")
    assert limited.headers["retry-after"] == "1"


def test_fault_with_times_expires_after_that_many_requests(
    portal: Portal, owner: httpx.Client
) -> None:
    portal.set_faults({"kind": "status", "status": 503, "path": "*", "times": 2})
    statuses = [owner.get("/api/2.0/files/@my").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert owner.get("/_folio/faults").json() == {"faults": []}


def test_drop_fault_closes_the_connection_mid_body(
    portal: Portal, owner: httpx.Client
) -> None:
    file_id = _file(owner)
    portal.set_faults({"kind": "drop", "path": "/filehandler.ashx"})
    received = 0
    with pytest.raises(httpx.RemoteProtocolError):
        with owner.stream(
            "GET", "/filehandler.ashx", params={"action": "download", "fileid": file_id}
        ) as answer:
            assert answer.status_code == 200
            assert answer.headers["content-length"] == "200000"
            for chunk in answer.iter_raw():
                received += len(chunk)
    assert 0 < received < 200_000

    portal.clear_faults()
    whole = owner.get(
        "/filehandler.ashx", params={"action": "download", "fileid": file_id}
    )
    assert len(whole.content) == 200_000


def test_faults_apply_to_their_portal_only(
    portal: Portal, owner: httpx.Client, second_portal: Portal
) -> None:
    portal.set_faults({"kind": "status", "status": 503})
    assert owner.get("/api/2.0/files/@my").status_code == 503
    with second_portal.client() as second:
        assert second.get("/api/2.0/files/@my").status_code == 200


def test_faults_never_reach_the_emulators_own_endpoints(
    portal: Portal, owner: httpx.Client
) -> None:
    portal.set_faults({"kind": "status", "status": 503, "path": "*"})
    listed = owner.get("/_folio/faults")
    assert listed.status_code == 200
    assert listed.json() == {"faults": [{"kind": "status", "path": "*", "status": 503}]}
    assert owner.delete("/_folio/faults").json() == {"faults": []}
    assert owner.get("/api/2.0/files/@my").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"faults": [{"kind": "explode"}]}, id="unknown-kind"),
        pytest.param(
            {"faults": [{"kind": "status", "status": 200}]}, id="not-an-error"
        ),
        pytest.param({"faults": [{"kind": "latency"}]}, id="latency-without-ms"),
        pytest.param({"faults": [{"kind": "drop", "path": "files"}]}, id="bad-path"),
        pytest.param({"fault": []}, id="no-faults-list"),
    ],
)
def test_unclear_fault_settings_are_refused_and_change_nothing(
    portal: Portal, owner: httpx.Client, body: dict[str, object]
) -> None:
    portal.set_faults({"kind": "latency", "ms": 1})
    answer = owner.put("/_folio/faults", json=body)
    assert answer.status_code == 400
    assert owner.get("/_folio/faults").json()["faults"] == [
        {"kind": "latency", "path": "*", "ms": 1}
    ]
