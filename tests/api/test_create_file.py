"""POST /api/2.0/files/@my/file: new documents, DocSpace's title rules, templates."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docspace_api_sdk as sdk
import docx
import httpx
import openpyxl
import pptx
import pytest


def _create(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post("/api/2.0/files/@my/file", json=body)


def _download(client: httpx.Client, file: dict[str, object]) -> bytes:
    answer = client.get(str(file["viewUrl"]))
    assert answer.status_code == 200
    return answer.content


@pytest.mark.parametrize(
    ("requested", "stored"),
    [
        ("Report.docx", "Report.docx"),
        ("Report", "Report.docx"),
        ("Report.doc", "Report.docx"),
        ("Report.odt", "Report.docx"),
        ("Report.txt", "Report.docx"),
        ("Report.md", "Report.docx"),
        ("Sheet.xls", "Sheet.xlsx"),
        ("Sheet.csv", "Sheet.xlsx"),
        ("Deck.ppt", "Deck.pptx"),
        ("Deck.odp", "Deck.pptx"),
        ("Form.pdf", "Form.pdf"),
        ("photo.png", "photo.png.docx"),
        ("a.zip", "a.zip.docx"),
        ("x.vsdx", "x.vsdx.docx"),
        ("Form.docxf", "Form.docxf"),
        ("  spaced  ", "spaced.docx"),
        ("a/b\\c:d", "a_b_c_d.docx"),
        ("tab\there", "tab_here.docx"),
        ("Отчёт", "Отчёт.docx"),
    ],
)
def test_new_file_title_follows_docspace_rules(
    client: httpx.Client, requested: str, stored: str
) -> None:
    answer = _create(client, title=requested)
    assert answer.status_code == 200
    file = answer.json()["response"]
    assert file["title"] == stored
    assert (file["version"], file["versionGroup"], file["comment"]) == (1, 1, "Created")


def test_new_files_with_the_same_title_are_not_renamed(client: httpx.Client) -> None:
    first = _create(client, title="Same").json()["response"]
    second = _create(client, title="Same").json()["response"]
    assert first["id"] != second["id"]
    assert first["title"] == second["title"] == "Same.docx"


@pytest.mark.parametrize(
    ("title", "opener"),
    [
        ("Doc.docx", lambda data: docx.Document(io.BytesIO(data))),
        ("Book.xlsx", lambda data: openpyxl.load_workbook(io.BytesIO(data))),
        ("Deck.pptx", lambda data: pptx.Presentation(io.BytesIO(data))),
    ],
)
def test_new_office_document_is_real_and_opens(
    client: httpx.Client, title: str, opener: object
) -> None:
    file = _create(client, title=title).json()["response"]
    data = _download(client, file)

    assert file["pureContentLength"] == len(data) > 0
    assert opener(data) is not None  # type: ignore[operator]


def test_new_pdf_is_a_valid_pdf(client: httpx.Client) -> None:
    file = _create(client, title="Form.pdf").json()["response"]
    data = _download(client, file)
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert file["fileType"] == 10


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; CI installs it",
)
def test_new_office_documents_convert_with_libreoffice(
    client: httpx.Client, tmp_path: Path
) -> None:
    for title in ("Doc.docx", "Book.xlsx", "Deck.pptx", "Form.pdf"):
        file = _create(client, title=title).json()["response"]
        (tmp_path / title).write_bytes(_download(client, file))
    sources = [str(tmp_path / t) for t in ("Doc.docx", "Book.xlsx", "Deck.pptx")]
    out = tmp_path / "out"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *sources,
        ],  # fmt: skip
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("Doc.pdf", "Book.pdf", "Deck.pdf"):
        assert (out / name).read_bytes().startswith(b"%PDF"), name


def test_enable_external_ext_keeps_extension_and_creates_empty_file(
    client: httpx.Client,
) -> None:
    file = _create(client, title="Notes.md", enableExternalExt=True).json()["response"]
    assert file["title"] == "Notes.md"
    assert file["contentLength"] == "0 bytes"
    assert "pureContentLength" not in file
    assert _download(client, file) == b""


def test_enable_external_ext_without_extension_ends_with_a_dot(
    client: httpx.Client,
) -> None:
    file = _create(client, title="Plain", enableExternalExt=True).json()["response"]
    assert file["title"] == "Plain."


def test_template_id_copies_the_template_content(client: httpx.Client) -> None:
    template = client.post(
        "/api/2.0/files/@my/upload", files={"file": ("t.docx", b"template bytes")}
    ).json()["response"][0]
    file = _create(client, title="From template", templateId=template["id"]).json()[
        "response"
    ]
    assert file["title"] == "From template.docx"
    assert _download(client, file) == b"template bytes"


def test_template_of_another_user_is_refused_as_not_found(
    client: httpx.Client, other_client: httpx.Client
) -> None:
    theirs = other_client.post("/api/2.0/files/@my/file", json={"title": "t"}).json()
    answer = _create(client, title="x", templateId=theirs["response"]["id"])
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "The required file was not found"
    assert client.get("/api/2.0/files/@my").json()["response"]["total"] == 0


def test_create_file_through_the_sdk(sdk_client: sdk.ApiClient) -> None:
    files = sdk.FilesApi(sdk_client)
    created = files.create_file_in_my_documents(
        sdk.CreateFileJsonElement(title="Deck.ppt")
    )
    assert created.response.title == "Deck.pptx"
    assert created.response.file_type == 6
    assert created.response.file_exst == ".pptx"
    info = files.get_file_info(created.response.id)
    assert info.response.pure_content_length == created.response.pure_content_length
