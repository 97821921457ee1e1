"""Listing, reading, creating and uploading files in a user's own folders."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from folio.config import Settings
from folio.domain.blanks import blank_content
from folio.domain.entries import Entry, EntryType, FolderType, StoredBlob, User, Version
from folio.domain.listing import Listing, SortBy
from folio.domain.titles import blank_document_title, numbered_variant
from folio.errors import (
    AccessDenied,
    FileNotFound,
    FileTooLarge,
    FolderNotFound,
    Forbidden,
    NotFound,
    QuotaExceeded,
)
from folio.persistence.accounts import AccountQueries
from folio.persistence.batches import WriteBatches
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.services.accounts import Caller
from folio.services.ports import BlobStore

__all__ = ["Documents", "Download", "Page"]

NOT_IN_TRASH = "You are not allowed to preview the elements in the Trash"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of a folder listing."""

    folder: Entry
    path: list[Entry]
    folders: list[Entry]
    files: list[Entry]
    start: int
    total: int


@dataclasses.dataclass(frozen=True)
class Download:
    """What to send for a download: a file at one of its versions."""

    file: Entry
    version: Version


class Documents:
    def __init__(self, db: Database, blobs: BlobStore, settings: Settings) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        # New files and versions of concurrent requests commit together.
        self.batches = WriteBatches(db)

    # Finding things the caller may see. Another user's entry answers exactly as a
    # missing one, so that ids reveal nothing.

    async def folder(self, caller: Caller, folder_id: int) -> Entry:
        async with self.db.read() as connection:
            entry = await EntryQueries(connection).entry(caller.portal_id, folder_id)
        if entry is None or not entry.is_folder or entry.owner_id != caller.user.id:
            raise FolderNotFound()
        return entry

    async def file(self, caller: Caller, file_id: int) -> Entry:
        async with self.db.read() as connection:
            entry = await EntryQueries(connection).entry(caller.portal_id, file_id)
        if entry is None or entry.is_folder or entry.owner_id != caller.user.id:
            raise FileNotFound()
        return entry

    async def my_documents(self, caller: Caller) -> Entry:
        return await self.folder(caller, caller.user.my_folder_id)

    async def trash(self, caller: Caller) -> Entry:
        return await self.folder(caller, caller.user.trash_folder_id)

    async def path(self, folder: Entry) -> list[Entry]:
        """The folders from the section root down to and including this one."""
        ids = [int(part) for part in folder.path.strip("/").split("/")]
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(folder.portal_id, ids)
        return sorted(found, key=lambda entry: len(entry.path))

    async def titles_of(self, caller: Caller, ids: list[int]) -> dict[int, str]:
        """Titles of the caller's entries by id (for the origins of Trash items)."""
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(
                caller.portal_id, list(set(ids))
            )
        return {e.id: e.title for e in found if e.owner_id == caller.user.id}

    # Listing

    async def list_folder(
        self, caller: Caller, folder: Entry, listing: Listing
    ) -> Page:
        """List folders then files; one window spans both groups."""
        if folder.root_type is FolderType.TRASH and not folder.is_section_root:
            raise Forbidden(NOT_IN_TRASH)
        async with self.db.read() as connection:
            queries = EntryQueries(connection)
            folders_total = await queries.count_children(
                folder, listing, EntryType.FOLDER
            )
            files_total = await queries.count_children(folder, listing, EntryType.FILE)
            folders = await queries.children(
                folder,
                listing,
                EntryType.FOLDER,
                offset=listing.start,
                limit=min(listing.count, max(folders_total - listing.start, 0)),
            )
            files = await queries.children(
                folder,
                listing,
                EntryType.FILE,
                offset=max(listing.start - folders_total, 0),
                limit=listing.count - len(folders),
            )
        return Page(
            folder=folder,
            path=await self.path(folder),
            folders=folders,
            files=files,
            start=listing.start,
            total=folders_total + files_total,
        )

    async def remember_sort(self, caller: Caller, sort_by: SortBy, order: int) -> None:
        """Keep a listing's order as the user's default, as DocSpace does."""
        user = caller.user
        if (user.sort_by, user.sort_order) == (sort_by.wire_name, order):
            return
        async with self.db.write() as connection:
            await AccountQueries(connection).set_sort(user.id, sort_by.wire_name, order)

    # Creating

    async def create_blank(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        *,
        template_id: int | None = None,
        keep_extension: bool = False,
    ) -> Entry:
        """Create a new document: blank of its kind, empty, or a template's copy."""
        self.require_writable(folder)
        if keep_extension:
            if "." not in title:
                title += "."
            blob = await self.blobs.put(b"")
        elif template_id is not None:
            title = blank_document_title(title)
            blob = await self._copy_of(caller, template_id)
        else:
            title = blank_document_title(title)
            blob = await self.blobs.put(blank_content(title))
        return await self._add_file(
            caller,
            folder,
            title,
            blob,
            comment="Created",
            new_version=False,
            rename=False,
        )

    async def _copy_of(self, caller: Caller, template_id: int) -> StoredBlob:
        try:
            template = await self.file(caller, template_id)
        except FileNotFound as exc:
            # DocSpace refuses an unreadable template as an invalid operation.
            raise Forbidden(FileNotFound.message) from exc
        assert template.blob_key is not None and template.sha256 is not None
        key = await self.blobs.copy(template.blob_key)
        return StoredBlob(key, template.size, template.sha256)

    async def upload(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        chunks: AsyncIterable[bytes],
        *,
        create_new_if_exists: bool = False,
        expected_size: int | None = None,
    ) -> Entry:
        """Store an upload, streaming it to the blob store; then record it.

        With `create_new_if_exists` false, a same-titled file becomes a new version
        of that file; with true, the upload gets a numbered title.
        """
        self.require_writable(folder)
        limit = self.settings.max_upload_size
        if expected_size is not None:
            self._check_size(caller.user, expected_size)
        writer = self.blobs.writer()
        try:
            async for chunk in chunks:
                await writer.write(chunk)
                if writer.size > limit:
                    raise FileTooLarge(limit)
            blob = await writer.commit()
        except BaseException:
            await writer.abort()
            raise
        return await self.record_upload(
            caller, folder, title, blob, create_new_if_exists=create_new_if_exists
        )

    async def record_upload(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        blob: StoredBlob,
        *,
        create_new_if_exists: bool,
    ) -> Entry:
        """Record content already stored as a file of this folder."""
        return await self._add_file(
            caller,
            folder,
            title,
            blob,
            comment="Uploaded",
            new_version=not create_new_if_exists,
            rename=create_new_if_exists,
        )

    async def record_in(
        self,
        connection: AsyncConnection,
        caller: Caller,
        folder: Entry,
        title: str,
        blob: StoredBlob,
        *,
        create_new_if_exists: bool,
    ) -> Entry:
        """Record stored content as an upload within the caller's transaction.

        For a use case that must change more in the same transaction (a chunked
        upload session closes in the one that records its file).
        """
        return await self._record(
            connection,
            caller,
            folder,
            title,
            blob,
            "Uploaded",
            not create_new_if_exists,
            create_new_if_exists,
        )

    def _check_size(self, user: User, size: int) -> None:
        if size > self.settings.max_upload_size:
            raise FileTooLarge(self.settings.max_upload_size)
        if user.quota_limit >= 0 and user.used_space + size > user.quota_limit:
            raise QuotaExceeded("The quota is exceeded: there is not enough free space")

    @staticmethod
    def require_writable(folder: Entry) -> None:
        if folder.root_type is FolderType.TRASH:
            raise Forbidden("You don't have enough permission to create")
        if folder.root_type is not FolderType.USER:
            # The room sections of @root exist for their ids; nothing goes in them.
            raise AccessDenied()

    async def _add_file(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        blob: StoredBlob,
        *,
        comment: str,
        new_version: bool,
        rename: bool,
    ) -> Entry:
        """Record stored content as a new file or a new version, in one transaction.

        If the transaction fails, the content is deleted again: nothing refers to it.
        """
        try:
            entry = await self.batches.run(
                lambda connection: self._record(
                    connection,
                    caller,
                    folder,
                    title,
                    blob,
                    comment,
                    new_version,
                    rename,
                )
            )
        except BaseException:
            await self.blobs.delete([blob.key])
            raise
        return entry

    async def _record(
        self,
        connection: AsyncConnection,
        caller: Caller,
        folder: Entry,
        title: str,
        blob: StoredBlob,
        comment: str,
        new_version: bool,
        rename: bool,
    ) -> Entry:
        queries = EntryQueries(connection)
        accounts = AccountQueries(connection)
        user = await accounts.user(caller.user.id)
        if user is None:
            raise NotFound()
        if user.quota_limit >= 0 and user.used_space + blob.size > user.quota_limit:
            raise QuotaExceeded("The quota is exceeded: there is not enough free space")
        # The folder may have been deleted while the content was streaming in.
        current = await queries.entry(folder.portal_id, folder.id)
        if current is None or current.owner_id != user.id:
            raise FolderNotFound()
        now = _now()
        existing = None
        if new_version or rename:
            existing = await queries.child_by_title(current.id, title, EntryType.FILE)
        if existing is not None and new_version:
            # Two new versions of one file at once must not both read its old one.
            await queries.lock([existing.id])
            existing = await queries.entry(current.portal_id, existing.id)
        if (
            existing is not None
            and new_version
            and existing.locked_by in (None, user.id)
        ):
            version = existing.version + 1
            await queries.update(
                existing.id,
                version=version,
                version_group=existing.version_group + 1,
                size=blob.size,
                blob_key=blob.key,
                sha256=blob.sha256,
                comment=comment,
                updated=now,
                updated_by=user.id,
            )
            await self._insert_version(
                queries,
                existing.id,
                version,
                existing.version_group + 1,
                blob,
                comment,
                now,
                user,
            )
            await queries.touch(current.ancestor_ids + [current.id], now)
            await accounts.add_used_space(user.id, blob.size)
            entry = await queries.entry(current.portal_id, existing.id)
            assert entry is not None
            return entry
        if existing is not None and rename:
            title = await self._free_title(queries, current, title, EntryType.FILE)
        entry = await queries.insert_child(
            current,
            EntryType.FILE,
            title,
            owner_id=user.id,
            now=now,
            version=1,
            version_group=1,
            size=blob.size,
            blob_key=blob.key,
            sha256=blob.sha256,
            comment=comment,
        )
        await self._insert_version(queries, entry.id, 1, 1, blob, comment, now, user)
        await queries.touch(current.ancestor_ids + [current.id], now)
        await accounts.add_used_space(user.id, blob.size)
        return entry

    @staticmethod
    async def free_title(
        queries: EntryQueries, folder: Entry, title: str, entry_type: EntryType
    ) -> str:
        """Return "name (n).ext" with the first n that no sibling has taken."""
        return await Documents._free_title(queries, folder, title, entry_type)

    @staticmethod
    async def _free_title(
        queries: EntryQueries, folder: Entry, title: str, entry_type: EntryType
    ) -> str:
        """Return "name (n).ext" with the first n that no sibling has taken."""
        # Candidates are checked in batches, so a folder of many copies costs few
        # queries.
        is_folder = entry_type is EntryType.FOLDER
        start = 1
        while True:
            candidates = [
                numbered_variant(title, number, is_folder=is_folder)
                for number in range(start, start + 50)
            ]
            taken = await queries.titles_taken(folder.id, candidates, entry_type)
            taken_keys = {t.casefold() for t in taken}
            for candidate in candidates:
                if candidate.casefold() not in taken_keys:
                    return candidate
            start += 50

    @staticmethod
    async def _insert_version(
        queries: EntryQueries,
        file_id: int,
        version: int,
        group: int,
        blob: StoredBlob,
        comment: str,
        now: datetime,
        user: User,
    ) -> None:
        await queries.insert_version(
            portal_id=user.portal_id,
            file_id=file_id,
            version=version,
            version_group=group,
            size=blob.size,
            blob_key=blob.key,
            sha256=blob.sha256,
            comment=comment,
            created=now,
            created_by=user.id,
        )

    # Reading

    async def download(
        self, caller: Caller, file_id: int, version: int | None = None
    ) -> Download:
        file = await self.file(caller, file_id)
        async with self.db.read() as connection:
            found = await EntryQueries(connection).version(
                file.id, file.version if version is None else version
            )
        if found is None:
            raise FileNotFound()
        return Download(file, found)

    async def at_version(self, caller: Caller, file: Entry, version: int) -> Entry:
        """The file as it was at an earlier version."""
        async with self.db.read() as connection:
            found = await EntryQueries(connection).version(file.id, version)
        if found is None:
            raise FileNotFound()
        return dataclasses.replace(
            file,
            version=found.version,
            version_group=found.version_group,
            size=found.size,
            blob_key=found.blob_key,
            sha256=found.sha256,
            comment=found.comment,
            updated=found.created,
            updated_by=found.created_by,
        )

    async def versions(self, caller: Caller, file_id: int) -> list[Version]:
        file = await self.file(caller, file_id)
        async with self.db.read() as connection:
            return await EntryQueries(connection).versions(file.id)
