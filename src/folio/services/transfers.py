"""Moving, copying and duplicating files and folders, as DocSpace's file operations.

Each listed item is one transaction: it moves or copies with everything below it,
or not at all. The rules are DocSpace's (FileMoveCopyOperation):

- A file meeting a same-titled file in the destination is skipped (Skip), written
  as a new version of that file (Overwrite, comment "Overwritten"; a moved source is
  then deleted), or given a numbered title (Duplicate).
- A folder meeting a same-titled folder is merged into it (Skip and Overwrite: its
  children go in by the same rules, and a moved folder left empty is deleted), or
  copied under a numbered title (Duplicate).
- Moving a folder into itself or below itself fails the whole operation, before
  anything is changed.
- A move out of Trash is a restore. When the destination (the item's origin) is
  gone or is itself in Trash, the item goes back to My documents.

Copies hold only the current version, with the comment "Copied". Content is copied
in the store before the transaction commits; if the transaction fails the copies
are deleted again, and a crash in between leaves content the startup sweep removes.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import (
    Entry,
    EntryType,
    FolderType,
    Operation,
    OperationKind,
    OperationStatus,
)
from folio.errors import (
    Conflict,
    FileNotFound,
    FolderNotFound,
    FolioError,
    Forbidden,
    InvalidRequest,
    NotFound,
)
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.services.accounts import Caller
from folio.services.documents import Documents
from folio.services.operations import Operations
from folio.services.ports import BlobStore
from folio.services.usage import charge, require_room

__all__ = ["ConflictResolution", "Transfers"]

FOLDER_INTO_ITSELF = "You cannot copy the folder to its subfolder"
CANNOT_MOVE_TO = "You don't have permission to move to this folder"
CANNOT_COPY_TO = "You don't have permission to copy to this folder"
CANNOT_COPY_FILE = "You don't have enough permission to copy the file"
CANNOT_COPY_FOLDER = "You don't have enough permission to copy the folder"
LOCKED = "The file is currently locked by another user"
NO_DESTINATION = "The destination folder is required. (Parameter 'destFolderId')"


class ConflictResolution(enum.IntEnum):
    """DocSpace's FileConflictResolveType."""

    SKIP = 0
    OVERWRITE = 1
    DUPLICATE = 2


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass
class _Step:
    """One item's transaction: what it copied, and what to delete once committed."""

    connection: AsyncConnection
    queries: EntryQueries
    user_id: str
    portal_id: int
    copy: bool
    resolution: ConflictResolution
    now: datetime = dataclasses.field(default_factory=_now)
    copied_keys: list[str] = dataclasses.field(default_factory=list)
    freed_keys: list[str] = dataclasses.field(default_factory=list)


