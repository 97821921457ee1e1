"""ONLYOFFICE's SDK, used as its users do, accepts every answer of these endpoints.

Each call goes through the SDK's own deserialiser and its strict pydantic models; a
field of the wrong type or an unknown enum code would raise here.
"""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx

from helpers import FolioServer, TestUser, wait_for_operation


def test_every_covered_endpoint_parses_in_the_sdk(
    server: FolioServer, sdk_client: sdk.ApiClient, user: TestUser, client: httpx.Client
) -> None:
    folders = sdk.FoldersApi(sdk_client)
    files = sdk.FilesApi(sdk_client)
    operations = sdk.OperationsApi(sdk_client)

    my = folders.get_my_folder(
        count=50, sort_by="DateAndTime", sort_order=sdk.SortOrder(1)
    )
    my_id = my.response.current.id
    assert my.response.path_parts is not None

    uploaded = folders.upload_file(my_id, file=("in-folder.txt", b"abc"))
    assert uploaded.response[0].folder_id == my_id
    created = files.create_file(my_id, sdk.CreateFileJsonElement(title="Made.docx"))
    assert created.response.file_type == 7
    same_folder = folders.get_folder_by_folder_id(my_id, sort_by="AZ", count=2)
    assert same_folder.response.total == 2
    assert files.get_file_info(created.response.id, version=1).response.version == 1

    started = files.delete_file(uploaded.response[0].id, sdk.Delete())
    wait_for_operation(client, started.response[0].id)
    trash = folders.get_trash_folder()
    assert trash.response.total == 1
    assert trash.response.current.root_folder_type == 3

    for kind in range(8):
        listed = operations.get_operation_statuses_by_type(sdk.FileOperationType(kind))
        assert listed.response == []
    assert operations.get_operation_statuses().response == []

    profile = sdk.ProfilesApi(sdk_client).get_self_profile()
    assert profile.response.used_space > 0

    login = sdk.AuthenticationApi(sdk_client).authenticate_me(
        sdk.AuthRequestsDto(user_name=user.email, password=user.password)
    )
    with sdk.ApiClient(
        sdk.Configuration(host=server.url),
        header_name="Authorization",
        header_value=login.response.token,
    ) as session:
        assert sdk.AuthenticationApi(session).get_is_authentificated().response is True
        sdk.AuthenticationApi(session).logout()
        assert sdk.AuthenticationApi(session).get_is_authentificated().response is False
