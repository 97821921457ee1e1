"""GET /api/2.0/files/@my: paging, order, filters, and the saved sort."""

from __future__ import annotations

import time

import docspace_api_sdk as sdk
import httpx
import pytest

from folio.domain.entries import EntryType
from folio.services.accounts import Caller
from folio.services.space import Space
from helpers import FolioServer, TestUser


def _upload(client: httpx.Client, name: str, data: bytes = b"x") -> dict[str, object]:
    answer = client.post("/api/2.0/files/@my/upload", files={"file": (name, data)})
    return dict(answer.json()["response"][0])


def _titles(answer: httpx.Response) -> list[str]:
    body = answer.json()["response"]
    return [f["title"] for f in body["folders"]] + [f["title"] for f in body["files"]]


def _make_folders(server: FolioServer, user: TestUser, *titles: str) -> None:
    """Folders straight in the database (their endpoints are tested elsewhere)."""

    async def make(space: Space) -> None:
        account = await space.accounts.user(user.user_id)
        my = await space.documents.my_documents(Caller(account))
        from datetime import UTC, datetime

        from folio.persistence.entries import EntryQueries

        async with space.db.write() as connection:
            for title in titles:
                now = datetime.now(UTC)
                await EntryQueries(connection).insert(
                    parent=my, portal_id=my.portal_id, owner_id=account.id,
                    entry_type=EntryType.FOLDER, parent_id=my.id, root_id=my.root_id,
                    root_type=my.root_type, title=title, created=now, updated=now,
                    created_by=account.id, updated_by=account.id,
                )  # fmt: skip

    server.run(make)


def test_empty_my_documents_has_the_docspace_shape(client: httpx.Client) -> None:
    body = client.get("/api/2.0/files/@my").json()
    content = body["response"]
    assert (content["files"], content["folders"]) == ([], [])
    assert (content["total"], content["count"], content["startIndex"]) == (0, 0, 0)
    assert content["current"]["title"] == "My documents"
    assert content["current"]["parentId"] == 0
    assert content["current"]["rootFolderType"] == 5
    assert content["current"]["rootFolderId"] == content["current"]["id"]
    assert "type" not in content["current"]
    assert content["pathParts"] == [
        {"id": content["current"]["id"], "title": "My documents", "folderType": 5}
    ]
    assert (body["status"], body["statusCode"], body["count"]) == (0, 200, 1)


def test_default_order_is_newest_first(client: httpx.Client) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        _upload(client, name)
        time.sleep(0.01)
    assert _titles(client.get("/api/2.0/files/@my")) == ["c.txt", "b.txt", "a.txt"]


def test_sort_by_is_saved_as_the_users_default(client: httpx.Client) -> None:
    for name in ("b.txt", "c.txt", "a.txt"):
        _upload(client, name)
    sorted_az = client.get("/api/2.0/files/@my", params={"sortBy": "AZ"})
    assert _titles(sorted_az) == ["a.txt", "b.txt", "c.txt"]
    assert _titles(client.get("/api/2.0/files/@my")) == ["a.txt", "b.txt", "c.txt"]

    descending = client.get(
        "/api/2.0/files/@my", params={"sortBy": "az", "sortOrder": 1}
    )
    assert _titles(descending) == ["c.txt", "b.txt", "a.txt"]
    assert _titles(client.get("/api/2.0/files/@my")) == ["c.txt", "b.txt", "a.txt"]


def test_sort_by_size(client: httpx.Client) -> None:
    _upload(client, "big.txt", b"x" * 30)
    _upload(client, "small.txt", b"x")
    _upload(client, "mid.txt", b"x" * 10)
    answer = client.get("/api/2.0/files/@my", params={"sortBy": "Size", "sortOrder": 0})
    assert _titles(answer) == ["small.txt", "mid.txt", "big.txt"]


def test_paging_spans_folders_then_files(
    server: FolioServer, client: httpx.Client, user: TestUser
) -> None:
    _make_folders(server, user, "F1", "F2", "F3")
    for n in range(5):
        _upload(client, f"file{n}.txt")
    params = {"sortBy": "AZ", "startIndex": 2, "count": 5}
    answer = client.get("/api/2.0/files/@my", params=params).json()["response"]

    assert [f["title"] for f in answer["folders"]] == ["F3"]
    assert [f["title"] for f in answer["files"]] == [f"file{n}.txt" for n in range(4)]
    assert (answer["count"], answer["total"], answer["startIndex"]) == (5, 8, 2)
    assert answer["current"]["filesCount"] == 5
    assert answer["current"]["foldersCount"] == 3

    last = client.get("/api/2.0/files/@my", params={**params, "startIndex": 7})
    assert _titles(last) == ["file4.txt"]
    beyond = client.get("/api/2.0/files/@my", params={**params, "startIndex": 99})
    assert beyond.json()["response"]["count"] == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filterType": 1}, ["a.docx", "b.xlsx", "c.png", "d.txt"]),
        ({"filterType": 2}, ["Docs"]),
        ({"filterType": 3}, ["a.docx", "d.txt"]),
        ({"filterType": "SpreadsheetsOnly"}, ["b.xlsx"]),
        ({"filterType": 7}, ["c.png"]),
        ({"filterValue": "B."}, ["b.xlsx"]),
        ({"filterValue": "doc"}, ["Docs", "a.docx"]),
        ({"filterValue": "doc", "applyFilterOption": 1}, ["Docs", "a.docx"]),
        ({"filterValue": "xlsx", "applyFilterOption": 1}, ["Docs", "b.xlsx"]),
        (
            {"filterValue": "xlsx", "applyFilterOption": 2},
            ["a.docx", "b.xlsx", "c.png", "d.txt"],
        ),
        ({"filterValue": "nothing matches"}, []),
    ],
)
def test_filters(
    server: FolioServer,
    client: httpx.Client,
    user: TestUser,
    params: dict[str, object],
    expected: list[str],
) -> None:
    _make_folders(server, user, "Docs")
    for name in ("a.docx", "b.xlsx", "c.png", "d.txt"):
        _upload(client, name)
    answer = client.get("/api/2.0/files/@my", params={"sortBy": "AZ", **params})
    assert answer.status_code == 200
    assert _titles(answer) == expected
    assert answer.json()["response"]["total"] == len(expected)


@pytest.mark.parametrize(
    "params",
    [
        {"count": 0},
        {"count": 101},
        {"count": "many"},
        {"startIndex": -1},
        {"filterType": 999},
        {"sortOrder": "sideways"},
    ],  # fmt: skip
)
def test_listing_parameters_out_of_range_answer_400(
    client: httpx.Client, params: dict[str, object]
) -> None:
    answer = client.get("/api/2.0/files/@my", params=params)
    assert answer.status_code == 400
    assert answer.json()["status"] == 1


def test_unknown_sort_name_is_ignored(client: httpx.Client) -> None:
    answer = client.get("/api/2.0/files/@my", params={"sortBy": "Whatever"})
    assert answer.status_code == 200


def test_listing_through_the_sdk_with_every_parameter(
    sdk_client: sdk.ApiClient, client: httpx.Client
) -> None:
    for name in ("a.docx", "b.xlsx"):
        _upload(client, name)
    listing = sdk.FoldersApi(sdk_client).get_my_folder(
        filter_type=sdk.FilterType(5),
        apply_filter_option=sdk.ApplyFilterOption(0),
        count=10,
        start_index=0,
        sort_by="AZ",
        sort_order=sdk.SortOrder(1),
        filter_value="b",
    )
    assert listing.response.total == 1
    assert listing.response.files[0].title == "b.xlsx"
