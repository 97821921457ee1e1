"""Refused requests: DocSpace-shaped errors, the right status, nothing changed."""

from __future__ import annotations

import httpx
import pytest


def _state(client: httpx.Client) -> tuple[int, int, object]:
    my = client.get("/api/2.0/files/@my").json()["response"]
    trash = client.get("/api/2.0/files/@trash").json()["response"]
    used = client.get("/api/2.0/people/@self").json()["response"]["usedSpace"]
    return my["total"], trash["total"], used


@pytest.mark.parametrize(
    ("request_args", "status"),
    [
        pytest.param(
            {"content": b"{oops", "headers": {"Content-Type": "application/json"}},
            400, id="malformed-json",
        ),
        pytest.param(
            {"content": b"[1, 2]", "headers": {"Content-Type": "application/json"}},
            400, id="json-array",
        ),
        pytest.param({}, 415, id="no-body"),
        pytest.param(
            {"content": b"", "headers": {"Content-Type": "application/json"}},
            400, id="empty-body",
        ),
        pytest.param({"json": {}}, 400, id="missing-title"),
        pytest.param({"json": {"title": ""}}, 400, id="empty-title"),
        pytest.param({"json": {"title": "   "}}, 400, id="blank-title"),
        pytest.param({"json": {"title": None}}, 400, id="null-title"),
        pytest.param({"json": {"title": 42}}, 400, id="number-title"),
        pytest.param({"json": {"title": "x" * 166}}, 400, id="166-characters"),
        pytest.param({"json": {"title": "."}}, 400, id="one-dot"),
        pytest.param({"json": {"title": ".."}}, 400, id="two-dots"),
        pytest.param({"json": {"title": "...."}}, 400, id="dots-only"),
    ],
)  # fmt: skip
def test_create_file_refusals(
    client: httpx.Client, request_args: dict[str, object], status: int
) -> None:
    before = _state(client)
    answer = client.post("/api/2.0/files/@my/file", **request_args)  # type: ignore[arg-type]

    assert answer.status_code == status
    if status == 400:
        body = answer.json()
        assert body["status"] == 1 and body["statusCode"] == 400
        assert "error" in body or "errors" in body["response"]
    assert _state(client) == before


def test_title_of_165_characters_is_accepted(client: httpx.Client) -> None:
    title = "x" * 160 + ".docx"
    answer = client.post("/api/2.0/files/@my/file", json={"title": title})
    assert answer.status_code == 200
    assert answer.json()["response"]["title"] == title


def test_over_long_title_names_the_field_and_the_limit(client: httpx.Client) -> None:
    answer = client.post("/api/2.0/files/@my/file", json={"title": "x" * 166})
    assert answer.json()["response"]["errors"]["Title"] == [
        "The field Title must be a string with a maximum length of 165."
    ]


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("a/b.docx", "a_b.docx"),
        ("a\\b.docx", "a_b.docx"),
        ("bell\x07.docx", "bell_.docx"),
        ("new\nline.docx", "new_line.docx"),
        ('q"<>|?*:.docx', "q_______.docx"),
        ("..hidden", "..hidden.docx"),
    ],
)
def test_risky_characters_are_rewritten_as_docspace_does(
    client: httpx.Client, title: str, stored: str
) -> None:
    answer = client.post("/api/2.0/files/@my/file", json={"title": title})
    assert answer.status_code == 200
    assert answer.json()["response"]["title"] == stored


@pytest.mark.parametrize(
    "file_id", ["abc", "-5", "0", "1.5", "99999999999", "999999999"]
)
def test_bad_or_unknown_file_ids_answer_404(client: httpx.Client, file_id: str) -> None:
    answer = client.get(f"/api/2.0/files/file/{file_id}")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "The required file was not found"


@pytest.mark.parametrize("folder_id", ["abc", "-5", "0", "99999999999", "999999999"])
def test_bad_or_unknown_folder_ids_answer_404(
    client: httpx.Client, folder_id: str
) -> None:
    for answer in (
        client.get(f"/api/2.0/files/{folder_id}"),
        client.post(f"/api/2.0/files/{folder_id}/file", json={"title": "x"}),
        client.post(
            f"/api/2.0/files/{folder_id}/upload", files={"file": ("a.txt", b"x")}
        ),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["message"] == "The required folder was not found"


def test_upload_with_an_unusable_file_name_is_refused(client: httpx.Client) -> None:
    before = _state(client)
    for name in ("", "..", "x" * 166):
        answer = client.post(
            "/api/2.0/files/@my/upload", files={"file": (name, b"data")}
        )
        assert answer.status_code == 400, name
    assert _state(client) == before


def test_unknown_route_answers_a_json_404(client: httpx.Client) -> None:
    answer = client.get("/api/2.0/nothing/here")
    assert answer.status_code == 404
    assert answer.json()["status"] == 1


def test_errors_carry_docspace_error_envelope(client: httpx.Client) -> None:
    body = client.get("/api/2.0/files/file/999999999").json()
    assert set(body) == {"status", "statusCode", "error"}
    assert set(body["error"]) == {"message", "type", "stack", "hresult"}
    assert body["statusCode"] == 404
