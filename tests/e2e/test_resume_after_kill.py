"""A chunked upload survives the server being killed halfway through it."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import httpx

from helpers import FolioServer

MIB = 1024 * 1024
CHUNK = 10 * MIB


def test_upload_resumes_after_sigkill_and_keeps_every_byte(tmp_path: Path) -> None:
    source = random.Random(20261203).randbytes(100 * MIB)
    folio = FolioServer(tmp_path / "data")
    folio.start()
    try:
        user = folio.new_user()
        with folio.client(user.key) as client:
            session = client.post(
                "/api/2.0/files/@my/session",
                json={"fileName": "scan.tiff", "fileSize": len(source)},
            ).json()["response"]
            chunk_url = f"/api/2.0/files/@my/session/{session['id']}"
            for start in range(0, len(source) // 2, CHUNK):
                sent = client.post(
                    chunk_url, files={"file": ("blob", source[start : start + CHUNK])}
                )
                assert sent.status_code == 200

        folio.kill()
        folio.start()

        with folio.client(user.key) as client:
            state = client.get(chunk_url).json()["response"]
            assert state["chunks_uploaded"] == [1, 2, 3, 4, 5]
            assert state["bytes_uploaded"] == len(source) // 2
            answers = [
                client.post(
                    chunk_url, files={"file": ("blob", source[start : start + CHUNK])}
                )
                for start in range(state["bytes_uploaded"], len(source), CHUNK)
            ]
            assert [a.status_code for a in answers] == [200] * 4 + [201]
            file = answers[-1].json()["response"]["file"]

            digest = hashlib.sha256()
            with client.stream(
                "GET",
                "/filehandler.ashx",
                params={"action": "download", "fileid": file["id"]},
            ) as download:
                assert download.status_code == 200
                for piece in download.iter_bytes():
                    digest.update(piece)
                etag = download.headers["etag"]
    finally:
        folio.stop()

    expected = hashlib.sha256(source).hexdigest()
    assert digest.hexdigest() == expected
    assert etag == f'"{expected}"'
    assert file["pureContentLength"] == len(source)
    assert httpx.URL(session["location"]).params["uid"] == session["id"]
