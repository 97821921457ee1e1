"""Everything that makes a file, in My documents and in any folder: uploads, blank
documents, text and HTML, inserts (multipart and raw body), and the upload check."""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx
import pytest
from space_helpers import create_folder, download, listing, my_id, titles, upload

UNKNOWN = 999999999


@pytest.fixture(params=["@my", "folder"])
def target(request: pytest.FixtureRequest, client: httpx.Client) -> tuple[str, int]:
    """Where to create: (path segment, folder id): My documents or a subfolder."""
    if request.param == "@my":
        return "@my", my_id(client)
    parent = create_folder(client, my_id(client), "Parent")
    folder = create_folder(client, parent["id"], "Target")
    return str(folder["id"]), folder["id"]


def test_upload_into_a_subfolder_versions_same_titles(
    client: httpx.Client, target: tuple[str, int]
) -> None:
    segment, folder_id = target
    first = upload(client, segment, "data.csv", b"a,b\n")
    assert (first["folderId"], first["version"]) == (folder_id, 1)
    second = upload(client, segment, "data.csv", b"a,b\n1,2\n")
    assert (second["id"], second["version"], second["pureContentLength"]) == (
        first["id"],
        2,
        8,
    )
    third = upload(client, segment, "data.csv", b"new", createNewIfExist="true")
    assert (third["id"] != first["id"], third["title"]) == (True, "data (1).csv")
    assert download(client, first["id"]) == b"a,b\n1,2\n"


def test_blank_document_in_a_subfolder(
    client: httpx.Client, target: tuple[str, int]
) -> None:
    segment, folder_id = target
    answer = client.post(f"/api/2.0/files/{segment}/file", json={"title": "Plan.txt"})
    assert answer.status_code == 200
    created = answer.json()["response"]
    assert (created["title"], created["folderId"]) == ("Plan.docx", folder_id)
    assert created["pureContentLength"] > 0


@pytest.mark.parametrize(
    ("endpoint", "title", "content", "expected"),
    [
        ("text", "notes", "plain words", "notes.txt"),
        ("text", "notes.TXT", "plain words", "notes.TXT"),
        ("text", "page", "<p class='x'>markup</p>", "page.html"),
        ("html", "page", "no markup at all", "page.html"),
        ("html", "page.html", "<b>x</b>", "page.html"),
    ],
    ids=["txt-added", "txt-kept", "markup-becomes-html", "html", "html-kept"],
)
def test_text_and_html_titles(
    client: httpx.Client,
    target: tuple[str, int],
    endpoint: str,
    title: str,
    content: str,
    expected: str,
) -> None:
    segment, folder_id = target
    answer = client.post(
        f"/api/2.0/files/{segment}/{endpoint}",
        json={"title": title, "content": content},
    )
    assert answer.status_code == 200, answer.text
    created = answer.json()["response"]
    assert (created["title"], created["folderId"]) == (expected, folder_id)
    assert created["fileExst"] == expected[expected.rfind(".") :].lower()
    assert download(client, created["id"]) == content.encode()


def test_text_collision_rule_is_inverted_as_in_docspace(
    client: httpx.Client, target: tuple[str, int]
) -> None:
    segment, _ = target
    path = f"/api/2.0/files/{segment}/text"
    first = client.post(path, json={"title": "log", "content": "one"}).json()[
        "response"
    ]
    # The default keeps the existing file and makes a numbered one.
    second = client.post(path, json={"title": "log", "content": "two"}).json()[
        "response"
    ]
    assert (second["id"] != first["id"], second["title"]) == (True, "log (1).txt")
    # createNewIfExist: true makes a new version of the existing file.
    third = client.post(
        path, json={"title": "log", "content": "three", "createNewIfExist": True}
    ).json()["response"]
    assert (third["id"], third["version"]) == (first["id"], 2)
    assert download(client, first["id"]) == b"three"


@pytest.mark.parametrize(
    "body",
    [{"title": "x"}, {"title": "x", "content": None}, {"title": "  ", "content": "c"}],
    ids=["no-content", "null-content", "blank-title"],
)
def test_text_refusals_are_400(client: httpx.Client, body: dict[str, object]) -> None:
    answer = client.post("/api/2.0/files/@my/text", json=body)
    assert answer.status_code == 400
    assert listing(client, "@my")["total"] == 0


def test_insert_multipart_takes_title_from_the_form(
    client: httpx.Client, target: tuple[str, int]
) -> None:
    segment, folder_id = target
    path = f"/api/2.0/files/{segment}/insert"
    answer = client.post(
        path, files={"AnyName": ("ignored.bin", b"12345")}, data={"Title": "real.md"}
    )
    assert answer.status_code == 200, answer.text
    created = answer.json()["response"]
    assert (created["title"], created["fileExst"], created["pureContentLength"]) == (
        "real.md",
        ".md",
        5,
    )
    assert created["folderId"] == folder_id
    again = client.post(
        path,
        files={"file": ("x", b"678")},
        data={"title": "real.md", "createNewIfExist": "False"},
    ).json()["response"]
    assert (again["id"], again["version"]) == (created["id"], 2)
    other = client.post(
        path,
        files={"file": ("x", b"9")},
        data={"title": "real.md", "createNewIfExist": "True"},
    ).json()["response"]
    assert other["id"] != created["id"]
    empty = client.post(path, files={"file": ("x", b"")}, data={"title": "empty.txt"})
    assert empty.json()["response"]["contentLength"] == "0 bytes"


