"""What a folder listing asks for: which entries, in which order, which page."""

from __future__ import annotations

import dataclasses
import enum

from folio.domain.kinds import FileKind

__all__ = ["ApplyFilter", "FilterType", "Listing", "SortBy"]


class FilterType(enum.IntEnum):
    """DocSpace's FilterType codes that apply to personal documents."""

    NONE = 0
    FILES_ONLY = 1
    FOLDERS_ONLY = 2
    DOCUMENTS_ONLY = 3
    PRESENTATIONS_ONLY = 4
    SPREADSHEETS_ONLY = 5
    IMAGES_ONLY = 7
    BY_USER = 8
    BY_DEPARTMENT = 9
    ARCHIVE_ONLY = 10
    BY_EXTENSION = 11
    MEDIA_ONLY = 12
    FILLING_FORMS_ROOMS = 13
    EDITING_ROOMS = 14
    CUSTOM_ROOMS = 17
    PUBLIC_ROOMS = 20
    PDF = 22
    PDF_FORM = 23
    VIRTUAL_DATA_ROOMS = 24
    DIAGRAMS_ONLY = 25
    AI_ROOMS = 26

    @property
    def file_kinds(self) -> frozenset[FileKind] | None:
        """The kinds of file this filter keeps, or None if it does not look at kind."""
        return _KINDS.get(self)


_KINDS = {
    FilterType.DOCUMENTS_ONLY: frozenset({FileKind.DOCUMENT}),
    FilterType.PRESENTATIONS_ONLY: frozenset({FileKind.PRESENTATION}),
    FilterType.SPREADSHEETS_ONLY: frozenset({FileKind.SPREADSHEET}),
    FilterType.IMAGES_ONLY: frozenset({FileKind.IMAGE}),
    FilterType.ARCHIVE_ONLY: frozenset({FileKind.ARCHIVE}),
    FilterType.MEDIA_ONLY: frozenset({FileKind.AUDIO, FileKind.VIDEO}),
    FilterType.PDF: frozenset({FileKind.PDF}),
    FilterType.PDF_FORM: frozenset(),
    FilterType.DIAGRAMS_ONLY: frozenset({FileKind.DIAGRAM}),
}


class ApplyFilter(enum.IntEnum):
    """DocSpace's ApplyFilterOption: which group of entries a filter narrows."""

    ALL = 0
    FILES = 1
    FOLDERS = 2


class SortBy(enum.IntEnum):
    """DocSpace's SortedByType; clients send the member name."""

    DATE_AND_TIME = 0
    AZ = 1
    SIZE = 2
    AUTHOR = 3
    TYPE = 4
    NEW = 5
    DATE_AND_TIME_CREATION = 6
    ROOM_TYPE = 7
    TAGS = 8
    ROOM = 9
    CUSTOM_ORDER = 10
    LAST_OPENED = 11
    USED_SPACE = 12

    @property
    def wire_name(self) -> str:
        return _WIRE_NAMES[self]

    @classmethod
    def from_wire(cls, value: str) -> SortBy | None:
        """Parse a name (any case) or a number; None for what DocSpace ignores."""
        text = value.strip()
        if text.isdigit():
            number = int(text)
            return cls(number) if number in cls._value2member_map_ else None
        return _BY_WIRE_NAME.get(text.lower())


_WIRE_NAMES = {
    SortBy.DATE_AND_TIME: "DateAndTime",
    SortBy.AZ: "AZ",
    SortBy.SIZE: "Size",
    SortBy.AUTHOR: "Author",
    SortBy.TYPE: "Type",
    SortBy.NEW: "New",
    SortBy.DATE_AND_TIME_CREATION: "DateAndTimeCreation",
    SortBy.ROOM_TYPE: "RoomType",
    SortBy.TAGS: "Tags",
    SortBy.ROOM: "Room",
    SortBy.CUSTOM_ORDER: "CustomOrder",
    SortBy.LAST_OPENED: "LastOpened",
    SortBy.USED_SPACE: "UsedSpace",
}
_BY_WIRE_NAME = {name.lower(): member for member, name in _WIRE_NAMES.items()}


@dataclasses.dataclass(frozen=True)
class Listing:
    """One page of a folder's contents: folders first, then files."""

    start: int = 0
    count: int = 100
    sort_by: SortBy = SortBy.DATE_AND_TIME
    descending: bool = True
    filter_type: FilterType = FilterType.NONE
    text: str | None = None
    extensions: tuple[str, ...] = ()
    author: str | None = None
    exclude_author: bool = False
    apply_to: ApplyFilter = ApplyFilter.ALL
    with_subfolders: bool = True

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.text
            or self.extensions
            or self.author
            or self.filter_type is not FilterType.NONE
        )
