"""Folders at any depth: create, rename, information, path, children, listing,
delete."""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx
import pytest
from space_helpers import (
    create_folder,
    listing,
    my_id,
    run_operation,
    titles,
    trash_id,
    upload,
)

from helpers import wait_for_operation

UNKNOWN = 999999999


def test_folder_create_in_my_documents_echoes_title_and_parent(
    client: httpx.Client,
) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Reports & (Q1) Отчёты")
    assert folder["title"] == "Reports & (Q1) Отчёты"
    assert folder["parentId"] == root
    assert folder["id"] > 0
    assert (folder["filesCount"], folder["foldersCount"]) == (0, 0)
    assert folder["rootFolderType"] == 5
    assert folder["isFavorite"] is False
    assert "type" not in folder


def test_folder_counts_are_recursive_at_any_depth(client: httpx.Client) -> None:
    root = my_id(client)
    a = create_folder(client, root, "A")
    b = create_folder(client, a["id"], "B")
    c = create_folder(client, b["id"], "C")
    upload(client, a["id"], "one.txt", b"1")
    upload(client, c["id"], "two.txt", b"22")
    upload(client, c["id"], "three.txt", b"333")

    info = client.get(f"/api/2.0/files/folder/{a['id']}").json()["response"]
    assert (info["filesCount"], info["foldersCount"]) == (3, 2)
    info = client.get(f"/api/2.0/files/folder/{c['id']}").json()["response"]
    assert (info["filesCount"], info["foldersCount"]) == (2, 0)
    my = client.get("/api/2.0/files/@my").json()["response"]["current"]
    assert (my["filesCount"], my["foldersCount"]) == (3, 3)


def test_folder_create_under_missing_parent_is_forbidden(client: httpx.Client) -> None:
    answer = client.post(f"/api/2.0/files/folder/{UNKNOWN}", json={"title": "X"})
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "The required folder was not found"


def test_folder_create_in_trash_is_forbidden(client: httpx.Client) -> None:
    answer = client.post(
        f"/api/2.0/files/folder/{trash_id(client)}", json={"title": "X"}
    )
    assert answer.status_code == 403
    assert listing(client, "@trash")["total"] == 0


@pytest.mark.parametrize("title", ["", "   "])
def test_folder_create_with_blank_title_is_400(
    client: httpx.Client, title: str
) -> None:
    answer = client.post(
        f"/api/2.0/files/folder/{my_id(client)}", json={"title": title}
    )
    assert answer.status_code == 400
    assert listing(client, "@my")["total"] == 0


def test_folder_rename_keeps_id_parent_and_counts(client: httpx.Client) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Old")
    upload(client, folder["id"], "a.txt", b"a")
    answer = client.put(
        f"/api/2.0/files/folder/{folder['id']}", json={"title": "Новый & (2)"}
    )
    assert answer.status_code == 200
    renamed = answer.json()["response"]
    assert (renamed["id"], renamed["parentId"], renamed["title"]) == (
        folder["id"],
        root,
        "Новый & (2)",
    )
    assert (renamed["filesCount"], renamed["foldersCount"]) == (1, 0)
    assert titles(listing(client, root))[0] == ["Новый & (2)"]
    again = client.put(
        f"/api/2.0/files/folder/{folder['id']}", json={"title": "Новый & (2)"}
    )
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("folder_id", "body", "status"),
    [
        (UNKNOWN, {"title": "X"}, 404),
        (0, {"title": "X"}, 404),
        (None, {"title": ""}, 400),
    ],
    ids=["unknown", "zero", "empty-title"],
)
def test_folder_rename_refusals(
    client: httpx.Client, folder_id: int | None, body: dict[str, str], status: int
) -> None:
    folder = create_folder(client, my_id(client), "Kept")
    target = folder["id"] if folder_id is None else folder_id
    answer = client.put(f"/api/2.0/files/folder/{target}", json=body)
    assert answer.status_code == status
    assert answer.json()["statusCode"] == status
    assert titles(listing(client, "@my"))[0] == ["Kept"]


def test_folder_rename_in_trash_is_forbidden(client: httpx.Client) -> None:
    folder = create_folder(client, my_id(client), "Gone")
    run_operation(client, "DELETE", f"/api/2.0/files/folder/{folder['id']}", {})
    answer = client.put(f"/api/2.0/files/folder/{folder['id']}", json={"title": "New"})
    assert answer.status_code == 403
    assert titles(listing(client, "@trash"))[0] == ["Gone"]