def test_insert_raw_body_takes_title_from_the_query(
    client: httpx.Client, target: tuple[str, int]
) -> None:
    segment, folder_id = target
    answer = client.post(
        f"/api/2.0/files/{segment}/insert",
        params={"title": "raw.bin"},
        content=b"\x00\x01raw bytes",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 200, answer.text
    created = answer.json()["response"]
    assert (created["title"], created["folderId"]) == ("raw.bin", folder_id)
    assert download(client, created["id"]) == b"\x00\x01raw bytes"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"files": {"file": ("a.txt", b"a")}},
        {"data": {"title": "a.txt"}, "files": {"other": (None, b"not a file")}},
        {"content": b"raw", "headers": {"Content-Type": "text/plain"}},
    ],
    ids=["multipart-without-title", "multipart-without-file", "raw-without-title"],
)
def test_insert_without_title_or_file_is_400(
    client: httpx.Client, kwargs: dict[str, object]
) -> None:
    answer = client.post("/api/2.0/files/@my/insert", **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == 400
    assert listing(client, "@my")["total"] == 0


def test_upload_check_reports_existing_titles_ignoring_case(
    client: httpx.Client, target: tuple[str, int]
) -> None:
    segment, folder_id = target
    upload(client, segment, "Report.docx", b"r")
    upload(client, segment, "Data.xlsx", b"d")
    path = f"/api/2.0/files/{folder_id}/upload/check"

    def check(names: list[str]) -> httpx.Response:
        return client.post(path, json={"filesTitle": names})

    assert check(["missing.txt"]).json()["response"] == []
    assert check([]).json()["response"] == []
    mixed = check(["report.docx", "missing.txt", "Data.xlsx", "REPORT.DOCX"])
    assert mixed.json()["response"] == ["report.docx", "Data.xlsx"]
    assert mixed.json()["count"] == 2


@pytest.mark.parametrize("body", [{}, {"filesTitle": None}], ids=["missing", "null"])
def test_upload_check_without_titles_is_400(
    client: httpx.Client, body: dict[str, object]
) -> None:
    answer = client.post(f"/api/2.0/files/{my_id(client)}/upload/check", json=body)
    assert answer.status_code == 400


def test_creating_in_unknown_folders_is_404(client: httpx.Client) -> None:
    for path, kwargs in [
        (f"/api/2.0/files/{UNKNOWN}/upload/check", {"json": {"filesTitle": ["a"]}}),
        (f"/api/2.0/files/{UNKNOWN}/text", {"json": {"title": "a", "content": "b"}}),
        (f"/api/2.0/files/{UNKNOWN}/html", {"json": {"title": "a", "content": "b"}}),
        (
            f"/api/2.0/files/{UNKNOWN}/insert",
            {"params": {"title": "a"}, "content": b"x"},
        ),
        (f"/api/2.0/files/{UNKNOWN}/upload", {"files": {"file": ("a", b"a")}}),
        ("/api/2.0/files/0/upload", {"files": {"file": ("a", b"a")}}),
    ]:
        answer = client.post(path, **kwargs)  # type: ignore[arg-type]
        assert answer.status_code == 404, path
        assert answer.json()["error"]["message"] == "The required folder was not found"


def test_creating_without_credentials_is_401(anonymous: httpx.Client) -> None:
    for path in ("/api/2.0/files/@my/html", "/api/2.0/files/@my/text"):
        answer = anonymous.post(path, json={"title": "a", "content": "b"})
        assert (answer.status_code, answer.content) == (401, b"")
    check = anonymous.post("/api/2.0/files/1/upload/check", json={"filesTitle": []})
    assert check.status_code == 401


def test_new_files_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    folders = sdk.FoldersApi(sdk_client)
    files = sdk.FilesApi(sdk_client)
    root = folders.get_my_folder().response.current.id
    sub = folders.create_folder(root, sdk.CreateFolder(title="Sub")).response.id

    text = files.create_text_file_in_my_documents(
        sdk.CreateTextOrHtmlFile(title="note", content="hello")
    ).response
    assert (text.title, text.file_exst) == ("note.txt", ".txt")
    html = files.create_html_file(
        sub, sdk.CreateTextOrHtmlFile(title="page", content="<p>x</p>")
    ).response
    assert (html.title, html.folder_id) == ("page.html", sub)
    text_in_sub = files.create_text_file(
        sub, sdk.CreateTextOrHtmlFile(title="t", content="words")
    ).response
    assert text_in_sub.folder_id == sub
    html_in_my = files.create_html_file_in_my_documents(
        sdk.CreateTextOrHtmlFile(title="h", content="words")
    ).response
    assert html_in_my.title == "h.html"

    uploaded = folders.upload_file(sub, file=("up.txt", b"up")).response[0]
    assert uploaded.folder_id == sub
    blank = files.create_file(
        sub, sdk.CreateFileJsonElement(title="Sheet.csv")
    ).response
    assert blank.title == "Sheet.xlsx"

    inserted = folders.insert_file(
        sub, insert_file_file=("x", b"inserted"), insert_file_title="ins.txt"
    ).response
    assert (inserted.title, inserted.pure_content_length) == ("ins.txt", 8)
    inserted_my = folders.insert_file_to_my_from_body(
        file=("y", b"mine"), title="mine.txt", create_new_if_exist=False
    ).response
    assert inserted_my.folder_id == root

    checked = folders.check_upload(
        sub, sdk.CheckUploadRequest(files_title=["UP.TXT", "none.txt"])
    ).response
    assert checked == ["UP.TXT"]
    raw = folders.get_folder_by_folder_id_without_preload_content(sub).json()
    assert sorted(titles(raw["response"])[1]) == [
        "Sheet.xlsx",
        "ins.txt",
        "page.html",
        "t.txt",
        "up.txt",
    ]
