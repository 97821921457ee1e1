"""@root and its sections; Favorites and Recent with the calls that fill them."""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx
import pytest
from space_helpers import (
    create_folder,
    download,
    listing,
    my_id,
    run_operation,
    titles,
    upload,
)

UNKNOWN = 999999999

SECTIONS = {
    "My documents",
    "Rooms",
    "Trash",
    "Favorites",
    "Recent",
    "Archive",
    "Shared with me",
    "AI agents",
}


def _root(client: httpx.Client, **params: object) -> list[dict[str, object]]:
    answer = client.get("/api/2.0/files/@root", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["response"])


def _by_title(sections: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {section["current"]["title"]: section for section in sections}  # type: ignore[index]


def test_root_lists_the_eight_sections_of_docspace(client: httpx.Client) -> None:
    sections = _root(client)
    assert {s["current"]["title"] for s in sections} == SECTIONS  # type: ignore[index]
    for section in sections:
        current = section["current"]
        assert current["id"] > 0  # type: ignore[index]
        assert current["security"]["Read"] is True  # type: ignore[index]
        assert isinstance(section["files"], list)
        assert isinstance(section["folders"], list)
        assert isinstance(section["total"], int)
        assert isinstance(section["startIndex"], int)
    my = _by_title(sections)["My documents"]["current"]
    assert my["id"] == my_id(client)  # type: ignore[index]
    # The ids stay the same from one call to the next.
    again = _by_title(_root(client))
    assert {t: s["current"]["id"] for t, s in again.items()} == {  # type: ignore[index]
        t: s["current"]["id"]  # type: ignore[index]
        for t, s in _by_title(sections).items()
    }


def test_root_without_trash_leaves_trash_out(client: httpx.Client) -> None:
    titles_left = {s["current"]["title"] for s in _root(client, withoutTrash="true")}  # type: ignore[index]
    assert titles_left == SECTIONS - {"Trash"}


def test_root_filters_and_pages_act_on_my_documents(client: httpx.Client) -> None:
    root = my_id(client)
    create_folder(client, root, "Folder")
    upload(client, root, "one.txt", b"1")
    upload(client, root, "two.txt", b"2")

    folders_only = _by_title(_root(client, filterType=2))["My documents"]
    assert titles(folders_only) == (["Folder"], [])  # type: ignore[arg-type]
    files_only = _by_title(_root(client, filterType=1))["My documents"]
    assert sorted(titles(files_only)[1]) == ["one.txt", "two.txt"]  # type: ignore[arg-type]
    assert titles(files_only)[0] == []  # type: ignore[arg-type]

    paged = _root(client, count=1)
    for section in paged:
        assert len(section["files"]) + len(section["folders"]) <= 1  # type: ignore[arg-type]
    my = _by_title(paged)["My documents"]
    assert len(my["files"]) + len(my["folders"]) == 1  # type: ignore[arg-type]
    assert my["total"] == 3

    nothing = _root(client, filterValue="no such title")
    assert sum(section["total"] for section in nothing) == 0  # type: ignore[misc]
    found = _by_title(_root(client, filterValue="two"))["My documents"]
    assert titles(found) == ([], ["two.txt"])  # type: ignore[arg-type]


def test_root_hides_recent_when_the_user_turned_it_off(client: httpx.Client) -> None:
    assert (
        client.put("/api/2.0/files/displayrecent", json={"set": False}).json()[
            "response"
        ]
        is False
    )
    assert "Recent" not in {s["current"]["title"] for s in _root(client)}  # type: ignore[index]
    client.put("/api/2.0/files/displayrecent", json={"set": True})
    assert "Recent" in {s["current"]["title"] for s in _root(client)}  # type: ignore[index]


@pytest.mark.parametrize("section", ["@my", "@trash", "@recent", "@favorites"])
def test_section_ids_work_as_folder_ids(client: httpx.Client, section: str) -> None:
    current = listing(client, section)["current"]
    info = client.get(f"/api/2.0/files/folder/{current['id']}")
    assert (info.status_code, info.json()["response"]["id"]) == (200, current["id"])
    children = client.get(f"/api/2.0/files/{current['id']}/subfolders")
    assert (children.status_code, children.json()["response"]) == (200, [])
    path = client.get(f"/api/2.0/files/folder/{current['id']}/path").json()["response"]
    assert current["title"] in [part["title"] for part in path]
    assert (
        client.get(f"/api/2.0/files/{current['id']}/formfilter").json()["response"]
        == []
    )


def test_room_sections_accept_nothing(client: httpx.Client) -> None:
    rooms = _by_title(_root(client))["Rooms"]["current"]["id"]  # type: ignore[index]
    assert (
        client.post(f"/api/2.0/files/folder/{rooms}", json={"title": "X"}).status_code
        == 403
    )
    answer = client.post(
        f"/api/2.0/files/{rooms}/upload", files={"file": ("a.txt", b"a")}
    )
    assert answer.status_code == 403
    assert listing(client, rooms)["total"] == 0


# Favourites


def test_favorites_start_empty_with_arrays_present(client: httpx.Client) -> None:
    favorites = listing(client, "@favorites")
    assert (favorites["files"], favorites["folders"], favorites["total"]) == ([], [], 0)
    assert favorites["count"] == 0
    assert favorites["current"]["id"] > 0
    assert favorites["current"]["title"] == "Favorites"


def test_favorites_list_marked_files_and_folders_once(client: httpx.Client) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Starred folder")
    doc = upload(client, root, "notes.docx", b"d")
    text = upload(client, root, "plain.txt", b"t")
    upload(client, root, "other.png", b"p")

    toggled = client.get(
        f"/api/2.0/files/favorites/{doc['id']}", params={"favorite": "true"}
    )
    assert toggled.json()["response"] is True
    for _ in range(2):
        added = client.post(
            "/api/2.0/files/favorites",
            json={"fileIds": [text["id"]], "folderIds": [folder["id"]]},
        )
        assert added.json()["response"] is True

    favorites = listing(client, "@favorites")
    folders, files = titles(favorites)
    assert (folders, sorted(files)) == (["Starred folder"], ["notes.docx", "plain.txt"])
    assert favorites["total"] == favorites["count"] == 3
    assert all(entry["isFavorite"] is True for entry in favorites["files"])
    assert favorites["folders"][0]["isFavorite"] is True
    mine = listing(client, root)
    marked = {entry["title"]: entry.get("isFavorite", False) for entry in mine["files"]}
    assert marked == {"notes.docx": True, "plain.txt": True, "other.png": False}

    assert sorted(titles(listing(client, "@favorites", filterType=3))[1]) == [
        "notes.docx",
        "plain.txt",
    ]
    assert titles(listing(client, "@favorites", filterType=3))[0] == []
    assert titles(listing(client, "@favorites", filterType=2)) == (
        ["Starred folder"],
        [],
    )
    reverse = listing(client, "@favorites", filterType=1, sortBy="AZ", sortOrder=1)
    assert titles(reverse)[1] == ["plain.txt", "notes.docx"]
    page = listing(client, "@favorites", count=1, startIndex=0)
    assert (page["count"], page["startIndex"]) == (1, 0)
    assert listing(client, "@favorites", startIndex=999999)["count"] == 0
    assert titles(listing(client, "@favorites", filterValue="note"))[1] == [
        "notes.docx"
    ]
    assert (
        client.get("/api/2.0/files/@favorites", params={"count": 0}).status_code == 400
    )

    removed = client.request(
        "DELETE", "/api/2.0/files/favorites", json={"fileIds": [doc["id"]]}
    )
    assert removed.json()["response"] is True
    assert "notes.docx" not in titles(listing(client, "@favorites"))[1]
    assert "notes.docx" in titles(listing(client, root))[1]
    unmark = client.get(
        f"/api/2.0/files/favorites/{text['id']}", params={"favorite": "false"}
    )
    assert unmark.json()["response"] is False
    assert titles(listing(client, "@favorites"))[1] == []


@pytest.mark.parametrize(
    "body",
    [None, {}, {"fileIds": [], "folderIds": []}, {"fileIds": [0, UNKNOWN]}],
    ids=["no-body", "empty", "empty-arrays", "unknown-ids"],
)
def test_favorites_calls_answer_true_whatever_the_ids(
    client: httpx.Client, body: dict[str, object] | None
) -> None:
    for method in ("POST", "DELETE"):
        answer = client.request(method, "/api/2.0/files/favorites", json=body)
        assert (answer.status_code, answer.json()["response"]) == (200, True)
    assert listing(client, "@favorites")["total"] == 0


def test_favorites_leave_out_trashed_items(client: httpx.Client) -> None:
    file = upload(client, my_id(client), "soon gone.txt", b"x")
    client.post("/api/2.0/files/favorites", json={"fileIds": [file["id"]]})
    run_operation(client, "DELETE", f"/api/2.0/files/file/{file['id']}", {})
    assert listing(client, "@favorites")["total"] == 0
    again = client.post("/api/2.0/files/favorites", json={"fileIds": [file["id"]]})
    assert again.json()["response"] is True
    assert listing(client, "@favorites")["files"] == []


# Recent


def test_recent_lists_added_files_until_removed(client: httpx.Client) -> None:
    root = my_id(client)
    first = upload(client, root, "first.docx", b"1")
    second = upload(client, root, "second.docx", b"2")
    for _ in range(2):
        answer = client.post(f"/api/2.0/files/file/{first['id']}/recent")
        assert answer.status_code == 200
        added = answer.json()["response"]
        assert (added["id"], added["fileExst"], added["folderId"]) == (
            first["id"],
            ".docx",
            root,
        )
    client.post(f"/api/2.0/files/file/{second['id']}/recent")
    recent = listing(client, "@recent")
    assert sorted(entry["id"] for entry in recent["files"]) == sorted(
        [first["id"], second["id"]]
    )
    assert recent["current"]["title"] == "Recent"

    removed = client.request(
        "DELETE", "/api/2.0/files/recent", json={"fileIds": [first["id"], second["id"]]}
    )
    assert removed.status_code == 204
    assert listing(client, "@recent")["files"] == []
    not_there = client.request("DELETE", "/api/2.0/files/recent", json={"fileIds": [1]})
    assert not_there.status_code == 204


def test_recent_of_unknown_file_is_404(client: httpx.Client) -> None:
    answer = client.post(f"/api/2.0/files/file/{UNKNOWN}/recent")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "The required file was not found"


def test_download_puts_a_file_in_recent(client: httpx.Client) -> None:
    file = upload(client, my_id(client), "read me.txt", b"text")
    download(client, file["id"])
    assert [entry["id"] for entry in listing(client, "@recent")["files"]] == [
        file["id"]
    ]


def test_section_endpoints_without_credentials_are_401(anonymous: httpx.Client) -> None:
    for method, path in [
        ("GET", "/api/2.0/files/@root"),
        ("GET", "/api/2.0/files/@favorites"),
        ("GET", "/api/2.0/files/@recent"),
        ("POST", "/api/2.0/files/file/1/recent"),
        ("DELETE", "/api/2.0/files/recent"),
        ("POST", "/api/2.0/files/favorites"),
    ]:
        answer = anonymous.request(method, path)
        assert (answer.status_code, answer.content) == (401, b""), path


def test_sections_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    files = sdk.FilesApi(sdk_client)
    operations = sdk.OperationsApi(sdk_client)

    roots = folders.get_root_folders(filter_type=sdk.FilterType.FilesOnly).response
    assert {section.current.title for section in roots} == SECTIONS

    folders.upload_file_to_my(file=("fav.docx", b"doc"))
    # Listings' entries are typed FileEntryBaseDto in the SDK, which has no id.
    raw = folders.get_my_folder_without_preload_content()
    file_id = raw.json()["response"]["files"][0]["id"]

    assert files.toggle_file_favorite(file_id, favorite=True).response is True
    favorites = folders.get_favorites_folder().response
    assert [entry.title for entry in favorites.files] == ["fav.docx"]
    assert (
        operations.delete_favorites_from_body(
            sdk.BaseBatchRequestDto(
                file_ids=[sdk.BaseBatchRequestDtoAllOfFileIds(file_id)]
            )
        ).response
        is True
    )
    assert (
        operations.add_favorites(
            sdk.BaseBatchRequestDto(
                file_ids=[sdk.BaseBatchRequestDtoAllOfFileIds(file_id)]
            )
        ).response
        is True
    )

    assert files.add_file_to_recent(file_id).response.title == "fav.docx"
    recent = folders.get_recent_folder().response
    assert [entry.title for entry in recent.files] == ["fav.docx"]
    legacy = folders.with_at_recent().get_recent_folder().response
    assert [entry.title for entry in legacy.files] == ["fav.docx"]
    # The spec declares no 204 for this call: the SDK returns nothing to read.
    raw_delete = files.delete_recent_without_preload_content(
        sdk.BaseBatchRequestDto(file_ids=[sdk.BaseBatchRequestDtoAllOfFileIds(file_id)])
    )
    assert raw_delete.status == 204
    assert folders.get_recent_folder().response.total == 0
