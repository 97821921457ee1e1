"""Chunked uploads: parallel chunks, re-sent chunks, resumption after a cut."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from proxy import CutRequest, CutResponse, Forward, Head, Proxy, Rule
from support import FAST

import helpers
from folio.client import AsyncFolio, Folio, Retry, UploadInterrupted, UploadState

CHUNK = 64 * 1024
CONTENT = hashlib.sha256(b"seed").digest() * (CHUNK * 11 // 64)  # 5.5 chunks


@pytest.fixture(scope="module")
def chunky(tmp_path_factory: pytest.TempPathFactory) -> Iterator[helpers.FolioServer]:
    """A server with small chunks, so that chunked uploads stay quick to test."""
    server = helpers.FolioServer(
        tmp_path_factory.mktemp("chunky") / "data",
        env={"FOLIO_CHUNK_SIZE": str(CHUNK)},
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def owner(chunky: helpers.FolioServer) -> helpers.TestUser:
    return chunky.new_user()


@pytest.fixture
def gate(chunky: helpers.FolioServer) -> Iterator[Proxy]:
    with Proxy(chunky.url) as proxy:
        yield proxy


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(CONTENT)
    return path


def _chunks(proxy: Proxy) -> list[int]:
    found = []
    for head in proxy.requests("POST"):
        if "/session/" in head.path and "chunkNumber=" in head.target:
            found.append(int(head.target.rsplit("chunkNumber=", 1)[1].split("&")[0]))
    return found


def _cut_chunks(
    numbers: set[int], action: CutRequest | CutResponse, times: int
) -> Rule:
    left = {number: times for number in numbers}

    def rule(head: Head) -> CutRequest | CutResponse | Forward:
        if head.method == "POST" and "chunkNumber=" in head.target:
            number = int(head.target.rsplit("chunkNumber=", 1)[1].split("&")[0])
            if left.get(number, 0) > 0:
                left[number] -= 1
                return action
        return Forward()

    return rule


def test_large_upload_goes_in_parallel_chunks_and_arrives_whole(
    gate: Proxy, owner: helpers.TestUser, source: Path
) -> None:
    seen: list[tuple[int, int]] = []
    with Folio(gate.url, owner.key, retry=FAST, parallel=3) as folio:
        file = folio.upload(
            source, chunk_size=CHUNK, progress=lambda *p: seen.append(p)
        )
        content = folio.read(file)

    assert content == CONTENT and file.size == len(CONTENT)
    assert sorted(_chunks(gate)) == [1, 2, 3, 4, 5, 6]
    assert len(gate.requests("PUT", "/api/2.0/files/")) == 1  # the finalize
    assert seen[-1] == (len(CONTENT), len(CONTENT))


def test_chunk_cut_mid_transfer_is_sent_again(
    gate: Proxy, owner: helpers.TestUser, source: Path
) -> None:
    gate.rule = _cut_chunks({3}, CutRequest(after=1000), times=1)

    with Folio(gate.url, owner.key, retry=FAST) as folio:
        file = folio.upload(source, chunk_size=CHUNK)
        assert folio.read(file) == CONTENT

    assert sorted(_chunks(gate)) == [1, 2, 3, 3, 4, 5, 6]


def test_interrupted_upload_resumes_with_only_the_missing_chunks(
    gate: Proxy, owner: helpers.TestUser, source: Path
) -> None:
    gate.rule = _cut_chunks({4}, CutRequest(after=1000), times=99)
    kept: list[str] = []
    with Folio(gate.url, owner.key, retry=Retry(attempts=2, backoff=0.01),
               parallel=1) as fragile:  # fmt: skip
        with pytest.raises(UploadInterrupted) as raised:
            fragile.upload(source, chunk_size=CHUNK, checkpoint=lambda s: kept.append(
                s.to_json()))  # fmt: skip

    state = raised.value.state
    assert state.done == {1, 2, 3} and state.remaining == [4, 5, 6]
    assert "after 3 of 6 chunks" in str(raised.value)
    assert UploadState.from_json(kept[-1]).done == {1, 2, 3}

    gate.rule = lambda head: Forward()
    before = len(_chunks(gate))
    with Folio(gate.url, owner.key, retry=FAST) as folio:
        file = folio.upload(source, resume=UploadState.from_json(kept[-1]))
        assert folio.read(file) == CONTENT
        assert [f.title for f in folio.my_documents().files] == ["big.bin"]

    assert sorted(_chunks(gate)[before:]) == [4, 5, 6]


def test_resume_of_a_changed_file_is_refused(
    owner: helpers.TestUser, chunky: helpers.FolioServer, source: Path
) -> None:
    state = UploadState(folder_id=1, session_id="x", title="big.bin", size=3,
                        chunk_size=CHUNK)  # fmt: skip

    with Folio(chunky.url, owner.key) as folio:
        with pytest.raises(ValueError, match="Cannot resume"):
            folio.upload(source, resume=state)


def test_resume_after_the_session_is_gone_starts_a_new_one(
    chunky: helpers.FolioServer, owner: helpers.TestUser, source: Path
) -> None:
    with Folio(chunky.url, owner.key, retry=FAST) as folio:
        home = folio.my_documents().folder.id
        stale = UploadState(folder_id=home, session_id="0" * 32, title="big.bin",
                            size=len(CONTENT), chunk_size=CHUNK, done={1})  # fmt: skip

        file = folio.upload(source, resume=stale)

        assert folio.read(file) == CONTENT


def test_lost_answer_to_finalize_still_returns_the_file(
    gate: Proxy, owner: helpers.TestUser, source: Path
) -> None:
    left = [1]

    def rule(head: Head) -> CutResponse | Forward:
        if head.method == "PUT" and head.path.endswith("/finalize") and left[0]:
            left[0] -= 1
            return CutResponse(after=0)
        return Forward()

    gate.rule = rule
    with Folio(gate.url, owner.key, retry=FAST) as folio:
        file = folio.upload(source, chunk_size=CHUNK)
        assert folio.read(file) == CONTENT
        assert len(folio.my_documents().files) == 1


@pytest.mark.anyio
async def test_async_chunked_upload_in_parallel_tasks(
    gate: Proxy, owner: helpers.TestUser, source: Path
) -> None:
    async with AsyncFolio(gate.url, owner.key, retry=FAST, parallel=4) as folio:
        file = await folio.upload(source, chunk_size=CHUNK)
        assert await folio.read(file) == CONTENT

    assert sorted(_chunks(gate)) == [1, 2, 3, 4, 5, 6]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_put_command_resumes_an_upload_when_run_again(
    gate: Proxy,
    owner: helpers.TestUser,
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from folio.cli.main import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    args = ["put", str(source), "--url", gate.url, "--key", owner.key]
    gate.rule = _cut_chunks({4}, CutRequest(after=1000), times=99)

    broken = CliRunner().invoke(main, args)

    assert broken.exit_code == 1
    assert broken.stderr.rstrip().endswith("Run the same command again to resume.")
    assert len(list((tmp_path / "state" / "folio" / "uploads").iterdir())) == 1
    assert sorted(set(_chunks(gate))) == [1, 2, 3, 4, 5, 6]

    gate.rule = lambda head: Forward()
    before = len(_chunks(gate))
    resumed = CliRunner().invoke(main, args)

    assert resumed.exit_code == 0, resumed.output
    assert _chunks(gate)[before:] == [4]
    assert list((tmp_path / "state" / "folio" / "uploads").iterdir()) == []
    with Folio(gate.url, owner.key) as folio:
        (file,) = folio.my_documents().files
        assert folio.read(file) == CONTENT
