"""AsyncFolio: the same plans as Folio, driven by asyncio."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from proxy import CutResponse, Forward, Head, Proxy, Reply
from support import FAST

import helpers
from folio.client import (
    AsyncFolio,
    AuthenticationError,
    FileType,
    NotFound,
    OperationType,
    PermissionDenied,
)

pytestmark = pytest.mark.anyio


def _client(url: str, user: helpers.TestUser) -> AsyncFolio:
    return AsyncFolio(url, user.key, retry=FAST)


async def test_async_upload_list_read_and_delete(
    server: helpers.FolioServer, user: helpers.TestUser, tmp_path: Path
) -> None:
    async with _client(server.url, user) as folio:
        file = await folio.upload(b"async bytes", title="async.txt")
        plan = await folio.create("Plan")
        listing = await folio.my_documents(sort_by="AZ", descending=False)
        content = await folio.read(file)
        saved = await folio.download(file, tmp_path)
        found = await folio.find("Plan.docx")
        operation = await folio.delete(file)
        trash = await folio.trash()
        me = await folio.me()

    assert [f.title for f in listing.files] == ["async.txt", "Plan.docx"]
    assert content == b"async bytes" and saved.read_bytes() == b"async bytes"
    assert found.id == plan.id and plan.file_type is FileType.DOCUMENT
    assert operation.type is OperationType.DELETE and operation.finished
    assert [f.id for f in trash.files] == [file.id]
    assert me.email == user.email


async def test_async_entries_iterate_over_every_page(
    server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    async with _client(server.url, user) as folio:
        for number in range(5):
            await folio.upload(io.BytesIO(b"x"), title=f"a-{number}.txt")
        titles = [entry.title async for entry in folio.entries(count=2)]
        pages = [len(page) async for page in folio.pages(count=2)]

    assert sorted(titles) == [f"a-{n}.txt" for n in range(5)]
    assert pages == [2, 2, 1]


async def test_async_errors_map_to_the_same_classes(
    server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    async with _client(server.url, user) as folio:
        with pytest.raises(NotFound, match="The required file was not found"):
            await folio.get_file(999999999)
        trash = (await folio.trash()).folder
        with pytest.raises(PermissionDenied):
            await folio.upload(b"x", trash, title="no.txt")
    async with AsyncFolio(server.url, "sk-" + "f" * 64, retry=FAST) as stranger:
        with pytest.raises(AuthenticationError):
            await stranger.my_documents()


async def test_async_password_login(
    server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    async with AsyncFolio(server.url, email=user.email, password=user.password) as c:
        assert (await c.me()).id == user.user_id


async def test_async_429_is_retried(proxy: Proxy, user: helpers.TestUser) -> None:
    left = [1]

    def rule(head: Head) -> Reply | Forward:
        if head.path == "/api/2.0/files/@my" and left[0]:
            left[0] -= 1
            return Reply(429, {"Retry-After": "0"})
        return Forward()

    proxy.rule = rule
    async with _client(proxy.url, user) as folio:
        assert (await folio.my_documents()).total == 0

    assert len(proxy.requests("GET", "/api/2.0/files/@my")) == 2


async def test_async_download_cut_mid_transfer_resumes(
    proxy: Proxy, user: helpers.TestUser, tmp_path: Path
) -> None:
    content = bytes(range(256)) * 800
    left = [1]

    def rule(head: Head) -> CutResponse | Forward:
        if head.path == "/filehandler.ashx" and left[0]:
            left[0] -= 1
            return CutResponse(after=50_000)
        return Forward()

    proxy.rule = rule
    async with _client(proxy.url, user) as folio:
        file = await folio.upload(content, title="cut.bin")
        saved = await folio.download(file, tmp_path)

    assert saved.read_bytes() == content
    assert proxy.requests("GET", "/filehandler.ashx")[1].headers["range"] == (
        "bytes=50000-"
    )


async def test_async_closed_client_refuses_calls(
    server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    folio = _client(server.url, user)
    await folio.aclose()
    await folio.aclose()

    with pytest.raises(RuntimeError, match="closed"):
        await folio.my_documents()
