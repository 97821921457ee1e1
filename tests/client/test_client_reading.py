"""Reading with the client: listings and their pages, lookups by path, profiles."""

from __future__ import annotations

import pytest

import helpers
from folio.client import (
    AmbiguousName,
    File,
    FileType,
    Folder,
    FolderType,
    Folio,
    NotFound,
)


def test_my_documents_of_a_new_user_is_an_empty_first_page(folio: Folio) -> None:
    listing = folio.my_documents()

    assert listing.folder.title == "My documents"
    assert listing.folder.root_folder_type is FolderType.USER
    assert (listing.total, listing.files, listing.folders) == (0, [], [])
    assert [part.title for part in listing.path] == ["My documents"]
    assert listing.next_start is None


def test_listing_keeps_every_field_the_server_sent(folio: Folio) -> None:
    folio.upload(b"abc", title="kept.txt")

    (file,) = folio.my_documents().files

    assert file["viewAccessibility"]["WebView"] is True
    assert file.get("security")["Download"] is True
    assert file.raw["fileEntryType"] == 2
    assert file.get("noSuchField", "absent") == "absent"


def test_list_pages_a_folder_with_start_and_count(folio: Folio) -> None:
    for number in range(5):
        folio.upload(b"x", title=f"page-{number}.txt")

    first = folio.list("@my", count=2, sort_by="AZ", descending=False)
    second = folio.list("@my", start=2, count=2, sort_by="AZ", descending=False)

    assert [f.title for f in first.files] == ["page-0.txt", "page-1.txt"]
    assert [f.title for f in second.files] == ["page-2.txt", "page-3.txt"]
    assert (first.total, first.next_start, second.next_start) == (5, 2, 4)


def test_entries_iterate_over_every_page(folio: Folio) -> None:
    titles = {f"item-{number}.txt" for number in range(7)}
    for title in titles:
        folio.upload(b"x", title=title)

    seen = [entry.title for entry in folio.entries(count=3)]
    pages = list(folio.pages(count=3))

    assert sorted(seen) == sorted(titles)
    assert [len(page) for page in pages] == [3, 3, 1]


def test_list_filters_by_text_and_type(folio: Folio) -> None:
    folio.upload(b"x", title="budget-2026.txt")
    folio.upload(b"x", title="notes.txt")
    folio.create("Budget review.docx")

    found = folio.list(search="budget")
    documents = folio.list(filter_type=3, search="budget")

    assert sorted(f.title for f in found.files) == [
        "Budget review.docx",
        "budget-2026.txt",
    ]
    assert all(f.file_type == FileType.DOCUMENT for f in documents.files)


def test_find_returns_the_entry_at_a_top_level_path(folio: Folio) -> None:
    uploaded = folio.upload(b"x", title="report.txt")
    folio.upload(b"x", title="report.txt.bak")

    found = folio.find("report.txt")
    root = folio.find("")

    assert isinstance(found, File) and found.id == uploaded.id
    assert isinstance(root, Folder) and root.title == "My documents"


def test_find_an_unknown_name_raises_not_found(folio: Folio) -> None:
    with pytest.raises(NotFound, match="no 'missing.txt' in My documents"):
        folio.find("missing.txt")


def test_find_under_a_file_raises_not_found(folio: Folio) -> None:
    folio.upload(b"x", title="plain.txt")

    with pytest.raises(NotFound, match="is a file"):
        folio.find("plain.txt/inner.txt")


def test_find_a_name_two_files_share_raises_ambiguous(folio: Folio) -> None:
    first = folio.create("Twin.docx")
    second = folio.create("Twin.docx")

    with pytest.raises(AmbiguousName) as raised:
        folio.find("Twin.docx")

    assert sorted(raised.value.ids) == sorted([first.id, second.id])


def test_find_in_trash_looks_in_the_trash_section(folio: Folio) -> None:
    file = folio.upload(b"x", title="gone.txt")
    folio.delete(file)

    found = folio.find("@trash/gone.txt")

    assert found.id == file.id and found.in_trash


def test_get_file_returns_its_information(folio: Folio) -> None:
    uploaded = folio.upload(b"12345", title="five.txt")

    file = folio.get_file(uploaded.id)

    assert (file.title, file.size, file.extension, file.version) == (
        "five.txt",
        5,
        ".txt",
        1,
    )
    assert file.content_length == "5 bytes"


def test_me_returns_the_callers_profile(folio: Folio, user: helpers.TestUser) -> None:
    profile = folio.me()

    assert (profile.id, profile.email) == (user.user_id, user.email)
    assert profile.display_name == "Test User"
