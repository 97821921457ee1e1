"""DocSpace's "manage files in My Documents" flow, end to end, over real HTTP."""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx

from helpers import wait_for_operation


def test_four_operations_over_plain_http(client: httpx.Client) -> None:
    listing = client.get("/api/2.0/files/@my")
    assert listing.status_code == 200
    my_id = listing.json()["response"]["current"]["id"]

    uploaded = client.post(
        "/api/2.0/files/@my/upload", files={"file": ("notes.txt", b"first words")}
    )
    assert uploaded.status_code == 200
    (file,) = uploaded.json()["response"]
    assert (file["title"], file["folderId"], file["pureContentLength"]) == (
        "notes.txt",
        my_id,
        11,
    )

    created = client.post("/api/2.0/files/@my/file", json={"title": "Plan"})
    assert created.status_code == 200
    assert created.json()["response"]["title"] == "Plan.docx"

    deleted = client.request(
        "DELETE", f"/api/2.0/files/file/{file['id']}", json={"immediately": False}
    )
    assert deleted.status_code == 200
    operation = deleted.json()["response"][0]
    assert operation["Operation"] == 2
    done = wait_for_operation(client, operation["id"])
    assert (done["progress"], done["processed"], done["error"]) == (100, "1", "")

    titles = [
        f["title"] for f in client.get("/api/2.0/files/@my").json()["response"]["files"]
    ]
    assert titles == ["Plan.docx"]
    trash = client.get("/api/2.0/files/@trash").json()["response"]
    assert [f["title"] for f in trash["files"]] == ["notes.txt"]
    assert trash["files"][0]["originId"] == my_id


def test_four_operations_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    files = sdk.FilesApi(sdk_client)
    operations = sdk.OperationsApi(sdk_client)

    my = folders.get_my_folder()
    assert my.response.total == 0
    assert my.response.current.title == "My documents"

    uploaded = folders.upload_file_to_my(file=("report.txt", b"quarterly numbers"))
    (file,) = uploaded.response
    assert file.title == "report.txt"

    created = files.create_file_in_my_documents(
        sdk.CreateFileJsonElement(title="Budget.xlsx")
    )
    assert created.response.title == "Budget.xlsx"
    assert created.response.file_type == 5

    listing = folders.get_my_folder(sort_by="AZ", sort_order=0)
    assert listing.response.total == 2
    assert [entry.title for entry in listing.response.files] == [
        "Budget.xlsx",
        "report.txt",
    ]

    started = files.delete_file(
        created.response.id, sdk.Delete(immediately=True), return_single_operation=True
    )
    assert [op.operation for op in started.response] == [2]
    statuses = operations.get_operation_statuses()
    assert all(op.operation == 2 for op in statuses.response)
