"""File operations: move, copy, duplicate, delete, empty Trash, restore, bulk
download, mark as read, the status lists and the checks before a move."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import docspace_api_sdk as sdk
import httpx
import pytest
from space_helpers import (
    Json,
    create_folder,
    download,
    listing,
    my_id,
    run_operation,
    titles,
    upload,
)

from helpers import wait_for_operation

UNKNOWN = 999999999
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
OPS = "/api/2.0/files/fileops"


def put(client: httpx.Client, operation: str, body: Json | None = None) -> Json:
    """Run a fileops operation to its end."""
    return run_operation(client, "PUT", f"{OPS}/{operation}", body)


def to_trash(
    client: httpx.Client, *, files: list[int] = (), folders: list[int] = ()
) -> None:  # type: ignore[assignment]
    done = put(client, "delete", {"fileIds": list(files), "folderIds": list(folders)})
    assert not done["error"]


@pytest.fixture
def two_folders(client: httpx.Client) -> tuple[int, int]:
    root = my_id(client)
    return create_folder(client, root, "Source")["id"], create_folder(
        client, root, "Dest"
    )["id"]


# Moving and copying


def test_move_file_between_subfolders(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    file = upload(client, source, "a.txt", b"content")
    answer = client.put(
        f"{OPS}/move",
        json={
            "fileIds": [file["id"]],
            "destFolderId": dest,
            "returnSingleOperation": True,
        },
    )
    assert answer.status_code == 200
    started = answer.json()["response"]
    assert len(started) == 1
    assert started[0]["Operation"] == 0
    done = wait_for_operation(client, started[0]["id"])
    assert (done["error"], done["processed"], done["progress"]) == ("", "1", 100)
    assert [entry["id"] for entry in done["files"]] == [file["id"]]
    assert titles(listing(client, dest))[1] == ["a.txt"]
    assert titles(listing(client, source))[1] == []
    assert download(client, file["id"]) == b"content"
    source_info = client.get(f"/api/2.0/files/folder/{source}").json()["response"]
    assert source_info["filesCount"] == 0


def test_copy_keeps_the_source_and_copies_current_content(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    file = upload(client, source, "a.txt", b"v1")
    upload(client, source, "a.txt", b"v2 longer")
    done = put(client, "copy", {"fileIds": [file["id"]], "destFolderId": dest})
    assert done["Operation"] == 1
    (copy,) = done["files"]
    assert copy["id"] != file["id"]
    assert (copy["version"], copy["comment"], copy["pureContentLength"]) == (
        1,
        "Copied",
        9,
    )
    assert download(client, copy["id"]) == b"v2 longer"
    assert titles(listing(client, source))[1] == ["a.txt"]


def test_copy_of_a_folder_copies_everything_below_it(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    inner = create_folder(client, source, "Inner")
    create_folder(client, inner["id"], "Empty")
    upload(client, inner["id"], "deep.txt", b"deep")
    done = put(client, "copy", {"folderIds": [source], "destFolderId": dest})
    (copied,) = done["folders"]
    assert (copied["title"], copied["filesCount"], copied["foldersCount"]) == (
        "Source",
        1,
        2,
    )
    inner_copy = listing(client, copied["id"])["folders"][0]
    deep = listing(client, inner_copy["id"])
    assert titles(deep) == (["Empty"], ["deep.txt"])
    assert download(client, deep["files"][0]["id"]) == b"deep"
    assert listing(client, source)["folders"][0]["id"] == inner["id"]


def test_copy_of_the_same_id_twice_with_skip_makes_one_copy(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    file = upload(client, source, "once.txt", b"1")
    put(client, "copy", {"fileIds": [file["id"], file["id"]], "destFolderId": dest})
    assert titles(listing(client, dest))[1] == ["once.txt"]


@pytest.mark.parametrize("copy", [False, True], ids=["move", "copy"])
@pytest.mark.parametrize("resolution", ["Skip", "Overwrite", "Duplicate"])
def test_file_conflicts_resolve_as_docspace(
    client: httpx.Client, two_folders: tuple[int, int], copy: bool, resolution: str
) -> None:
    source, dest = two_folders
    incoming = upload(client, source, "same.txt", b"incoming")
    existing = upload(client, dest, "same.txt", b"existing")
    done = put(
        client,
        "copy" if copy else "move",
        {
            "fileIds": [incoming["id"]],
            "destFolderId": dest,
            "conflictResolveType": resolution,
        },
    )
    assert done["error"] == ""
    in_dest = listing(client, dest, sortBy="AZ", sortOrder=0)["files"]
    in_source = titles(listing(client, source))[1]
    if resolution == "Skip":
        assert [(f["id"], f["version"]) for f in in_dest] == [(existing["id"], 1)]
        assert download(client, existing["id"]) == b"existing"
        assert in_source == ["same.txt"]
    elif resolution == "Overwrite":
        assert [(f["id"], f["version"]) for f in in_dest] == [(existing["id"], 2)]
        assert in_dest[0]["comment"] == "Overwritten"
        assert download(client, existing["id"]) == b"incoming"
        assert download(client, existing["id"], version=1) == b"existing"
        assert in_source == (["same.txt"] if copy else [])
    else:
        assert [f["title"] for f in in_dest] == ["same (1).txt", "same.txt"]
        assert in_source == (["same.txt"] if copy else [])


@pytest.mark.parametrize("copy", [False, True], ids=["move", "copy"])
@pytest.mark.parametrize("resolution", ["Skip", "Overwrite", "Duplicate"])
def test_folder_conflicts_merge_or_duplicate(
    client: httpx.Client, two_folders: tuple[int, int], copy: bool, resolution: str
) -> None:
    source, dest = two_folders
    moving = create_folder(client, source, "Box")
    upload(client, moving["id"], "only here.txt", b"new")
    upload(client, moving["id"], "both.txt", b"incoming")
    there = create_folder(client, dest, "Box")
    both = upload(client, there["id"], "both.txt", b"existing")
    done = put(
        client,
        "copy" if copy else "move",
        {
            "folderIds": [moving["id"]],
            "destFolderId": dest,
            "conflictResolveType": resolution,
        },
    )
    assert done["error"] == ""
    dest_folders = titles(listing(client, dest, sortBy="AZ", sortOrder=0))[0]
    merged = sorted(titles(listing(client, there["id"]))[1])
    left = titles(listing(client, source))[0]
    if resolution == "Duplicate":
        assert dest_folders == ["Box", "Box (1)"]
        assert merged == ["both.txt"]
        assert left == (["Box"] if copy else [])
        return
    assert dest_folders == ["Box"]
    assert merged == ["both.txt", "only here.txt"]
    expected = b"existing" if resolution == "Skip" else b"incoming"
    assert download(client, both["id"]) == expected
    if copy:
        assert left == ["Box"]
    elif resolution == "Skip":
        # The skipped file keeps its folder where it was.
        assert left == ["Box"]
        assert titles(listing(client, moving["id"]))[1] == ["both.txt"]
    else:
        assert left == []


def test_move_with_content_moves_the_children_only(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    create_folder(client, source, "Child")
    upload(client, source, "child.txt", b"c")
    put(client, "move", {"folderIds": [source], "destFolderId": dest, "content": True})
    assert titles(listing(client, dest)) == (["Child"], ["child.txt"])
    assert titles(listing(client, source)) == ([], [])
    assert "Source" in titles(listing(client, "@my"))[0]


def test_move_folder_into_its_own_descendant_is_refused_and_changes_nothing(
    client: httpx.Client,
) -> None:
    root = my_id(client)
    a = create_folder(client, root, "A")
    b = create_folder(client, a["id"], "B")
    c = create_folder(client, b["id"], "C")
    upload(client, b["id"], "in b.txt", b"b")
    before = [listing(client, folder) for folder in (root, a["id"], b["id"], c["id"])]
    for dest in (c["id"], a["id"]):
        done = put(client, "move", {"folderIds": [a["id"]], "destFolderId": dest})
        assert done["error"] == "You cannot copy the folder to its subfolder"
        assert done["finished"] is True
        copied = put(client, "copy", {"folderIds": [a["id"]], "destFolderId": dest})
        assert copied["error"] == "You cannot copy the folder to its subfolder"
    after = [listing(client, folder) for folder in (root, a["id"], b["id"], c["id"])]
    assert [titles(page) for page in after] == [titles(page) for page in before]
    assert [page["current"]["filesCount"] for page in after] == [
        page["current"]["filesCount"] for page in before
    ]


def test_move_with_empty_arrays_is_200(client: httpx.Client) -> None:
    done = put(
        client, "move", {"fileIds": [], "folderIds": [], "destFolderId": my_id(client)}
    )
    assert (done["Operation"], done["finished"]) == (0, True)


@pytest.mark.parametrize(
    ("operation", "body", "status"),
    [
        ("move", {"fileIds": [UNKNOWN], "destFolderId": "MY"}, 400),
        ("copy", {"fileIds": [UNKNOWN], "destFolderId": "MY"}, 404),
        ("copy", {"fileIds": ["FILE"], "destFolderId": UNKNOWN}, 404),
        ("move", {"fileIds": ["FILE"], "destFolderId": UNKNOWN}, 404),
        ("move", {"fileIds": ["FILE"]}, 400),
        ("duplicate", {"fileIds": [UNKNOWN]}, 404),
        ("duplicate", {"folderIds": [UNKNOWN]}, 404),
        ("delete", {"fileIds": [UNKNOWN]}, 404),
        ("bulkdownload", {"fileIds": [UNKNOWN]}, 404),
        ("deleteversion", {"fileId": UNKNOWN, "versions": [1]}, 404),
    ],
)
def test_operations_refuse_unknown_ids_at_the_start(
    client: httpx.Client, operation: str, body: Json, status: int
) -> None:
    file = upload(client, "@my", "kept.txt", b"kept")
    values = {"MY": my_id(client), "FILE": file["id"]}
    resolved: Json = {
        key: (
            [values.get(v, v) for v in value]
            if isinstance(value, list)
            else values.get(value, value)
        )
        for key, value in body.items()
    }
    answer = client.put(f"{OPS}/{operation}", json=resolved)
    assert answer.status_code == status, answer.text
    assert client.get(OPS).json()["response"] == []
    assert titles(listing(client, "@my"))[1] == ["kept.txt"]


def test_move_into_trash_is_refused(client: httpx.Client) -> None:
    file = upload(client, "@my", "a.txt", b"a")
    trash = listing(client, "@trash")["current"]["id"]
    answer = client.put(
        f"{OPS}/move", json={"fileIds": [file["id"]], "destFolderId": trash}
    )
    assert answer.status_code == 403
    assert titles(listing(client, "@my"))[1] == ["a.txt"]


def test_move_with_delete_after_holds_nothing(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    file = upload(client, source, "a.txt", b"a")
    answer = client.put(
        f"{OPS}/move",
        json={"fileIds": [file["id"]], "destFolderId": dest, "deleteAfter": True},
    )
    assert answer.status_code == 200
    deadline = time.monotonic() + 30
    while client.get(OPS).json()["response"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get(OPS).json()["response"] == []
    assert titles(listing(client, dest))[1] == ["a.txt"]


# Duplicate


def test_duplicate_copies_files_and_folders_in_place(client: httpx.Client) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Crème brûlée")
    upload(client, folder["id"], "Żółw.txt", b"inner")
    file = upload(client, folder["id"], "Résumé.docx", b"cv")
    answer = client.put(
        f"{OPS}/duplicate", json={"fileIds": [file["id"]], "folderIds": [folder["id"]]}
    )
    assert answer.json()["response"][0]["Operation"] == 7
    done = wait_for_operation(client, answer.json()["response"][0]["id"])
    assert done["error"] == ""
    assert titles(listing(client, root, sortBy="AZ", sortOrder=0))[0] == [
        "Crème brûlée",
        "Crème brûlée (1)",
    ]
    assert sorted(titles(listing(client, folder["id"]))[1]) == [
        "Résumé (1).docx",
        "Résumé.docx",
        "Żółw.txt",
    ]
    copy = next(f for f in done["folders"])
    assert sorted(titles(listing(client, copy["id"]))[1]) == ["Résumé.docx", "Żółw.txt"]


def test_duplicate_of_a_file_in_trash_is_forbidden(client: httpx.Client) -> None:
    file = upload(client, "@my", "gone.txt", b"x")
    to_trash(client, files=[file["id"]])
    answer = client.put(f"{OPS}/duplicate", json={"fileIds": [file["id"]]})
    assert answer.status_code == 403
    assert listing(client, "@trash")["total"] == 1


def test_duplicate_with_empty_arrays_is_200(client: httpx.Client) -> None:
    done = put(client, "duplicate", {"fileIds": [], "folderIds": []})
    assert (done["Operation"], done["error"]) == (7, "")


# Delete, Trash, restore


def test_delete_to_trash_then_for_good(client: httpx.Client) -> None:
    root = my_id(client)
    file = upload(client, root, "f.txt", b"f")
    folder = create_folder(client, root, "F")
    upload(client, folder["id"], "inside.txt", b"i")
    to_trash(client, files=[file["id"]], folders=[folder["id"]])
    trash = listing(client, "@trash")
    assert titles(trash) == (["F"], ["f.txt"])
    assert trash["files"][0]["originId"] == root
    assert trash["files"][0]["originTitle"] == "My documents"
    assert titles(listing(client, root)) == ([], [])
    done = put(client, "delete", {"fileIds": [file["id"]], "immediately": True})
    assert done["Operation"] == 2
    assert titles(listing(client, "@trash")) == (["F"], [])
    assert client.get(f"/api/2.0/files/file/{file['id']}").status_code == 404


def test_delete_with_empty_arrays_is_200(client: httpx.Client) -> None:
    answer = client.put(f"{OPS}/delete", json={"fileIds": [], "folderIds": []})
    assert answer.status_code == 200
    assert isinstance(answer.json()["response"], list)


def test_empty_trash_purges_everything_in_it(client: httpx.Client) -> None:
    root = my_id(client)
    file = upload(client, root, "f.txt", b"f")
    folder = create_folder(client, root, "F")
    upload(client, folder["id"], "inside.txt", b"i")
    to_trash(client, files=[file["id"]], folders=[folder["id"]])
    answer = client.put(f"{OPS}/emptytrash")
    assert answer.status_code == 200
    assert answer.json()["response"][0]["Operation"] == 2
    wait_for_operation(client, answer.json()["response"][0]["id"])
    assert listing(client, "@trash")["total"] == 0
    for path in (
        f"/api/2.0/files/file/{file['id']}",
        f"/api/2.0/files/folder/{folder['id']}",
    ):
        assert client.get(path).status_code == 404
    again = client.put(f"{OPS}/emptytrash", params={"single": "true"})
    assert again.status_code == 200
    assert len(again.json()["response"]) == 1


def test_restore_is_a_move_to_the_origin(client: httpx.Client) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Home")
    file = upload(client, folder["id"], "back.txt", b"back")
    to_trash(client, files=[file["id"]])
    trashed = listing(client, "@trash")["files"][0]
    assert (trashed["originId"], trashed["originTitle"]) == (folder["id"], "Home")
    assert "autoDelete" in trashed
    done = put(
        client,
        "move",
        {
            "fileIds": [str(file["id"])],
            "destFolderId": str(trashed["originId"]),
            "deleteAfter": False,
        },
    )
    assert done["error"] == ""
    restored = listing(client, folder["id"])["files"][0]
    assert (restored["title"], restored["rootFolderType"]) == ("back.txt", 5)
    assert "originId" not in restored and "autoDelete" not in restored
    assert download(client, file["id"]) == b"back"


@pytest.mark.parametrize("parent_fate", ["trashed", "deleted"])
def test_restore_into_a_parent_deleted_meanwhile_goes_to_my_documents(
    client: httpx.Client, parent_fate: str
) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Parent")
    file = upload(client, folder["id"], "orphan.txt", b"orphan")
    to_trash(client, files=[file["id"]])
    if parent_fate == "trashed":
        to_trash(client, folders=[folder["id"]])
    else:
        put(client, "delete", {"folderIds": [folder["id"]], "immediately": True})
    done = put(client, "move", {"fileIds": [file["id"]], "destFolderId": folder["id"]})
    assert done["error"] == ""
    assert "orphan.txt" in titles(listing(client, root))[1]
    assert download(client, file["id"]) == b"orphan"
    assert "orphan.txt" not in titles(listing(client, "@trash"))[1]


def test_restoring_a_folder_brings_back_what_it_held(client: httpx.Client) -> None:
    root = my_id(client)
    folder = create_folder(client, root, "Whole")
    inner = create_folder(client, folder["id"], "Inner")
    upload(client, inner["id"], "deep.txt", b"deep")
    to_trash(client, folders=[folder["id"]])
    put(
        client,
        "move",
        {"folderIds": [folder["id"]], "destFolderId": root, "content": False},
    )
    info = client.get(f"/api/2.0/files/folder/{folder['id']}").json()["response"]
    assert (info["rootFolderType"], info["filesCount"], info["foldersCount"]) == (
        5,
        1,
        1,
    )
    assert titles(listing(client, inner["id"]))[1] == ["deep.txt"]
    assert listing(client, "@trash")["total"] == 0


# Bulk download


def _zip_names(client: httpx.Client, done: Json) -> dict[str, bytes]:
    assert "filehandler.ashx?action=bulk" in done["url"]
    answer = client.get(done["url"])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_bulk_download_streams_a_zip_of_files_and_folders(client: httpx.Client) -> None:
    root = my_id(client)
    one = upload(client, root, "one.txt", b"1" * 5000)
    folder = create_folder(client, root, "Folder")
    sub = create_folder(client, folder["id"], "Sub")
    create_folder(client, folder["id"], "Empty")
    upload(client, sub["id"], "deep.bin", bytes(range(256)) * 100)
    upload(client, folder["id"], "one.txt", b"other one")

    single = client.put(
        f"{OPS}/bulkdownload",
        json={"fileIds": [one["id"]], "returnSingleOperation": True},
    )
    assert len(single.json()["response"]) == 1
    assert single.json()["response"][0]["Operation"] == 3
    done = wait_for_operation(client, single.json()["response"][0]["id"])
    assert (done["error"], done["processed"]) == ("", "1")
    assert _zip_names(client, done) == {"one.txt": b"1" * 5000}

    done = put(
        client, "bulkdownload", {"fileIds": [one["id"]], "folderIds": [folder["id"]]}
    )
    assert done["processed"] == "2"
    assert _zip_names(client, done) == {
        "one.txt": b"1" * 5000,
        "Folder/one.txt": b"other one",
        "Folder/Sub/deep.bin": bytes(range(256)) * 100,
        "Folder/Empty/": b"",
    }


def test_bulk_download_accepts_conversion_requests_without_dot(
    client: httpx.Client,
) -> None:
    file = upload(client, "@my", "letter.docx", b"docx bytes")
    done = put(
        client,
        "bulkdownload",
        {"fileConvertIds": [{"key": file["id"], "value": "pdf"}]},
    )
    assert (done["processed"], done["error"]) == ("1", "")
    assert _zip_names(client, done) == {"letter.docx": b"docx bytes"}


def test_bulk_download_of_nothing_is_200(client: httpx.Client) -> None:
    answer = client.put(f"{OPS}/bulkdownload", json={})
    assert answer.status_code == 200


def test_bulk_archive_of_another_user_is_404(
    client: httpx.Client, other_client: httpx.Client
) -> None:
    file = upload(client, "@my", "mine.txt", b"mine")
    done = put(client, "bulkdownload", {"fileIds": [file["id"]]})
    assert other_client.get(done["url"]).status_code == 404
    assert client.get(done["url"].replace(done["id"], ZERO_GUID)).status_code == 404


# Mark as read, statuses, terminate


@pytest.mark.parametrize("body", [None, {"fileIds": []}, {"fileIds": [UNKNOWN]}])
def test_mark_as_read_accepts_anything(client: httpx.Client, body: Json | None) -> None:
    answer = (
        client.put(f"{OPS}/markasread", json=body)
        if body is not None
        else client.put(f"{OPS}/markasread")
    )
    assert answer.status_code == 200
    assert answer.json()["response"][0]["Operation"] == 4
    wait_for_operation(client, answer.json()["response"][0]["id"])


def test_status_lists_of_a_new_user_are_empty(client: httpx.Client) -> None:
    assert client.get(OPS).json()["response"] == []
    assert client.get(OPS, params={"id": ZERO_GUID}).json()["response"] == []
    for kind in range(8):
        answer = client.get(f"{OPS}/{kind}")
        assert (answer.status_code, answer.json()["response"]) == (200, [])
    assert client.get(f"{OPS}/99").status_code == 400


def test_finished_operation_is_reported_once_and_last(client: httpx.Client) -> None:
    file = upload(client, "@my", "a.txt", b"a")
    first = client.put(f"{OPS}/markasread", json={"fileIds": [file["id"]]}).json()[
        "response"
    ][0]
    second = client.put(
        f"{OPS}/copy",
        json={
            "fileIds": [file["id"]],
            "destFolderId": my_id(client),
            "conflictResolveType": "Duplicate",
        },
    ).json()["response"][0]
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listed = client.get(OPS).json()["response"]
        assert listed, "the list must not empty before the operations are reported"
        assert listed[-1]["id"] == second["id"]
        seen |= {op["id"] for op in listed}
        if listed[-1]["finished"]:
            break
        time.sleep(0.02)
    # A finished operation is reported once more, then gone.
    assert seen == {first["id"], second["id"]}
    assert client.get(OPS).json()["response"] == []


def test_terminate_of_unknown_or_finished_operations_is_empty(
    client: httpx.Client,
) -> None:
    answer = client.put(f"{OPS}/terminate/{ZERO_GUID}")
    assert (answer.status_code, answer.json()["response"]) == (200, [])
    file = upload(client, "@my", "a.txt", b"a")
    done = put(client, "delete", {"fileIds": [file["id"]]})
    assert client.put(f"{OPS}/terminate/{done['id']}").json()["response"] == []


# Checks before a move


def test_move_check_lists_the_items_that_would_clash(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    clash = upload(client, source, "clash.txt", b"1")
    free = upload(client, source, "free.txt", b"2")
    upload(client, dest, "CLASH.txt", b"3")
    check = client.get(
        f"{OPS}/move",
        params={"destFolderId": dest, "fileIds": [clash["id"], free["id"], UNKNOWN]},
    )
    assert check.status_code == 200
    assert [entry["title"] for entry in check.json()["response"]] == ["clash.txt"]
    own = client.get(
        f"{OPS}/move", params={"destFolderId": source, "fileIds": free["id"]}
    )
    assert [entry["title"] for entry in own.json()["response"]] == ["free.txt"]
    comma = client.get(
        f"{OPS}/move",
        params={"destFolderId": dest, "fileIds": f"{free['id']},{clash['id']}"},
    )
    assert len(comma.json()["response"]) == 1


@pytest.mark.parametrize("check", ["move", "checkdestfolder"])
def test_move_checks_refuse_missing_or_unknown_destinations(
    client: httpx.Client, check: str
) -> None:
    file = upload(client, "@my", "a.txt", b"a")
    missing = client.get(f"{OPS}/{check}", params={"fileIds": file["id"]})
    assert missing.status_code == 400
    unknown = client.get(
        f"{OPS}/{check}", params={"fileIds": file["id"], "destFolderId": UNKNOWN}
    )
    assert unknown.status_code == 404


def test_destination_check_allows_everything_in_my_documents(
    client: httpx.Client, two_folders: tuple[int, int]
) -> None:
    source, dest = two_folders
    file = upload(client, source, "any.bin", b"x")
    answer = client.get(
        f"{OPS}/checkdestfolder", params={"destFolderId": dest, "fileIds": [file["id"]]}
    )
    assert answer.status_code == 200
    body = answer.json()["response"]
    assert body["result"] == 0
    assert [entry["id"] for entry in body["files"]] == [file["id"]]


def test_operations_without_credentials_are_401(anonymous: httpx.Client) -> None:
    for operation in (
        "move",
        "copy",
        "duplicate",
        "delete",
        "emptytrash",
        "bulkdownload",
        "markasread",
        "deleteversion",
        f"terminate/{ZERO_GUID}",
    ):
        answer = anonymous.put(f"{OPS}/{operation}", json={})
        assert answer.status_code == 401, operation
    assert anonymous.get(f"{OPS}/checkdestfolder").status_code == 401


# Through the SDK


def _sdk_wait(operations: sdk.OperationsApi, operation_id: str) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for status in operations.get_operation_statuses(id=operation_id).response:
            if status.id == operation_id and status.finished:
                return status
        time.sleep(0.05)
    raise TimeoutError(operation_id)


def test_file_operations_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    operations = sdk.OperationsApi(sdk_client)
    root = folders.get_my_folder().response.current.id
    dest = folders.create_folder(root, sdk.CreateFolder(title="Dest")).response.id
    folders.upload_file(root, file=("a.txt", b"a"))
    file_id = folders.get_my_folder_without_preload_content().json()["response"][
        "files"
    ][0]["id"]

    def ids(model: type, *values: int) -> list[Any]:
        return [model(value) for value in values]

    copied = operations.copy_batch_items(
        sdk.BatchRequestDto(
            file_ids=ids(sdk.BatchRequestDtoAllOfFileIds, file_id),
            dest_folder_id=sdk.BatchRequestDtoAllOfDestFolderId(dest),
            conflict_resolve_type=sdk.FileConflictResolveType.DUPLICATE,
        )
    ).response[0]
    assert copied.operation == 1
    assert _sdk_wait(operations, copied.id).error == ""

    clash = operations.check_move_or_copy_batch_items(
        in_dto={"destFolderId": dest, "fileIds": [file_id]}
    ).response
    assert [entry.title for entry in clash] == ["a.txt"]
    checked = operations.check_move_or_copy_dest_folder(
        in_dto={"destFolderId": dest, "fileIds": [file_id]}
    ).response
    assert checked.result == 0

    moved = operations.move_batch_items(
        sdk.BatchRequestDto(
            file_ids=ids(sdk.BatchRequestDtoAllOfFileIds, file_id),
            dest_folder_id=sdk.BatchRequestDtoAllOfDestFolderId(dest),
            conflict_resolve_type=sdk.FileConflictResolveType.OVERWRITE,
        )
    ).response[0]
    assert _sdk_wait(operations, moved.id).operation == 0

    duplicated = operations.duplicate_batch_items(
        sdk.DuplicateRequestDto(
            folder_ids=ids(sdk.DuplicateRequestDtoAllOfFolderIds, dest)
        )
    ).response[0]
    assert _sdk_wait(operations, duplicated.id).operation == 7

    download = operations.bulk_download(
        sdk.DownloadRequestDto(
            folder_ids=ids(sdk.DownloadRequestDtoAllOfFolderIds, dest)
        )
    ).response[0]
    finished = _sdk_wait(operations, download.id)
    assert "filehandler.ashx?action=bulk" in finished.url

    deleted = operations.delete_batch_items(
        sdk.DeleteBatchRequestDto(
            folder_ids=ids(sdk.DeleteBatchRequestDtoAllOfFolderIds, dest)
        )
    ).response[0]
    assert _sdk_wait(operations, deleted.id).operation == 2
    trash = folders.get_trash_folder().response
    assert [entry.title for entry in trash.folders] == ["Dest"]
    assert trash.folders[0].auto_delete is not None
    emptied = operations.empty_trash(single=True).response
    assert [op.operation for op in emptied] == [2]
    _sdk_wait(operations, emptied[0].id)

    read = operations.mark_as_read(sdk.BaseBatchRequestDto()).response[0]
    assert read.operation == 4
    assert operations.terminate_tasks(ZERO_GUID).response is not None
    by_type = operations.get_operation_statuses_by_type(
        sdk.FileOperationType.Move
    ).response
    assert isinstance(by_type, list)