def test_folder_path_runs_from_my_documents_to_the_folder(client: httpx.Client) -> None:
    a = create_folder(client, my_id(client), "A")
    b = create_folder(client, a["id"], "B")
    answer = client.get(f"/api/2.0/files/folder/{b['id']}/path")
    assert answer.status_code == 200
    assert [part["title"] for part in answer.json()["response"]] == [
        "My documents",
        "A",
        "B",
    ]
    assert client.get(f"/api/2.0/files/folder/{UNKNOWN}/path").status_code == 404


def test_subfolders_are_direct_children_only_sorted_by_title(
    client: httpx.Client,
) -> None:
    root = my_id(client)
    for title in ("beta", "Alpha", "gamma"):
        create_folder(client, root, title)
    deep = create_folder(client, root, "delta")
    create_folder(client, deep["id"], "inner")
    upload(client, root, "file.txt", b"x")
    answer = client.get(f"/api/2.0/files/{root}/subfolders")
    assert answer.status_code == 200
    assert [f["title"] for f in answer.json()["response"]] == [
        "Alpha",
        "beta",
        "delta",
        "gamma",
    ]
    only_files = create_folder(client, root, "files only")
    upload(client, only_files["id"], "x.txt", b"x")
    assert (
        client.get(f"/api/2.0/files/{only_files['id']}/subfolders").json()["response"]
        == []
    )
    assert client.get(f"/api/2.0/files/{UNKNOWN}/subfolders").status_code == 404


def test_news_of_a_folder_is_an_empty_array(client: httpx.Client) -> None:
    answer = client.get(f"/api/2.0/files/{my_id(client)}/news")
    assert (answer.status_code, answer.json()["response"]) == (200, [])
    assert client.get(f"/api/2.0/files/{UNKNOWN}/news").status_code == 404
    assert client.get("/api/2.0/files/0/news").status_code == 404


def test_formfilter_is_an_empty_array_even_for_unknown_folders(
    client: httpx.Client,
) -> None:
    for folder in (my_id(client), UNKNOWN):
        answer = client.get(f"/api/2.0/files/{folder}/formfilter")
        assert (answer.status_code, answer.json()["response"]) == (200, [])


def test_folder_delete_to_trash_keeps_its_content(client: httpx.Client) -> None:
    folder = create_folder(client, my_id(client), "Box")
    inner = create_folder(client, folder["id"], "Inner")
    upload(client, inner["id"], "deep.txt", b"deep")
    answer = client.request(
        "DELETE", f"/api/2.0/files/folder/{folder['id']}", json={"immediately": False}
    )
    assert answer.status_code == 200
    assert answer.json()["count"] > 0
    first = answer.json()["response"][0]
    assert (first["Operation"], first["finished"]) == (2, False)
    assert not first["error"]
    run_operation(client, "PUT", "/api/2.0/files/fileops/delete", {})

    trash = listing(client, "@trash")
    assert titles(trash)[0] == ["Box"]
    assert trash["folders"][0]["originId"] == my_id(client)
    assert trash["folders"][0]["filesCount"] == 1
    assert titles(listing(client, "@my")) == ([], [])
    # A folder in Trash cannot be listed; the contract's message is kept.
    inside = client.get(f"/api/2.0/files/{folder['id']}")
    assert inside.status_code == 403
    assert (
        inside.json()["error"]["message"]
        == "You are not allowed to preview the elements in the Trash"
    )


def test_folder_delete_immediately_removes_every_level(client: httpx.Client) -> None:
    folder = create_folder(client, my_id(client), "Box")
    inner = create_folder(client, folder["id"], "Inner")
    upload(client, inner["id"], "deep.txt", b"deep")
    answer = client.request(
        "DELETE", f"/api/2.0/files/folder/{folder['id']}", json={"immediately": True}
    )
    wait_for_operation(client, answer.json()["response"][0]["id"])
    for gone in (folder["id"], inner["id"]):
        assert client.get(f"/api/2.0/files/folder/{gone}").status_code == 404
        assert client.get(f"/api/2.0/files/{gone}").status_code == 404
    assert listing(client, "@trash")["total"] == 0
    again = client.request(
        "DELETE", f"/api/2.0/files/folder/{folder['id']}", json={"immediately": True}
    )
    assert again.status_code == 404


def test_folder_delete_without_body_is_refused(client: httpx.Client) -> None:
    folder = create_folder(client, my_id(client), "Box")
    answer = client.delete(f"/api/2.0/files/folder/{folder['id']}")
    assert answer.status_code in (400, 415)
    assert titles(listing(client, "@my"))[0] == ["Box"]


# Listing parameters (section 7)


