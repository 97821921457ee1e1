"""DELETE /api/2.0/files/file/{id} and the operation status list clients poll."""

from __future__ import annotations

import time

import docspace_api_sdk as sdk
import httpx
import pytest

from helpers import FolioServer, wait_for_operation


def _new_file(client: httpx.Client, title: str = "Doomed.docx") -> dict[str, object]:
    return dict(
        client.post("/api/2.0/files/@my/file", json={"title": title}).json()["response"]
    )


def _delete(client: httpx.Client, file_id: object, **body: object) -> httpx.Response:
    return client.request("DELETE", f"/api/2.0/files/file/{file_id}", json=body)


def _used_space(client: httpx.Client) -> int:
    return int(client.get("/api/2.0/people/@self").json()["response"]["usedSpace"])


def test_delete_moves_the_file_to_trash(client: httpx.Client) -> None:
    file = _new_file(client)
    my_id = file["folderId"]
    used = _used_space(client)

    answer = _delete(client, file["id"])
    assert answer.status_code == 200
    (operation,) = answer.json()["response"]
    assert operation["Operation"] == 2
    assert isinstance(operation["id"], str) and len(operation["id"]) == 36
    assert operation["processed"] == "0" or operation["finished"]
    wait_for_operation(client, operation["id"])

    assert client.get("/api/2.0/files/@my").json()["response"]["total"] == 0
    trash = client.get("/api/2.0/files/@trash").json()["response"]
    (trashed,) = trash["files"]
    assert trashed["id"] == file["id"]
    assert (trashed["rootFolderType"], trashed["originId"]) == (3, my_id)
    assert trashed["originTitle"] == "My documents"
    assert "autoDelete" in trashed
    assert trash["current"]["title"] == "Trash"
    assert _used_space(client) == used  # Trash still counts as used space.


def test_delete_immediately_removes_file_and_its_space(client: httpx.Client) -> None:
    file = _new_file(client)
    used = _used_space(client)

    operation = _delete(client, file["id"], immediately=True).json()["response"][0]
    wait_for_operation(client, operation["id"])

    assert client.get("/api/2.0/files/@trash").json()["response"]["total"] == 0
    assert client.get(f"/api/2.0/files/file/{file['id']}").status_code == 404
    assert _used_space(client) == used - int(str(file["pureContentLength"]))


def test_delete_of_a_file_in_trash_is_permanent(client: httpx.Client) -> None:
    file = _new_file(client)
    wait_for_operation(client, _delete(client, file["id"]).json()["response"][0]["id"])
    operation = _delete(client, file["id"]).json()["response"][0]
    wait_for_operation(client, operation["id"])

    assert client.get("/api/2.0/files/@trash").json()["response"]["total"] == 0
    assert client.get(f"/api/2.0/files/file/{file['id']}").status_code == 404


def test_finished_operation_is_reported_once_when_held(client: httpx.Client) -> None:
    file = _new_file(client)
    operation_id = _delete(client, file["id"]).json()["response"][0]["id"]

    done = wait_for_operation(client, operation_id)
    assert (done["finished"], done["progress"], done["status"]) == (True, 100, 2)
    assert (done["processed"], done["error"]) == ("1", "")
    assert client.get("/api/2.0/files/fileops").json()["response"] == []


def test_delete_after_true_does_not_hold_the_result(client: httpx.Client) -> None:
    file = _new_file(client)
    _delete(client, file["id"], deleteAfter=True)

    deadline = time.monotonic() + 10
    while client.get("/api/2.0/files/fileops").json()["response"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    trash = client.get("/api/2.0/files/@trash").json()["response"]
    assert [f["id"] for f in trash["files"]] == [file["id"]]


def test_newest_operation_is_listed_last(client: httpx.Client) -> None:
    first = _new_file(client, "a.docx")
    second = _new_file(client, "b.docx")
    one = _delete(client, first["id"]).json()["response"][0]["id"]
    two = _delete(client, second["id"]).json()["response"][0]["id"]
    listed = client.get("/api/2.0/files/fileops").json()["response"]
    assert [op["id"] for op in listed] == [one, two]


def test_return_single_operation_answers_one_element(client: httpx.Client) -> None:
    first, second = _new_file(client, "a.docx"), _new_file(client, "b.docx")
    _delete(client, first["id"])
    answer = client.request(
        "DELETE",
        f"/api/2.0/files/file/{second['id']}",
        params={"ReturnSingleOperation": "true"},
        json={},
    )
    assert len(answer.json()["response"]) == 1


def test_status_lists_for_a_new_user_are_empty(client: httpx.Client) -> None:
    assert client.get("/api/2.0/files/fileops").json()["response"] == []
    for kind in ("0", "1", "2", "3", "4", "5", "6", "7", "Delete", "copy"):
        answer = client.get(f"/api/2.0/files/fileops/{kind}")
        assert answer.status_code == 200, kind
        assert answer.json()["response"] == []
    assert client.get("/api/2.0/files/fileops/99").status_code == 400
    zero = "00000000-0000-0000-0000-000000000000"
    assert (
        client.get("/api/2.0/files/fileops", params={"id": zero}).json()["response"]
        == []
    )


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        pytest.param({}, 415, id="no-body-no-content-type"),
        pytest.param(
            {"content": b"", "headers": {"Content-Type": "application/json"}},
            400,
            id="empty-json-body",
        ),  # fmt: skip
        pytest.param(
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            400,
            id="malformed-json",
        ),  # fmt: skip
    ],
)
def test_delete_without_a_json_body_is_refused_and_changes_nothing(
    client: httpx.Client, kwargs: dict[str, object], status: int
) -> None:
    file = _new_file(client)
    answer = client.request("DELETE", f"/api/2.0/files/file/{file['id']}", **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == status
    assert client.get("/api/2.0/files/fileops").json()["response"] == []
    assert client.get("/api/2.0/files/@my").json()["response"]["total"] == 1


def test_delete_of_unknown_file_answers_404(client: httpx.Client) -> None:
    answer = _delete(client, 999999999)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "The required file was not found"


def test_delete_through_the_sdk(
    sdk_client: sdk.ApiClient, client: httpx.Client
) -> None:
    file = _new_file(client)
    answer = sdk.FilesApi(sdk_client).delete_file(
        file["id"], sdk.Delete(delete_after=False, immediately=False)
    )
    operation = answer.response[0]
    assert operation.operation == 2
    wait_for_operation(client, operation.id)
    trash = sdk.FoldersApi(sdk_client).get_trash_folder()
    assert trash.response.total == 1


def test_operation_interrupted_by_a_crash_fails_at_restart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from folio.domain.entries import OperationStatus
    from folio.persistence.tables import operations

    server = FolioServer(tmp_path_factory.mktemp("crash") / "data")
    server.start()
    user = server.new_user()
    with server.client(user.key) as http:
        file = _new_file(http)
        operation_id = _delete(http, file["id"]).json()["response"][0]["id"]
        wait_for_operation(http, operation_id)
    server.kill()

    async def pretend_it_was_running(space: object) -> None:
        async with space.db.write() as connection:  # type: ignore[attr-defined]
            await connection.execute(
                operations.update()
                .where(operations.c.id == operation_id)
                .values(status=int(OperationStatus.RUNNING), reported=False)
            )

    server.run(pretend_it_was_running)
    server.start()
    try:
        with server.client(user.key) as http:
            (reported,) = http.get("/api/2.0/files/fileops").json()["response"]
        assert reported["id"] == operation_id
        assert (reported["finished"], reported["status"]) == (True, 4)
        assert "interrupted" in reported["error"]
    finally:
        server.stop()