class Transfers:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        operations: Operations,
        documents: Documents,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.operations = operations
        self.documents = documents
        operations.register("move", self._run_transfer)
        operations.register("copy", self._run_transfer)
        operations.register("duplicate", self._run_duplicate)

    # Starting

    async def _items(
        self,
        caller: Caller,
        file_ids: list[int],
        folder_ids: list[int],
        *,
        missing: type[FolioError] | None,
    ) -> list[Entry]:
        """The caller's items among these ids; unknown ids raise `missing`'s kind."""
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(
                caller.portal_id, file_ids + folder_ids
            )
        by_id = {
            entry.id: entry
            for entry in found
            if entry.owner_id == caller.user.id and not entry.is_section_root
        }
        items = []
        for ids, is_folder in ((folder_ids, True), (file_ids, False)):
            for entry_id in ids:
                entry = by_id.get(entry_id)
                if entry is None or entry.is_folder != is_folder:
                    if missing is None:
                        continue
                    message = (FolderNotFound if is_folder else FileNotFound).message
                    raise missing(message)
                items.append(entry)
        return items

    async def _destination(self, caller: Caller, dest_id: int) -> Entry | None:
        async with self.db.read() as connection:
            dest = await EntryQueries(connection).entry(caller.portal_id, dest_id)
        if dest is None or not dest.is_folder or dest.owner_id != caller.user.id:
            return None
        return dest

    async def start_transfer(
        self,
        caller: Caller,
        *,
        file_ids: list[int],
        folder_ids: list[int],
        dest_id: int | None,
        resolution: ConflictResolution,
        content: bool,
        copy: bool,
        hold: bool,
    ) -> Operation:
        """Check a move or copy, then queue it.

        Unknown items are refused as DocSpace's tests expect: 400 for a move, 404
        for a copy. An unknown destination is 404, except for a restore (every item
        in Trash), which then goes to My documents.
        """
        if dest_id is None:
            raise InvalidRequest(NO_DESTINATION)
        items = await self._items(
            caller,
            file_ids,
            folder_ids,
            missing=NotFound if copy else InvalidRequest,
        )
        restoring = bool(items) and all(
            item.root_type is FolderType.TRASH for item in items
        )
        dest = await self._destination(caller, dest_id)
        if dest is None and not (restoring and not copy):
            raise FolderNotFound()
        if dest is not None and dest.root_type is not FolderType.USER:
            if not (restoring and not copy and dest.root_type is FolderType.TRASH):
                raise Forbidden(CANNOT_COPY_TO if copy else CANNOT_MOVE_TO)
        if copy:
            await self._check_copyable(caller, items)
        return await self.operations.start(
            caller,
            OperationKind.COPY if copy else OperationKind.MOVE,
            {
                "action": "copy" if copy else "move",
                "files": file_ids,
                "folders": folder_ids,
                "dest": dest_id,
                "resolve": int(resolution),
                "content": content,
            },
            hold=hold,
        )

    async def _check_copyable(self, caller: Caller, items: list[Entry]) -> None:
        """Refuse copies of Trash items, and copies past the caller's quota."""
        for item in items:
            if item.root_type is FolderType.TRASH:
                raise Forbidden(
                    CANNOT_COPY_FOLDER if item.is_folder else CANNOT_COPY_FILE
                )
        async with self.db.read() as connection:
            queries = EntryQueries(connection)
            size = 0
            for item in items:
                size += await queries.current_size(item)
            await require_room(connection, caller.user.id, size)

    async def start_duplicate(
        self,
        caller: Caller,
        *,
        file_ids: list[int],
        folder_ids: list[int],
        hold: bool,
    ) -> Operation:
        """Check and queue copies of items next to themselves."""
        items = await self._items(caller, file_ids, folder_ids, missing=NotFound)
        await self._check_copyable(caller, items)
        return await self.operations.start(
            caller,
            OperationKind.DUPLICATE,
            {"action": "duplicate", "files": file_ids, "folders": folder_ids},
            hold=hold,
        )

    # Checks a client makes before it moves

    async def conflicts(
        self,
        caller: Caller,
        dest_id: int | None,
        file_ids: list[int],
        folder_ids: list[int],
    ) -> list[Entry]:
        """The items that would meet a same-titled entry in the destination."""
        if dest_id is None:
            raise InvalidRequest(NO_DESTINATION)
        dest = await self._destination(caller, dest_id)
        if dest is None:
            raise FolderNotFound()
        items = await self._items(caller, file_ids, folder_ids, missing=None)
        clashing = []
        async with self.db.read() as connection:
            queries = EntryQueries(connection)
            for item in items:
                kind = EntryType.FOLDER if item.is_folder else EntryType.FILE
                if await queries.child_by_title(dest.id, item.title, kind):
                    clashing.append(item)
        return clashing

    async def check_destination(
        self, caller: Caller, dest_id: int | None, file_ids: list[int]
    ) -> tuple[int, list[Entry]]:
        """DocSpace's checkdestfolder: (0 all allowed, the files) for a folder here.

        Only rooms restrict what may enter them; every file may enter a folder of
        My documents.
        """
        if dest_id is None:
            raise InvalidRequest(NO_DESTINATION)
        dest = await self._destination(caller, dest_id)
        if dest is None:
            raise FolderNotFound()
        files = await self._items(caller, file_ids, [], missing=None)
        if dest.root_type is not FolderType.USER:
            return 2, []
        return 0, files

    # Running

    async def _run_transfer(
        self, operation: Operation, request: dict[str, Any]
    ) -> None:
        copy = request["action"] == "copy"
        resolution = ConflictResolution(int(request.get("resolve", 0)))
        file_ids = [int(i) for i in request.get("files", [])]
        folder_ids = [int(i) for i in request.get("folders", [])]
        dest_id = int(request["dest"])

        # A folder cannot go into itself: DocSpace refuses the whole operation.
        async with self.db.read() as connection:
            dest = await EntryQueries(connection).entry(operation.portal_id, dest_id)
        if dest is not None and set(folder_ids) & set(dest.ancestor_ids + [dest.id]):
            await self.operations.finish(
                operation, OperationStatus.COMPLETED, error=FOLDER_INTO_ITSELF
            )
            return

        items: list[tuple[int, bool]] = [(i, True) for i in folder_ids]
        items += [(i, False) for i in file_ids]
        if request.get("content"):
            items = await self._children_of(operation, items)
        await self._run_items(
            operation,
            items,
            lambda item_id, is_folder: self._transfer_one(
                operation, item_id, is_folder, dest_id, copy, resolution
            ),
        )

    async def _children_of(
        self, operation: Operation, items: list[tuple[int, bool]]
    ) -> list[tuple[int, bool]]:
        """With `content`, a listed folder stands for its children."""
        expanded: list[tuple[int, bool]] = []
        async with self.db.read() as connection:
            queries = EntryQueries(connection)
            for item_id, is_folder in items:
                if not is_folder:
                    expanded.append((item_id, False))
                    continue
                folder = await queries.entry(operation.portal_id, item_id)
                if folder is None or folder.owner_id != operation.user_id:
                    expanded.append((item_id, True))
                    continue
                folders, files = await queries.child_ids(folder.id)
                expanded += [(i, True) for i in folders] + [(i, False) for i in files]
        return expanded

    async def _run_duplicate(
        self, operation: Operation, request: dict[str, Any]
    ) -> None:
        items = [(int(i), True) for i in request.get("folders", [])]
        items += [(int(i), False) for i in request.get("files", [])]
        await self._run_items(
            operation,
            items,
            lambda item_id, is_folder: self._transfer_one(
                operation,
                item_id,
                is_folder,
                None,
                True,
                ConflictResolution.DUPLICATE,
            ),
        )

    async def _run_items(
        self,
        operation: Operation,
        items: list[tuple[int, bool]],
        step: Callable[[int, bool], Awaitable[Entry | None]],
    ) -> None:
        """Run one step per item, record progress, and finish with what resulted."""
        errors: list[str] = []
        results: dict[str, list[int]] = {"files": [], "folders": []}
        for done, (item_id, is_folder) in enumerate(items, start=1):
            try:
                result = await step(item_id, is_folder)
            except FolioError as exc:
                errors.append(exc.message)
            else:
                if result is not None:
                    results["folders" if result.is_folder else "files"].append(
                        result.id
                    )
            if not await self.operations.progress(operation, done, len(items)):
                return
        await self.operations.finish(
            operation,
            OperationStatus.COMPLETED,
            error="; ".join(dict.fromkeys(errors)),
            result=results,
        )

    async def _transfer_one(
        self,
        operation: Operation,
        item_id: int,
        is_folder: bool,
        dest_id: int | None,
        copy: bool,
        resolution: ConflictResolution,
    ) -> Entry | None:
        """Move or copy one item with all it holds, in one transaction."""
        step: _Step | None = None
        try:
            async with self.db.write() as connection:
                queries = EntryQueries(connection)
                step = _Step(
                    connection,
                    queries,
                    operation.user_id,
                    operation.portal_id,
                    copy,
                    resolution,
                )
                item = await self._own(step, item_id)
                if item is None or item.is_folder != is_folder:
                    raise (FolderNotFound if is_folder else FileNotFound)()
                dest = await self._resolve_destination(step, item, dest_id)
                await queries.lock([item.id, dest.id])
                if item.is_folder and item.id in dest.ancestor_ids + [dest.id]:
                    raise Forbidden(FOLDER_INTO_ITSELF)
                if copy and item.root_type is FolderType.TRASH:
                    raise Forbidden(
                        CANNOT_COPY_FOLDER if item.is_folder else CANNOT_COPY_FILE
                    )
                if item.is_folder:
                    result = await self._folder(step, item, dest)
                else:
                    result = await self._file(step, item, dest)
        except BaseException:
            if step is not None and step.copied_keys:
                await self.blobs.delete(step.copied_keys)
            raise
        # Content goes only once the rows that held it are gone for good.
        if step.freed_keys:
            await self.blobs.delete(step.freed_keys)
        return result

    async def _own(self, step: _Step, entry_id: int) -> Entry | None:
        entry = await step.queries.entry(step.portal_id, entry_id)
        if entry is None or entry.owner_id != step.user_id or entry.is_section_root:
            return None
        return entry

    async def _resolve_destination(
        self, step: _Step, item: Entry, dest_id: int | None
    ) -> Entry:
        """Where the item goes: the destination, or My documents for a restore."""
        if dest_id is None:
            dest = await step.queries.entry(step.portal_id, item.parent_id)
            if dest is None:
                raise FolderNotFound()
        else:
            dest = await step.queries.entry(step.portal_id, dest_id)
        restoring = not step.copy and item.root_type is FolderType.TRASH
        usable = (
            dest is not None
            and dest.is_folder
            and dest.owner_id == step.user_id
            and dest.root_type is FolderType.USER
        )
        if usable:
            assert dest is not None
            return dest
        if restoring and (dest is None or dest.root_type is FolderType.TRASH):
            # The origin is gone (or deleted too): restore into My documents.
            my_documents = await self._my_documents(step)
            if my_documents is not None:
                return my_documents
        if dest is None or dest.owner_id != step.user_id or not dest.is_folder:
            raise FolderNotFound()
        raise Forbidden(CANNOT_COPY_TO if step.copy else CANNOT_MOVE_TO)

    async def _my_documents(self, step: _Step) -> Entry | None:
        roots = await step.queries.section_roots(step.portal_id, step.user_id)
        for root in roots:
            if root.folder_type is FolderType.USER:
                return root
        return None

    # The rules, one entry at a time

    async def _file(self, step: _Step, file: Entry, dest: Entry) -> Entry | None:
        queries = step.queries
        conflict = None
        if step.resolution is not ConflictResolution.DUPLICATE:
            conflict = await queries.child_by_title(dest.id, file.title, EntryType.FILE)
        if conflict is None:
            title = await self._available(step, dest, file.title, EntryType.FILE)
            if step.copy:
                return await self._copy_file(step, file, dest, title)
            if file.parent_id == dest.id:
                return file
            return await self._move(step, file, dest, title)
        if step.resolution is ConflictResolution.SKIP:
            return None
        if conflict.locked_by not in (None, step.user_id):
            raise Conflict(LOCKED)
        overwritten = await self._overwrite(step, conflict, file)
        if not step.copy and file.id != conflict.id and file.parent_id != dest.id:
            await self._delete(step, file)
        return overwritten

    async def _folder(self, step: _Step, folder: Entry, dest: Entry) -> Entry | None:
        queries = step.queries
        duplicate = step.resolution is ConflictResolution.DUPLICATE
        same_parent = folder.parent_id == dest.id
        if same_parent and not duplicate:
            return None  # DocSpace leaves a folder put where it already is alone.
        conflict = None
        if same_parent or not duplicate:
            conflict = await queries.child_by_title(
                dest.id, folder.title, EntryType.FOLDER
            )
        if not step.copy and conflict is None:
            title = await self._available(step, dest, folder.title, EntryType.FOLDER)
            return await self._move(step, folder, dest, title)

        if conflict is not None and not duplicate:
            target = conflict  # Merge into the folder that is already there.
        else:
            title = await self._available(step, dest, folder.title, EntryType.FOLDER)
            target = await self._new_folder(step, dest, title)
        folder_ids, file_ids = await queries.child_ids(folder.id)
        for file_id in file_ids:
            child = await self._own(step, file_id)
            fresh_target = await self._own(step, target.id)
            if child is not None and fresh_target is not None:
                await self._file(step, child, fresh_target)
        for folder_id in folder_ids:
            child = await self._own(step, folder_id)
            fresh_target = await self._own(step, target.id)
            if child is not None and fresh_target is not None:
                await self._folder(step, child, fresh_target)
        if not step.copy:
            left = await self._own(step, folder.id)
            if left is not None and left.files_count + left.folders_count == 0:
                await self._delete(step, left)
        return await self._own(step, target.id)

    async def _available(
        self, step: _Step, dest: Entry, title: str, entry_type: EntryType
    ) -> str:
        """The title itself when it is free in the destination, else a numbered one."""
        if await step.queries.child_by_title(dest.id, title, entry_type) is None:
            return title
        return await Documents.free_title(step.queries, dest, title, entry_type)

    async def _move(
        self, step: _Step, entry: Entry, dest: Entry, title: str
    ) -> Entry | None:
        values: dict[str, Any] = {"origin_id": None, "trashed_at": None}
        if title != entry.title:
            values["title"] = title
        await step.queries.move_tree(entry, dest, **values)
        old_parent = await step.queries.entry(step.portal_id, entry.parent_id)
        touched = dest.ancestor_ids + [dest.id]
        if old_parent is not None and old_parent.root_type is FolderType.USER:
            touched += old_parent.ancestor_ids + [old_parent.id]
        await step.queries.touch(list(dict.fromkeys(touched)), step.now)
        return await self._own(step, entry.id)

    async def _new_folder(self, step: _Step, parent: Entry, title: str) -> Entry:
        folder = await step.queries.insert_child(
            parent,
            EntryType.FOLDER,
            title,
            owner_id=step.user_id,
            now=step.now,
        )
        await step.queries.touch(parent.ancestor_ids + [parent.id], step.now)
        return folder

    async def _copy_content(self, step: _Step, file: Entry) -> str:
        assert file.blob_key is not None
        key = await self.blobs.copy(file.blob_key)
        step.copied_keys.append(key)
        await charge(step.connection, step.user_id, file.size)
        return key

    async def _copy_file(
        self, step: _Step, file: Entry, dest: Entry, title: str
    ) -> Entry:
        key = await self._copy_content(step, file)
        copied = await step.queries.insert_child(
            dest,
            EntryType.FILE,
            title,
            owner_id=step.user_id,
            now=step.now,
            version=1,
            version_group=1,
            size=file.size,
            blob_key=key,
            sha256=file.sha256,
            comment="Copied",
        )
        await self._add_version(step, copied.id, 1, 1, file, key, "Copied")
        await step.queries.touch(dest.ancestor_ids + [dest.id], step.now)
        return copied

    async def _overwrite(self, step: _Step, target: Entry, source: Entry) -> Entry:
        """Write the source's content as a new version of the target."""
        key = await self._copy_content(step, source)
        version, group = target.version + 1, target.version_group + 1
        await step.queries.update(
            target.id,
            title=source.title,
            version=version,
            version_group=group,
            size=source.size,
            blob_key=key,
            sha256=source.sha256,
            comment="Overwritten",
            updated=step.now,
            updated_by=step.user_id,
        )
        await self._add_version(
            step, target.id, version, group, source, key, "Overwritten"
        )
        await step.queries.touch(target.ancestor_ids, step.now)
        overwritten = await self._own(step, target.id)
        assert overwritten is not None
        return overwritten

    async def _add_version(
        self,
        step: _Step,
        file_id: int,
        version: int,
        group: int,
        source: Entry,
        key: str,
        comment: str,
    ) -> None:
        await step.queries.insert_version(
            portal_id=step.portal_id,
            file_id=file_id,
            version=version,
            version_group=group,
            size=source.size,
            blob_key=key,
            sha256=source.sha256,
            comment=comment,
            created=step.now,
            created_by=step.user_id,
        )

    async def _delete(self, step: _Step, entry: Entry) -> None:
        """Delete an entry for good within the step; its content goes after commit."""
        size = await step.queries.stored_size(entry)
        step.freed_keys += await step.queries.delete_tree(entry)
        await charge(step.connection, step.user_id, -size)
