"""What kind of document a file is, judged by its extension, as DocSpace does."""

from __future__ import annotations

import enum
import mimetypes

__all__ = [
    "FileKind",
    "content_type",
    "extension_of",
    "extensions_of",
    "kind_of",
    "opens_in_editor",
]


class FileKind(enum.IntEnum):
    """DocSpace's FileType codes."""

    UNKNOWN = 0
    ARCHIVE = 1
    VIDEO = 2
    AUDIO = 3
    IMAGE = 4
    SPREADSHEET = 5
    PRESENTATION = 6
    DOCUMENT = 7
    PDF = 10
    DIAGRAM = 11


_EXTENSIONS: dict[FileKind, str] = {
    FileKind.DOCUMENT: (
        ".doc .docx .docm .dot .dotx .dotm .odt .fodt .ott .rtf .txt .html .htm .mht"
        " .mhtml .xml .djvu .fb2 .epub .xps .oxps .sxw .stw .wps .wpt .doct .docy"
        " .gdoc .drawio .md .markdown .oform .pages .hwp .hwpx .docxf"
    ),
    FileKind.SPREADSHEET: (
        ".xls .xlsx .xlsm .xlt .xltx .xltm .ods .fods .ots .csv .sxc .et .ett .xlst"
        " .xlsy .xlsb .gsheet .numbers"
    ),
    FileKind.PRESENTATION: (
        ".pps .ppsx .ppsm .ppt .pptx .pptm .pot .potx .potm .odp .fodp .otp .dps .dpt"
        " .sxi .pptt .ppty .gslides .key .odg"
    ),
    FileKind.PDF: ".pdf",
    FileKind.DIAGRAM: ".vsdm .vsdx .vssm .vssx .vstm .vstx",
    FileKind.IMAGE: (
        ".bmp .cod .gif .ief .jpe .jpeg .jpg .jfif .tiff .tif .cmx .ico .pnm .pbm .png"
        " .ppm .rgb .svg .xbm .xpm .xwd .svgt .webp .heic .heif .avif"
    ),
    FileKind.AUDIO: ".aac .flac .m4a .mp3 .oga .ogg .wav .wma .opus",
    FileKind.VIDEO: ".avi .mpeg .mpg .mp4 .m4v .mkv .mov .webm .wmv .ogv .3gp .flv",
    FileKind.ARCHIVE: ".zip .rar .tar .gz .tgz .bz2 .7z .xz .tbz2",
}

_KIND_BY_EXTENSION = {
    extension: kind
    for kind, extensions in _EXTENSIONS.items()
    for extension in extensions.split()
}

# The editors open these directly; other office formats are converted first.
_EDITABLE = frozenset(
    ".docx .docxf .oform .xlsx .pptx .pdf .txt .csv .odt .ods .odp .rtf .md".split()
)

# Office formats that mimetypes does not always know on a bare system.
_CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".html": "text/html",
}


def extension_of(title: str) -> str:
    """Return the lowercase extension of a title with its dot, or "" if none."""
    dot = title.rfind(".")
    if dot <= 0 or dot == len(title) - 1:
        return ""
    return title[dot:].lower()


def extensions_of(kind: FileKind) -> tuple[str, ...]:
    """Return the extensions (with their dots) that make a file of this kind."""
    return tuple(_EXTENSIONS.get(kind, "").split())


def kind_of(title: str) -> FileKind:
    """Return the kind of file a title names."""
    return _KIND_BY_EXTENSION.get(extension_of(title), FileKind.UNKNOWN)


def opens_in_editor(title: str) -> bool:
    """Tell whether the document editors open this file without converting it."""
    return extension_of(title) in _EDITABLE


def content_type(title: str) -> str:
    """Return the media type to serve a file's bytes with."""
    extension = extension_of(title)
    if extension in _CONTENT_TYPES:
        return _CONTENT_TYPES[extension]
    guessed, _ = mimetypes.guess_type("x" + extension)
    return guessed or "application/octet-stream"
