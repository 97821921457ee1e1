"""Downloads by redirect to the object store, where the deployment allows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpers import Deployment, FolioServer


@pytest.fixture
def presigning(deployment: Deployment, tmp_path: Path) -> Iterator[FolioServer]:
    folio = deployment.server(
        tmp_path / "data", env={"FOLIO_PRESIGNED_DOWNLOADS": "true"}
    )
    folio.start()
    yield folio
    folio.stop()


def test_download_redirects_to_the_store_when_it_can_serve_clients(
    deployment: Deployment, presigning: FolioServer
) -> None:
    user = presigning.new_user()
    with presigning.client(user.key) as http:
        file = http.post(
            "/api/2.0/files/@my/upload",
            files={"file": ("Résumé 2026.txt", b"straight from the store")},
        ).json()["response"][0]
        params = {"action": "download", "fileid": file["id"]}
        answer = http.get("/filehandler.ashx", params=params)
        head = http.head("/filehandler.ashx", params=params)

    if deployment.name == "embedded":
        # A folder on disk has no URL of its own: the node sends the bytes.
        assert answer.status_code == 200
        assert answer.content == b"straight from the store"
        return
    assert answer.status_code == 302
    assert answer.headers["cache-control"] == "no-store"
    assert head.status_code == 200  # HEAD is answered by the node itself
    fetched = httpx.get(answer.headers["location"])
    assert fetched.status_code == 200
    assert fetched.content == b"straight from the store"
    assert fetched.headers["content-disposition"] == (
        'attachment; filename="R_sum_ 2026.txt"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%202026.txt"
    )


def test_download_without_credentials_is_refused_before_any_redirect(
    presigning: FolioServer,
) -> None:
    with presigning.client() as http:
        answer = http.get(
            "/filehandler.ashx", params={"action": "download", "fileid": 1}
        )

    assert answer.status_code == 401
    assert "location" not in answer.headers
