"""Title rules: what a name may hold, how DocSpace rewrites it, how copies are named.

Titles are data, never paths: content is stored under generated keys, so these rules
exist for fidelity with DocSpace and for people who later export their documents,
not for the safety of the server's disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from folio.domain.kinds import FileKind, extension_of, kind_of
from folio.errors import InvalidRequest, ValidationFailed

__all__ = [
    "MAX_REQUEST_TITLE",
    "MAX_STORED_TITLE",
    "blank_document_title",
    "clean_title",
    "numbered_title",
    "numbered_variant",
    "renamed_file_title",
    "require_title",
]

MAX_REQUEST_TITLE = 165
MAX_STORED_TITLE = 170

# DocSpace replaces these with "_"; so does Folio, and it adds every other control
# character, which no file system or archive format handles well.
_REPLACED = re.compile(r'[\x00-\x1f\x7f*+:"<>?|\\/]|[\ud800-\udfff]')

_BLANK_EXTENSION = {
    FileKind.DOCUMENT: ".docx",
    FileKind.SPREADSHEET: ".xlsx",
    FileKind.PRESENTATION: ".pptx",
    FileKind.PDF: ".pdf",
}

# Extensions that the blank-document endpoint keeps as they are.
_PASS_THROUGH = frozenset({".docx", ".xlsx", ".pptx", ".pdf", ".docxf", ".oform"})


def require_title(raw: object, *, field: str = "Title") -> str:
    """Return a request's title, or raise the validation error DocSpace gives.

    A missing, non-string, empty or blank title and one longer than 165 characters
    are refused; a title of dots alone ("." or "..") is refused too, since no file
    system or archive can hold it.
    """
    if raw is None or not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(
            {field: [f"The {field.split('.')[-1]} field is required."]}
        )
    if len(raw) > MAX_REQUEST_TITLE:
        name = field.split(".")[-1]
        raise ValidationFailed(
            {
                field: [
                    f"The field {name} must be a string with a maximum length of "
                    f"{MAX_REQUEST_TITLE}."
                ]
            }
        )
    title = clean_title(raw)
    if set(title) == {"."}:
        raise InvalidRequest("The title cannot consist of dots only")
    return title


def clean_title(raw: str) -> str:
    """Trim a title, replace the characters DocSpace refuses, and cap its length."""
    title = _REPLACED.sub("_", raw.strip())
    if len(title) <= MAX_STORED_TITLE:
        return title
    extension = extension_of(title)
    if extension and len(extension) < MAX_STORED_TITLE:
        return title[: MAX_STORED_TITLE - len(extension)] + extension
    return title[:MAX_STORED_TITLE]


def blank_document_title(title: str) -> str:
    """Return the title a new blank document gets, by DocSpace's extension rules.

    Office extensions are replaced by the internal format of their kind
    ("notes.txt" → "notes.docx"); any other extension gets ".docx" appended
    ("photo.png" → "photo.png.docx").
    """
    extension = extension_of(title)
    if extension in _PASS_THROUGH:
        return title
    target = _BLANK_EXTENSION.get(kind_of(title))
    if target is None:
        return title + ".docx"
    return title[: -len(extension)] + target


def renamed_file_title(current: str, requested: str) -> str:
    """Return the new title of a renamed file: the old extension is kept, appended."""
    old_extension = extension_of(current)
    if extension_of(requested) == old_extension:
        return requested
    if requested.lower().endswith(old_extension):
        return requested
    return requested + old_extension


def numbered_variant(title: str, number: int, *, is_folder: bool = False) -> str:
    """Return "name (n).ext" for a file title, or "name (n)" for a folder's."""
    extension = "" if is_folder else extension_of(title)
    stem = title[: len(title) - len(extension)] if extension else title
    return f"{stem} ({number}){extension}"


def numbered_title(
    title: str, taken: Callable[[str], bool], *, is_folder: bool = False
) -> str:
    """Return the first of "name (1).ext", "name (2).ext", … that is not taken."""
    number = 1
    while taken(candidate := numbered_variant(title, number, is_folder=is_folder)):
        number += 1
    return candidate
