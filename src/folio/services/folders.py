"""Folders at any depth: create, rename, and read them with their path and children."""

from __future__ import annotations

from datetime import UTC, datetime

from folio.domain.entries import Entry, EntryType, FolderType
from folio.domain.listing import Listing, SortBy
from folio.errors import FolderNotFound, Forbidden, NotFound
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.services.accounts import Caller
from folio.services.documents import Documents

__all__ = ["Folders"]

CANNOT_RENAME = "You don't have enough permission to rename the folder"

_BY_TITLE = Listing(sort_by=SortBy.AZ, descending=False)


def _now() -> datetime:
    return datetime.now(UTC)


class Folders:
    def __init__(self, db: Database, documents: Documents) -> None:
        self.db = db
        self.documents = documents

    async def create(self, caller: Caller, parent_id: int, title: str) -> Entry:
        """Create a folder; DocSpace refuses a missing parent with 403, not 404."""
        try:
            parent = await self.documents.folder(caller, parent_id)
        except NotFound as exc:
            raise Forbidden(exc.message) from exc
        self.documents.require_writable(parent)
        now = _now()
        user_id = caller.user.id
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            # The parent may have gone to Trash since it was read.
            current = await queries.entry(caller.portal_id, parent.id)
            if current is None or current.owner_id != user_id:
                raise Forbidden(FolderNotFound.message)
            self.documents.require_writable(current)
            folder = await queries.insert_child(
                current,
                EntryType.FOLDER,
                title,
                owner_id=user_id,
                now=now,
            )
            await queries.touch(current.ancestor_ids + [current.id], now)
        return folder

    async def rename(self, caller: Caller, folder_id: int, title: str) -> Entry:
        """Give a folder a new title; the same title changes nothing."""
        folder = await self.documents.folder(caller, folder_id)
        if folder.is_section_root or folder.root_type is not FolderType.USER:
            raise Forbidden(CANNOT_RENAME)
        if title == folder.title:
            return folder
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            current = await queries.entry(caller.portal_id, folder.id)
            if current is None or current.owner_id != caller.user.id:
                raise FolderNotFound()
            if current.root_type is not FolderType.USER:
                raise Forbidden(CANNOT_RENAME)
            await queries.update(
                folder.id, title=title, updated=_now(), updated_by=caller.user.id
            )
            renamed = await queries.entry(caller.portal_id, folder.id)
        assert renamed is not None
        return renamed

    async def path(self, caller: Caller, folder_id: int) -> list[Entry]:
        """The folders from the section root down to and including this one."""
        folder = await self.documents.folder(caller, folder_id)
        return await self.documents.path(folder)

    async def subfolders(self, caller: Caller, folder_id: int) -> list[Entry]:
        """The folder's own child folders, by title, all at once."""
        folder = await self.documents.folder(caller, folder_id)
        async with self.db.read() as connection:
            return await EntryQueries(connection).children(
                folder, _BY_TITLE, EntryType.FOLDER, offset=0, limit=2**31
            )

    async def entries(self, caller: Caller, ids: list[int]) -> dict[int, Entry]:
        """The caller's entries among these ids, by id; others are left out."""
        if not ids:
            return {}
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(
                caller.portal_id, list(dict.fromkeys(ids))
            )
        return {e.id: e for e in found if e.owner_id == caller.user.id}