@pytest.fixture
def tree(client: httpx.Client) -> dict[str, int]:
    """My documents: Docs/{report.docx, notes.txt, Sub/{deep report.pdf}},
    Slides/{deck.pptx}, top.xlsx, report.txt."""
    root = my_id(client)
    docs = create_folder(client, root, "Docs")
    sub = create_folder(client, docs["id"], "Sub")
    slides = create_folder(client, root, "Slides")
    upload(client, docs["id"], "report.docx", b"d")
    upload(client, docs["id"], "notes.txt", b"n")
    upload(client, sub["id"], "deep report.pdf", b"p")
    upload(client, slides["id"], "deck.pptx", b"s")
    upload(client, root, "top.xlsx", b"x")
    upload(client, root, "report.txt", b"r")
    return {"root": root, "docs": docs["id"], "sub": sub["id"]}


def test_listing_filter_searches_subfolders_by_default(
    client: httpx.Client, tree: dict[str, int]
) -> None:
    found = listing(client, tree["root"], filterValue="report")
    assert sorted(titles(found)[1]) == ["deep report.pdf", "report.docx", "report.txt"]
    assert found["total"] == 3


def test_listing_with_subfolders_false_searches_children_only(
    client: httpx.Client, tree: dict[str, int]
) -> None:
    found = listing(client, tree["root"], filterValue="report", withSubFolders="false")
    assert titles(found) == ([], ["report.txt"])


def test_listing_extension_filter_adds_missing_dots(
    client: httpx.Client, tree: dict[str, int]
) -> None:
    found = listing(client, tree["root"], extension="pdf,.pptx", filterType=11)
    assert sorted(titles(found)[1]) == ["deck.pptx", "deep report.pdf"]


def test_listing_apply_filter_option_files_leaves_folders_unfiltered(
    client: httpx.Client, tree: dict[str, int]
) -> None:
    found = listing(
        client,
        tree["docs"],
        filterValue="notes",
        applyFilterOption=1,
        withSubFolders="false",
    )
    assert titles(found) == (["Sub"], ["notes.txt"])
    folders_only = listing(
        client,
        tree["docs"],
        filterValue="zzz",
        applyFilterOption=2,
        withSubFolders="false",
    )
    folders, files = titles(folders_only)
    assert (folders, sorted(files)) == ([], ["notes.txt", "report.docx"])


@pytest.mark.parametrize(
    ("filter_type", "expected"),
    [
        (1, ([], ["deck.pptx", "deep report.pdf", "notes.txt", "report.docx",
                  "report.txt", "top.xlsx"])),
        (2, (["Docs", "Slides", "Sub"], [])),
        (3, ([], ["notes.txt", "report.docx", "report.txt"])),
        (4, ([], ["deck.pptx"])),
        (5, ([], ["top.xlsx"])),
        (22, ([], ["deep report.pdf"])),
    ],
    ids=["files", "folders", "documents", "presentations", "spreadsheets", "pdf"],
)  # fmt: skip
def test_listing_filter_type_narrows_the_subtree(
    client: httpx.Client,
    tree: dict[str, int],
    filter_type: int,
    expected: tuple[list[str], list[str]],
) -> None:
    found = listing(client, tree["root"], filterType=filter_type)
    folders, files = titles(found)
    assert (sorted(folders), sorted(files)) == expected


def test_listing_pages_span_folders_then_files(
    client: httpx.Client, tree: dict[str, int]
) -> None:
    page = listing(
        client, tree["root"], sortBy="AZ", sortOrder=0, startIndex=1, count=2
    )
    assert titles(page) == (["Slides"], ["report.txt"])
    assert (page["startIndex"], page["count"], page["total"]) == (1, 2, 4)
    # The order given is kept as the user's default.
    assert titles(listing(client, tree["root"])) == (
        ["Docs", "Slides"],
        ["report.txt", "top.xlsx"],
    )


@pytest.mark.parametrize("params", [{"startIndex": -1}, {"count": 0}, {"count": 101}])
def test_listing_rejects_out_of_range_paging(
    client: httpx.Client, params: dict[str, int]
) -> None:
    answer = client.get(f"/api/2.0/files/{my_id(client)}", params=params)
    assert answer.status_code == 400


def test_folder_endpoints_without_credentials_are_401(anonymous: httpx.Client) -> None:
    for method, path in [
        ("GET", "/api/2.0/files/folder/1"),
        ("POST", "/api/2.0/files/folder/1"),
        ("PUT", "/api/2.0/files/folder/1"),
        ("DELETE", "/api/2.0/files/folder/1"),
        ("GET", "/api/2.0/files/folder/1/path"),
        ("GET", "/api/2.0/files/1/subfolders"),
        ("GET", "/api/2.0/files/1/news"),
    ]:
        answer = anonymous.request(method, path, json={"title": "x"})
        assert (answer.status_code, answer.content) == (401, b""), path


