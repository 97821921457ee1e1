"""Queries for entries (files and folders) and file versions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import Entry, EntryType, FolderType, Version
from folio.domain.kinds import kind_of
from folio.domain.listing import ApplyFilter, FilterType, Listing, SortBy
from folio.persistence.tables import entries, favorites, file_versions, recent_files

__all__ = ["EntryQueries", "subtree_of"]

_SORT_COLUMNS = {
    SortBy.DATE_AND_TIME: entries.c.updated,
    SortBy.AZ: entries.c.title_key,
    SortBy.SIZE: entries.c.size,
    SortBy.AUTHOR: entries.c.created_by,
    SortBy.TYPE: entries.c.file_kind,
    SortBy.DATE_AND_TIME_CREATION: entries.c.created,
}


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id,
        portal_id=row.portal_id,
        owner_id=row.owner_id,
        entry_type=EntryType(row.entry_type),
        parent_id=row.parent_id,
        root_id=row.root_id,
        root_type=FolderType(row.root_type),
        path=row.path,
        title=row.title,
        created=row.created,
        updated=row.updated,
        created_by=row.created_by,
        updated_by=row.updated_by,
        version=row.version,
        version_group=row.version_group,
        size=row.size,
        blob_key=row.blob_key,
        sha256=row.sha256,
        comment=row.comment,
        locked_by=row.locked_by,
        files_count=row.files_count,
        folders_count=row.folders_count,
        folder_type=None if row.folder_type is None else FolderType(row.folder_type),
        origin_id=row.origin_id,
        trashed_at=row.trashed_at,
    )


def _version(row: Any) -> Version:
    return Version(
        file_id=row.file_id,
        version=row.version,
        version_group=row.version_group,
        size=row.size,
        blob_key=row.blob_key,
        sha256=row.sha256,
        comment=row.comment,
        created=row.created,
        created_by=row.created_by,
    )


def subtree_of(folder: Entry) -> sa.ColumnElement[bool]:
    """Match every entry below a folder (not the folder itself), through the index."""
    # Paths share the folder's path as a prefix; "0" sorts right after "/".
    return sa.and_(
        entries.c.root_id == folder.root_id,
        entries.c.path > folder.path,
        entries.c.path < folder.path[:-1] + "0",
    )


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class EntryQueries:
    """Reads and writes of entries on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def entry(self, portal_id: int, entry_id: int) -> Entry | None:
        query = entries.select().where(
            entries.c.id == entry_id, entries.c.portal_id == portal_id
        )
        row = (await self.connection.execute(query)).first()
        return None if row is None else _entry(row)

    async def lock(self, entry_ids: Sequence[int]) -> None:
        """Hold these rows until the transaction ends, where the database can.

        SQLite has one writer at a time already; PostgreSQL needs the rows locked so
        that two transactions changing one file cannot both read its old version.
        """
        if entry_ids and self.connection.dialect.name != "sqlite":
            await self.connection.execute(
                sa.select(entries.c.id)
                .where(entries.c.id.in_(list(entry_ids)))
                .order_by(entries.c.id)
                .with_for_update()
            )

    async def entries_by_ids(self, portal_id: int, ids: Sequence[int]) -> list[Entry]:
        if not ids:
            return []
        query = entries.select().where(
            entries.c.portal_id == portal_id, entries.c.id.in_(list(ids))
        )
        rows = await self.connection.execute(query.order_by(entries.c.path))
        return [_entry(row) for row in rows]

    async def section_roots(self, portal_id: int, owner_id: str) -> list[Entry]:
        """A user's section roots (My documents, Trash, …), oldest first."""
        query = entries.select().where(
            entries.c.owner_id == owner_id,
            entries.c.parent_id == 0,
            entries.c.portal_id == portal_id,
        )
        rows = await self.connection.execute(query.order_by(entries.c.id))
        return [_entry(row) for row in rows]

    async def insert(self, *, parent: Entry | None, **values: Any) -> Entry:
        """Insert an entry under a parent (None for a section root) and count it."""
        title = str(values["title"])
        values.setdefault("title_key", title.casefold())
        if values["entry_type"] == EntryType.FILE:
            values.setdefault("file_kind", int(kind_of(title)))
        result = await self.connection.execute(
            entries.insert().values(path="", **values).returning(entries.c.id)
        )
        entry_id = int(result.scalar_one())
        path = f"{parent.path if parent else '/'}{entry_id}/"
        await self.connection.execute(
            entries.update().where(entries.c.id == entry_id).values(path=path)
        )
        if parent is not None:
            is_folder = values["entry_type"] == EntryType.FOLDER
            await self._count(
                parent.path, folders=int(is_folder), files=int(not is_folder)
            )
        entry = await self.entry(int(values["portal_id"]), entry_id)
        assert entry is not None
        return entry

    async def insert_child(
        self,
        parent: Entry,
        entry_type: EntryType,
        title: str,
        *,
        owner_id: str,
        now: datetime,
        **values: Any,
    ) -> Entry:
        """Insert a file or folder made by `owner_id` in `parent`, at `now`.

        The portal, section and root come from the parent; `values` carries the
        rest (a file's version, size and content key).
        """
        return await self.insert(
            parent=parent,
            portal_id=parent.portal_id,
            owner_id=owner_id,
            entry_type=entry_type,
            parent_id=parent.id,
            root_id=parent.root_id,
            root_type=parent.root_type,
            title=title,
            created=now,
            updated=now,
            created_by=owner_id,
            updated_by=owner_id,
            **values,
        )

    async def _count(self, path: str, *, folders: int = 0, files: int = 0) -> None:
        """Add to the recursive counts of the folders on a path."""
        ids = [int(part) for part in path.strip("/").split("/")]
        await self.connection.execute(
            entries.update()
            .where(entries.c.id.in_(ids))
            .values(
                files_count=entries.c.files_count + files,
                folders_count=entries.c.folders_count + folders,
            )
        )

    async def update(self, entry_id: int, **values: Any) -> None:
        if "title" in values:
            values["title_key"] = str(values["title"]).casefold()
            values["file_kind"] = int(kind_of(str(values["title"])))
        await self.connection.execute(
            entries.update().where(entries.c.id == entry_id).values(**values)
        )

    async def child_by_title(
        self, parent_id: int, title: str, entry_type: EntryType
    ) -> Entry | None:
        """The first child of that title (ignoring case), oldest first."""
        query = (
            entries.select()
            .where(
                entries.c.parent_id == parent_id,
                entries.c.entry_type == entry_type,
                entries.c.title_key == title.casefold(),
            )
            .order_by(entries.c.id)
            .limit(1)
        )
        row = (await self.connection.execute(query)).first()
        return None if row is None else _entry(row)

    async def titles_taken(
        self, parent_id: int, titles: Sequence[str], entry_type: EntryType
    ) -> list[str]:
        """Return the children's titles among those asked for, ignoring case."""
        keys = {title.casefold() for title in titles}
        if not keys:
            return []
        query = sa.select(entries.c.title).where(
            entries.c.parent_id == parent_id,
            entries.c.entry_type == entry_type,
            entries.c.title_key.in_(keys),
        )
        return [row.title for row in await self.connection.execute(query)]

    # Listing

    def _where(
        self,
        folder: Entry,
        listing: Listing,
        group: EntryType,
        scope: sa.ColumnElement[bool] | None = None,
    ) -> list[Any]:
        conditions: list[Any] = [entries.c.entry_type == group]
        filtered = listing.is_filtered and listing.apply_to in (
            ApplyFilter.ALL,
            ApplyFilter.FILES if group is EntryType.FILE else ApplyFilter.FOLDERS,
        )
        # A folder without subfolders has no subtree beyond its children, which the
        # children's indexes (titles included) search far more cheaply.
        recursive = (
            filtered
            and listing.with_subfolders
            and folder.folder_type is not FolderType.TRASH
            and folder.folders_count > 0
        )
        if scope is not None:
            # A collection that is not a folder's children (favourites, recent).
            conditions.append(scope)
        elif recursive:
            conditions.append(subtree_of(folder))
        else:
            conditions.append(entries.c.parent_id == folder.id)
        if not filtered:
            return conditions
        if listing.text:
            pattern = f"%{_like_escaped(listing.text.casefold())}%"
            conditions.append(entries.c.title_key.like(pattern, escape="\\"))
        if listing.author:
            match = entries.c.created_by == listing.author
            conditions.append(sa.not_(match) if listing.exclude_author else match)
        if group is EntryType.FILE:
            kinds = listing.filter_type.file_kinds
            if kinds is not None:
                conditions.append(entries.c.file_kind.in_([int(k) for k in kinds]))
            if listing.extensions:
                conditions.append(
                    sa.or_(
                        *(
                            entries.c.title_key.like(
                                f"%{_like_escaped(extension)}", escape="\\"
                            )
                            for extension in listing.extensions
                        )
                    )
                )
        return conditions

    def _excluded(self, listing: Listing, group: EntryType) -> bool:
        """Whether the filter type leaves this whole group out."""
        if group is EntryType.FILE:
            return (
                listing.filter_type is FilterType.FOLDERS_ONLY
                and listing.apply_to is not ApplyFilter.FOLDERS
            )
        keeps_folders = (FilterType.NONE, FilterType.FOLDERS_ONLY, FilterType.BY_USER)
        return (
            listing.filter_type not in keeps_folders
            and listing.apply_to is not ApplyFilter.FILES
        )

    async def count_children(
        self,
        folder: Entry,
        listing: Listing,
        group: EntryType,
        *,
        scope: sa.ColumnElement[bool] | None = None,
    ) -> int:
        if self._excluded(listing, group):
            return 0
        query = sa.select(sa.func.count()).where(
            *self._where(folder, listing, group, scope)
        )
        return int((await self.connection.execute(query)).scalar_one())

    async def children(
        self,
        folder: Entry,
        listing: Listing,
        group: EntryType,
        *,
        offset: int,
        limit: int,
        scope: sa.ColumnElement[bool] | None = None,
        sort_column: sa.ColumnElement[Any] | None = None,
    ) -> list[Entry]:
        if limit <= 0 or self._excluded(listing, group):
            return []
        column = sort_column
        if column is None:
            column = _SORT_COLUMNS.get(listing.sort_by, entries.c.updated)
        order = (
            [column.desc(), entries.c.id.desc()]
            if listing.descending
            else [
                column.asc(),
                entries.c.id.asc(),
            ]
        )
        if listing.sort_by is SortBy.TYPE:
            order.insert(1, entries.c.title_key)
        query = (
            entries.select()
            .where(*self._where(folder, listing, group, scope))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        return [_entry(row) for row in await self.connection.execute(query)]

    async def subtree(self, folder: Entry) -> list[Entry]:
        """Every entry below a folder, parents before their children."""
        query = entries.select().where(subtree_of(folder)).order_by(entries.c.path)
        return [_entry(row) for row in await self.connection.execute(query)]

    # Moving and removing

    async def move_tree(self, entry: Entry, new_parent: Entry, **values: Any) -> None:
        """Re-hang an entry and everything below it under a new parent."""
        old_prefix = entry.path
        new_prefix = f"{new_parent.path}{entry.id}/"
        files, folders = self._weight(entry)
        await self._count(
            entry.path[: -len(f"{entry.id}/")], files=-files, folders=-folders
        )
        await self.connection.execute(
            entries.update()
            .where(sa.or_(entries.c.id == entry.id, subtree_of(entry)))
            .values(
                path=sa.literal(new_prefix)
                + sa.func.substr(entries.c.path, len(old_prefix) + 1),
                root_id=new_parent.root_id,
                root_type=new_parent.root_type,
            )
        )
        await self.update(entry.id, parent_id=new_parent.id, **values)
        await self._count(new_parent.path, files=files, folders=folders)

    @staticmethod
    def _weight(entry: Entry) -> tuple[int, int]:
        """How many files and folders an entry stands for, itself included."""
        if entry.is_folder:
            return entry.files_count, entry.folders_count + 1
        return 1, 0

    async def delete_tree(self, entry: Entry) -> list[str]:
        """Delete an entry with everything below it; return their content keys."""
        ids_query = sa.select(entries.c.id).where(
            sa.or_(entries.c.id == entry.id, subtree_of(entry))
        )
        ids = [row.id for row in await self.connection.execute(ids_query)]
        keys_query = sa.select(file_versions.c.blob_key).where(
            file_versions.c.file_id.in_(ids)
        )
        keys = [row.blob_key for row in await self.connection.execute(keys_query)]
        files, folders = self._weight(entry)
        await self._count(
            entry.path[: -len(f"{entry.id}/")], files=-files, folders=-folders
        )
        await self.connection.execute(
            file_versions.delete().where(file_versions.c.file_id.in_(ids))
        )
        await self.connection.execute(entries.delete().where(entries.c.id.in_(ids)))
        # Ids can be given out again once the highest is gone: marks must go too.
        for marks in (favorites, recent_files):
            await self.connection.execute(
                marks.delete().where(marks.c.entry_id.in_(ids))
            )
        return keys

    async def stored_size(self, entry: Entry) -> int:
        """Bytes held by every version of every file in an entry's tree."""
        ids = sa.select(entries.c.id).where(
            sa.or_(entries.c.id == entry.id, subtree_of(entry))
        )
        query = sa.select(sa.func.coalesce(sa.func.sum(file_versions.c.size), 0)).where(
            file_versions.c.file_id.in_(ids)
        )
        return int((await self.connection.execute(query)).scalar_one())

    async def current_size(self, entry: Entry) -> int:
        """Bytes of the current versions of the files in an entry's tree."""
        if not entry.is_folder:
            return entry.size
        query = sa.select(sa.func.coalesce(sa.func.sum(entries.c.size), 0)).where(
            subtree_of(entry), entries.c.entry_type == int(EntryType.FILE)
        )
        return int((await self.connection.execute(query)).scalar_one())

    async def child_ids(self, folder_id: int) -> tuple[list[int], list[int]]:
        """The ids of a folder's own child folders and files, oldest first."""
        query = (
            sa.select(entries.c.id, entries.c.entry_type)
            .where(entries.c.parent_id == folder_id)
            .order_by(entries.c.id)
        )
        folders: list[int] = []
        files: list[int] = []
        for row in await self.connection.execute(query):
            (folders if row.entry_type == EntryType.FOLDER else files).append(row.id)
        return folders, files

    # Versions

    async def insert_version(self, **values: Any) -> None:
        await self.connection.execute(file_versions.insert().values(**values))

    async def versions(self, file_id: int) -> list[Version]:
        query = (
            file_versions.select()
            .where(file_versions.c.file_id == file_id)
            .order_by(file_versions.c.version.desc())
        )
        return [_version(row) for row in await self.connection.execute(query)]

    async def version(self, file_id: int, version: int) -> Version | None:
        query = file_versions.select().where(
            file_versions.c.file_id == file_id, file_versions.c.version == version
        )
        row = (await self.connection.execute(query)).first()
        return None if row is None else _version(row)

    async def blob_keys(self, keys: Sequence[str]) -> set[str]:
        """Return which of these content keys some version still refers to."""
        query = sa.select(file_versions.c.blob_key).where(
            file_versions.c.blob_key.in_(list(keys))
        )
        return {row.blob_key for row in await self.connection.execute(query)}

    async def touch(self, entry_ids: Sequence[int], now: datetime) -> None:
        if entry_ids:
            await self.connection.execute(
                entries.update()
                .where(entries.c.id.in_(list(entry_ids)))
                .values(updated=now)
            )
