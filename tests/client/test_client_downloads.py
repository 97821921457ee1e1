"""Downloads: to paths, folders and streams; versions; resumption after a cut."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from proxy import CutResponse, Forward, Head, Proxy, Rule
from support import FAST

import helpers
from folio.client import DownloadInterrupted, Folio, NotFound, Retry

CONTENT = bytes(range(256)) * 1200  # 307,200 bytes


def test_download_to_a_path_writes_the_bytes(folio: Folio, tmp_path: Path) -> None:
    file = folio.upload(CONTENT, title="data.bin")

    saved = folio.download(file, tmp_path / "copy.bin")

    assert saved == tmp_path / "copy.bin"
    assert saved.read_bytes() == CONTENT
    assert os.listdir(tmp_path) == ["copy.bin"]


def test_download_to_a_folder_uses_the_files_title(
    folio: Folio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = folio.upload(b"titled", title="titled.txt")
    monkeypatch.chdir(tmp_path)

    into_folder = folio.download(file.id, tmp_path)
    into_cwd = folio.download(file.id)

    assert into_folder == into_cwd == tmp_path / "titled.txt"
    assert into_cwd.read_bytes() == b"titled"


def test_download_to_a_stream_returns_the_byte_count(folio: Folio) -> None:
    file = folio.upload(CONTENT, title="stream.bin")
    buffer = io.BytesIO()

    written = folio.download_to(file, buffer)

    assert written == len(CONTENT)
    assert buffer.getvalue() == CONTENT


def test_download_of_a_version_returns_that_versions_bytes(
    folio: Folio, tmp_path: Path
) -> None:
    folio.upload(b"first", title="history.txt")
    current = folio.upload(b"second", title="history.txt")

    old = folio.download(current, tmp_path / "old.txt", version=1)

    assert old.read_bytes() == b"first"
    assert folio.read(current) == b"second"


def test_download_reports_progress_up_to_the_size(folio: Folio, tmp_path: Path) -> None:
    file = folio.upload(CONTENT, title="meter.bin")
    seen: list[tuple[int, int]] = []

    folio.download(file, tmp_path, progress=lambda *p: seen.append(p))

    assert seen[-1] == (len(CONTENT), len(CONTENT))


def test_download_of_an_unknown_file_raises_not_found_and_leaves_nothing(
    folio: Folio, tmp_path: Path
) -> None:
    with pytest.raises(NotFound):
        folio.download(999999999, tmp_path / "nothing.bin")

    assert os.listdir(tmp_path) == []


def _cut_downloads(times: int, after: int) -> Rule:
    left = [times]

    def rule(head: Head) -> CutResponse | Forward:
        if head.path == "/filehandler.ashx" and left[0] > 0:
            left[0] -= 1
            return CutResponse(after=after)
        return Forward()

    return rule


def test_download_cut_mid_transfer_resumes_with_a_range(
    proxy: Proxy, proxied: Folio, tmp_path: Path
) -> None:
    file = proxied.upload(CONTENT, title="resumed.bin")
    proxy.rule = _cut_downloads(1, after=100_000)

    saved = proxied.download(file, tmp_path)

    assert saved.read_bytes() == CONTENT
    first, second = proxy.requests("GET", "/filehandler.ashx")
    assert "range" not in first.headers
    assert second.headers["range"] == "bytes=100000-"


def test_download_interrupted_is_resumed_by_the_next_call(
    proxy: Proxy, user: helpers.TestUser, tmp_path: Path
) -> None:
    proxy.rule = _cut_downloads(1, after=120_000)
    target = tmp_path / "later.bin"
    with Folio(proxy.url, user.key, retry=Retry(attempts=1)) as fragile:
        file = fragile.upload(CONTENT, title="later.bin")
        with pytest.raises(DownloadInterrupted) as raised:
            fragile.download(file, target)

    state = raised.value.state
    assert (state.received, state.size) == (120_000, len(CONTENT))
    assert state.partial is not None and state.partial.stat().st_size == 120_000
    assert not target.exists()

    with Folio(proxy.url, user.key, retry=FAST) as again:
        again.download(file, target)

    assert target.read_bytes() == CONTENT
    assert not state.partial.exists()
    assert proxy.requests("GET", "/filehandler.ashx")[-1].headers["range"] == (
        "bytes=120000-"
    )


def test_download_whose_partial_file_is_complete_only_renames_it(
    folio: Folio, tmp_path: Path
) -> None:
    file = folio.upload(CONTENT, title="whole.bin")
    target = tmp_path / "whole.bin"
    partial = tmp_path / f".whole.bin.{file.id}-v1.part"
    partial.write_bytes(CONTENT)

    folio.download(file, target)

    assert target.read_bytes() == CONTENT
    assert not partial.exists()
