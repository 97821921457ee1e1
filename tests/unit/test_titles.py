"""Title rules of new documents, renames and copies."""

from __future__ import annotations

import pytest

from folio.domain.kinds import FileKind, extension_of, kind_of
from folio.domain.titles import (
    clean_title,
    numbered_title,
    numbered_variant,
    renamed_file_title,
)


@pytest.mark.parametrize(
    ("title", "extension"),
    [("a.DOCX", ".docx"), ("a", ""), (".hidden", ""), ("a.", ""), ("a.b.c", ".c")],
)
def test_extension_of(title: str, extension: str) -> None:
    assert extension_of(title) == extension


def test_kind_of_knows_office_and_media() -> None:
    assert kind_of("x.odt") is FileKind.DOCUMENT
    assert kind_of("x.numbers") is FileKind.SPREADSHEET
    assert kind_of("x.key") is FileKind.PRESENTATION
    assert kind_of("x.mkv") is FileKind.VIDEO
    assert kind_of("x.bin") is FileKind.UNKNOWN


def test_clean_title_truncates_keeping_the_extension() -> None:
    long = "a" * 200 + ".docx"
    cleaned = clean_title(long)
    assert len(cleaned) == 170 and cleaned.endswith(".docx")


def test_clean_title_replaces_lone_surrogates() -> None:
    assert clean_title("a\ud800b") == "a_b"


@pytest.mark.parametrize(
    ("current", "requested", "renamed"),
    [
        ("a.docx", "b", "b.docx"),
        ("a.docx", "b.docx", "b.docx"),
        ("a.docx", "b.txt", "b.txt.docx"),
        ("a.docx", "B.DOCX", "B.DOCX"),
    ],
)
def test_renamed_file_keeps_its_extension(
    current: str, requested: str, renamed: str
) -> None:
    assert renamed_file_title(current, requested) == renamed


def test_numbered_titles() -> None:
    assert numbered_variant("r.txt", 2) == "r (2).txt"
    assert numbered_variant("Folder.v2", 1, is_folder=True) == "Folder.v2 (1)"
    taken = {"r (1).txt", "r (2).txt"}
    assert numbered_title("r.txt", taken.__contains__) == "r (3).txt"
