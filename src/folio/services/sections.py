"""The sections of a user's space (@root), and the two made of marks: Favorites
and Recent.

DocSpace shows a portal owner eight sections. Folio keeps each as a root folder of
the user (created the first time it is needed), so that every section has an id
that the folder endpoints accept. Only My documents and Trash hold entries; the
room sections stay empty, and Favorites and Recent list the entries the user
marked, wherever they are.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from folio.domain.entries import Entry, EntryType, FolderType
from folio.domain.listing import Listing, SortBy
from folio.errors import FileNotFound
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.marks import MarkQueries
from folio.services.accounts import Caller
from folio.services.documents import Documents, Page

__all__ = ["ROOT_ORDER", "SECTION_TITLES", "Sections"]

SECTION_TITLES = {
    FolderType.USER: "My documents",
    FolderType.TRASH: "Trash",
    FolderType.FAVORITES: "Favorites",
    FolderType.RECENT: "Recent",
    FolderType.SHARE: "Shared with me",
    FolderType.VIRTUAL_ROOMS: "Rooms",
    FolderType.ARCHIVE: "Archive",
    FolderType.AI_AGENTS: "AI agents",
}

#: The order in which @root lists the sections, as DocSpace does.
ROOT_ORDER = (
    FolderType.FAVORITES,
    FolderType.RECENT,
    FolderType.SHARE,
    FolderType.USER,
    FolderType.TRASH,
    FolderType.VIRTUAL_ROOMS,
    FolderType.ARCHIVE,
    FolderType.AI_AGENTS,
)


#: How long a file stays freshly opened: reads within it leave Recent as it is.
RECENT_GRACE = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(UTC)


class Sections:
    def __init__(self, db: Database, documents: Documents) -> None:
        self.db = db
        self.documents = documents

    async def roots(self, caller: Caller) -> dict[FolderType, Entry]:
        """Every section root of the caller, creating those not made yet."""
        found = await self._find_roots(caller)
        if all(kind in found for kind in ROOT_ORDER):
            return found
        now = _now()
        user_id = caller.user.id
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            found = await self._find_roots(caller, queries)
            for kind in ROOT_ORDER:
                if kind in found:
                    continue
                root = await queries.insert(
                    parent=None,
                    portal_id=caller.portal_id,
                    owner_id=user_id,
                    entry_type=EntryType.FOLDER,
                    parent_id=0,
                    root_id=0,
                    root_type=kind,
                    folder_type=kind,
                    title=SECTION_TITLES[kind],
                    created=now,
                    updated=now,
                    created_by=user_id,
                    updated_by=user_id,
                )
                await queries.update(root.id, root_id=root.id)
                found[kind] = dataclasses.replace(root, root_id=root.id)
        return found

    async def _find_roots(
        self, caller: Caller, queries: EntryQueries | None = None
    ) -> dict[FolderType, Entry]:
        if queries is None:
            async with self.db.read() as connection:
                return await self._find_roots(caller, EntryQueries(connection))
        found: dict[FolderType, Entry] = {}
        for entry in await queries.section_roots(caller.portal_id, caller.user.id):
            if entry.folder_type is not None and entry.folder_type not in found:
                found[entry.folder_type] = entry
        return found

    async def section(self, caller: Caller, kind: FolderType) -> Entry:
        return (await self.roots(caller))[kind]

    # Listing

    async def list_marked(
        self, caller: Caller, section: Entry, listing: Listing
    ) -> Page:
        """List Favorites or Recent: folders first, then files, one window."""
        async with self.db.read() as connection:
            queries = EntryQueries(connection)
            marks = MarkQueries(connection, caller.user.id)
            if section.folder_type is FolderType.RECENT:
                scope = marks.recent_scope()
                folders_scope = None
            else:
                scope = marks.favorites_scope()
                folders_scope = scope
            sort_column = (
                marks.last_opened()
                if listing.sort_by is SortBy.LAST_OPENED
                and section.folder_type is FolderType.RECENT
                else None
            )
            folders_total = 0
            folders: list[Entry] = []
            if folders_scope is not None:
                folders_total = await queries.count_children(
                    section, listing, EntryType.FOLDER, scope=folders_scope
                )
                folders = await queries.children(
                    section,
                    listing,
                    EntryType.FOLDER,
                    offset=listing.start,
                    limit=min(listing.count, max(folders_total - listing.start, 0)),
                    scope=folders_scope,
                )
            files_total = await queries.count_children(
                section, listing, EntryType.FILE, scope=scope
            )
            files = await queries.children(
                section,
                listing,
                EntryType.FILE,
                offset=max(listing.start - folders_total, 0),
                limit=listing.count - len(folders),
                scope=scope,
                sort_column=sort_column,
            )
        return Page(
            folder=section,
            path=[section],
            folders=folders,
            files=files,
            start=listing.start,
            total=folders_total + files_total,
        )

    async def list_section(
        self, caller: Caller, section: Entry, listing: Listing
    ) -> Page:
        """List any section: marks for Favorites and Recent, children otherwise."""
        if section.folder_type in (FolderType.FAVORITES, FolderType.RECENT):
            return await self.list_marked(caller, section, listing)
        return await self.documents.list_folder(caller, section, listing)

    # Favourites

    async def _owned(
        self, caller: Caller, file_ids: list[int], folder_ids: list[int]
    ) -> list[int]:
        """The ids among these that name the caller's files and folders."""
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(
                caller.portal_id, file_ids + folder_ids
            )
        files, folders = set(file_ids), set(folder_ids)
        return [
            entry.id
            for entry in found
            if entry.owner_id == caller.user.id
            and not entry.is_section_root
            and entry.id in (folders if entry.is_folder else files)
        ]

    async def add_favorites(
        self, caller: Caller, file_ids: list[int], folder_ids: list[int]
    ) -> None:
        """Mark entries as favourites; ids of nothing the caller owns are ignored."""
        owned = await self._owned(caller, file_ids, folder_ids)
        if owned:
            async with self.db.write() as connection:
                await MarkQueries(connection, caller.user.id).add_favorites(
                    owned, _now()
                )

    async def remove_favorites(
        self, caller: Caller, file_ids: list[int], folder_ids: list[int]
    ) -> None:
        ids = file_ids + folder_ids
        if ids:
            async with self.db.write() as connection:
                await MarkQueries(connection, caller.user.id).remove_favorites(ids)

    async def set_favorite(self, caller: Caller, file_id: int, favorite: bool) -> bool:
        """Mark or unmark one file; return the flag as DocSpace echoes it."""
        file = await self.documents.file(caller, file_id)
        if favorite:
            await self.add_favorites(caller, [file.id], [])
        else:
            await self.remove_favorites(caller, [file.id], [])
        return favorite

    async def favorite_ids(self, caller: Caller, entry_ids: list[int]) -> set[int]:
        async with self.db.read() as connection:
            return await MarkQueries(connection, caller.user.id).favorite_ids(entry_ids)

    # Recent

    async def add_recent(self, caller: Caller, file_id: int) -> Entry:
        """Put a file in Recent (again); return it."""
        file = await self.documents.file(caller, file_id)
        async with self.db.write() as connection:
            await MarkQueries(connection, caller.user.id).add_recent(file.id, _now())
        return file

    async def opened(self, caller: Caller, file_id: int) -> None:
        """Note that the caller opened a file, as a download does in DocSpace.

        A file opened again within a minute keeps its time, so that a client
        fetching one file over and over does not turn each read into a write.
        """
        async with self.db.read() as connection:
            last = await MarkQueries(connection, caller.user.id).opened_at(file_id)
        if last is not None and _now() - last < RECENT_GRACE:
            return
        try:
            await self.add_recent(caller, file_id)
        except FileNotFound:
            return

    async def remove_recent(self, caller: Caller, file_ids: list[int]) -> None:
        if file_ids:
            async with self.db.write() as connection:
                await MarkQueries(connection, caller.user.id).remove_recent(file_ids)