def test_folders_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    root = folders.get_my_folder().response.current.id

    created = folders.create_folder(root, sdk.CreateFolder(title="Projects")).response
    assert (created.title, created.parent_id) == ("Projects", root)
    child = folders.create_folder(created.id, sdk.CreateFolder(title="2025")).response
    folders.upload_file(child.id, file=("plan.txt", b"plan"))

    renamed = folders.rename_folder(created.id, sdk.CreateFolder(title="Work")).response
    assert (renamed.id, renamed.title) == (created.id, "Work")
    info = folders.get_folder_info(created.id).response
    assert (info.files_count, info.folders_count) == (1, 1)
    path = folders.get_folder_path(child.id).response
    assert [part.title for part in path] == ["My documents", "Work", "2025"]
    assert [f.title for f in folders.get_folders(root).response] == ["Work"]
    assert folders.get_new_folder_items(root).response == []

    found = folders.get_folder_by_folder_id(
        root,
        filter_type=sdk.FilterType.FilesOnly,
        with_sub_folders=True,
        extension=".txt",
        apply_filter_option=sdk.ApplyFilterOption.Files,
    ).response
    assert [entry.title for entry in found.files] == ["plan.txt"]

    started = folders.delete_folder(created.id, sdk.DeleteFolder(immediately=True))
    assert started.response[0].operation == 2


def test_custom_order_is_checked(client: httpx.Client) -> None:
    folder = create_folder(client, my_id(client), "Ordered")
    file = upload(client, my_id(client), "ordered.txt", b"o")
    for value in (3, 7):
        answer = client.put(f"/api/2.0/files/{file['id']}/order", json={"order": value})
        assert (answer.status_code, answer.json()["response"]["id"]) == (
            200,
            file["id"],
        )
    assert (
        client.put(f"/api/2.0/files/{file['id']}/order", json={"order": 0}).status_code
        == 400
    )
    assert (
        client.put(f"/api/2.0/files/{UNKNOWN}/order", json={"order": 1}).status_code
        == 404
    )
    answer = client.put(
        f"/api/2.0/files/folder/{folder['id']}/order", json={"order": 1}
    )
    assert (answer.status_code, answer.json()["response"]["id"]) == (200, folder["id"])
    assert (
        client.put("/api/2.0/files/order", json={"items": []}).json()["response"] == []
    )
    unknown = client.put(
        "/api/2.0/files/order",
        json={"items": [{"entryId": UNKNOWN, "entryType": 2, "order": 1}]},
    )
    assert unknown.status_code == 404


def test_folder_extras_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    files = sdk.FilesApi(sdk_client)
    root = folders.get_my_folder().response.current.id
    folder = folders.create_folder(root, sdk.CreateFolder(title="Sorted")).response
    assert folders.get_folder(folder.id).response == []
    ordered = folders.set_folder_order(folder.id, sdk.OrderRequestDto(order=2)).response
    assert ordered.id == folder.id
    uploaded = folders.upload_file(folder.id, file=("x.txt", b"x")).response[0]
    file_id = folders.get_folder_by_folder_id_without_preload_content(folder.id).json()[
        "response"
    ]["files"][0]["id"]
    assert uploaded.title == "x.txt"
    assert (
        files.set_file_order(file_id, sdk.OrderRequestDto(order=5)).response.id
        == file_id
    )
    items = [
        sdk.OrdersItemRequestDtoInteger(
            entry_id=file_id, entry_type=sdk.FileEntryType.File, order=1
        )
    ]
    answered = files.set_files_order(sdk.OrdersRequestDtoInteger(items=items)).response
    assert len(answered) == 1


def test_folder_log_holds_the_creation(
    client: httpx.Client, sdk_client: sdk.ApiClient
) -> None:
    folder = create_folder(client, my_id(client), "Logged")
    answer = client.get(f"/api/2.0/files/folder/{folder['id']}/log")
    assert answer.status_code == 200
    (entry,) = answer.json()["response"]
    assert answer.json()["count"] == 1
    assert (entry["action"]["id"], entry["initiator"]["displayName"]) == (
        5019,
        "Test User",
    )
    assert entry["id"] and entry["date"]
    for unknown in (UNKNOWN, 0):
        assert client.get(f"/api/2.0/files/folder/{unknown}/log").status_code == 404
    history = sdk.FoldersApi(sdk_client).get_folder_history(folder["id"]).response
    assert [item.action.key for item in history] == ["FolderCreated"]
