"""Versions of a file: history, restoring, groups, comments, locks and renames.

A version is never changed in place: restoring version N stores a copy of its
content as a new version, as DocSpace does, so that nothing is ever lost by it.
Deleting versions is a file operation; the current version cannot be deleted.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from folio.domain.entries import (
    Entry,
    FolderType,
    Operation,
    OperationKind,
    OperationStatus,
    Version,
)
from folio.domain.titles import renamed_file_title
from folio.errors import (
    FileNotFound,
    FolioError,
    Forbidden,
    InvalidRequest,
    ValidationFailed,
)
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.versions import VersionQueries
from folio.services.accounts import Caller
from folio.services.documents import Documents
from folio.services.operations import Operations
from folio.services.ports import BlobStore
from folio.services.usage import charge

__all__ = ["MAX_COMMENT", "Versions"]

SAME_VERSION = "The new version cannot be the same as the current one"
CURRENT_VERSION = "Cannot delete current version of file"
CANNOT_VIEW = "You don't have enough permission to view the file"
CANNOT_EDIT = "You do not have enough permissions to edit the file"
CANNOT_RENAME = "You don't have enough permission to rename the file"
NOT_PERMITTED = "You don't have enough permission to perform the operation"
LOCKED = "The file is currently locked by another user"

#: DocSpace keeps version comments to this many characters.
MAX_COMMENT = 255


def _now() -> datetime:
    return datetime.now(UTC)


def revision_comment(moment: datetime) -> str:
    """DocSpace's comment on a restored version: the date in the "g" format."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    date = f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d}"
    return f"Restored from the revision of {date} {half}"


class Versions:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        documents: Documents,
        operations: Operations,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.documents = documents
        self.operations = operations
        operations.register("deleteversion", self._run_delete)

    # Reading

    async def history(self, caller: Caller, file_id: int) -> list[Entry]:
        """The file at each of its versions, newest first.

        DocSpace answers an unknown file here with 403, not 404.
        """
        try:
            file = await self.documents.file(caller, file_id)
        except FileNotFound as exc:
            raise Forbidden(CANNOT_VIEW) from exc
        return await self._history_of(file)

    async def _history_of(self, file: Entry) -> list[Entry]:
        async with self.db.read() as connection:
            versions = await EntryQueries(connection).versions(file.id)
        return [at_version(file, version) for version in versions]

    async def versions(
        self, caller: Caller, file_id: int
    ) -> tuple[Entry, list[Version]]:
        """The file and its stored versions, oldest first (the editor's history)."""
        file = await self.documents.file(caller, file_id)
        async with self.db.read() as connection:
            versions = await EntryQueries(connection).versions(file.id)
        return file, sorted(versions, key=lambda version: version.version)

    # Changing

    async def update(
        self,
        caller: Caller,
        file_id: int,
        *,
        title: str | None,
        last_version: int | None,
    ) -> Entry:
        """Rename a file (keeping its extension), and/or restore a version.

        The version goes first: it is the part that can be refused (the current
        one, the quota), and a refused request must leave the title as it was.
        """
        file = await self.documents.file(caller, file_id)
        if last_version is not None and last_version > 0:
            file = await self.restore(caller, file.id, last_version, as_update=True)
        if title is not None:
            file = await self.rename(caller, file, title)
        return file

    async def rename(self, caller: Caller, file: Entry, title: str) -> Entry:
        new_title = renamed_file_title(file.title, title)
        if new_title == file.title:
            return file
        if file.root_type is not FolderType.USER:
            raise Forbidden(CANNOT_RENAME)
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            current = await self._current(queries, caller, file.id)
            if current.root_type is not FolderType.USER:
                raise Forbidden(CANNOT_RENAME)
            await queries.update(
                current.id, title=new_title, updated=_now(), updated_by=caller.user.id
            )
            renamed = await queries.entry(caller.portal_id, current.id)
        assert renamed is not None
        return renamed

    async def _current(
        self, queries: EntryQueries, caller: Caller, file_id: int
    ) -> Entry:
        """Read the file again inside a transaction, with its row held."""
        await queries.lock([file_id])
        file = await queries.entry(caller.portal_id, file_id)
        if file is None or file.is_folder or file.owner_id != caller.user.id:
            raise FileNotFound()
        return file

    async def restore(
        self, caller: Caller, file_id: int, version: int, *, as_update: bool = False
    ) -> Entry:
        """Store version N's content as a new version (current + 1).

        Through PUT file/{id} (`as_update`), the current version is refused and a
        number above it copies the current content, as DocSpace's tests pin.
        """
        copied: str | None = None
        try:
            async with self.db.write() as connection:
                queries = EntryQueries(connection)
                file = await self._current(queries, caller, file_id)
                self._require_editable(caller, file)
                if as_update and version == file.version:
                    raise InvalidRequest(SAME_VERSION)
                wanted = file.version if version > file.version else version
                source = await queries.version(file.id, wanted)
                if source is None:
                    raise FileNotFound()
                copied = await self.blobs.copy(source.blob_key)
                await charge(connection, caller.user.id, source.size)
                now = _now()
                number, group = file.version + 1, file.version_group + 1
                comment = revision_comment(source.created)
                await queries.update(
                    file.id,
                    version=number,
                    version_group=group,
                    size=source.size,
                    blob_key=copied,
                    sha256=source.sha256,
                    comment=comment,
                    updated=now,
                    updated_by=caller.user.id,
                )
                await queries.insert_version(
                    portal_id=caller.portal_id,
                    file_id=file.id,
                    version=number,
                    version_group=group,
                    size=source.size,
                    blob_key=copied,
                    sha256=source.sha256,
                    comment=comment,
                    created=now,
                    created_by=caller.user.id,
                )
                await queries.touch(file.ancestor_ids, now)
                restored = await queries.entry(caller.portal_id, file.id)
        except BaseException:
            if copied is not None:
                await self.blobs.delete([copied])
            raise
        assert restored is not None
        return restored

    @staticmethod
    def _require_editable(caller: Caller, file: Entry) -> None:
        if file.root_type is not FolderType.USER:
            raise Forbidden(CANNOT_EDIT)
        if file.locked_by not in (None, caller.user.id):
            raise Forbidden(LOCKED)

    async def change_history(
        self, caller: Caller, file_id: int, version: int, continue_version: bool
    ) -> list[Entry]:
        """Start a new version group at `version`, or merge it into the previous."""
        file = await self.documents.file(caller, file_id)
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            current = await self._current(queries, caller, file.id)
            if await queries.version(current.id, version) is None:
                raise InvalidRequest(FileNotFound.message)
            history = VersionQueries(connection)
            if continue_version:
                await history.continue_group(current.id, version)
            else:
                await history.start_group(current.id, version)
            changed = await queries.entry(caller.portal_id, current.id)
        assert changed is not None
        return await self._history_of(changed)

    async def set_comment(
        self, caller: Caller, file_id: int, version: int, comment: str
    ) -> str:
        """Store a version's comment; return it as stored."""
        if len(comment) > MAX_COMMENT:
            raise ValidationFailed(
                {
                    "Comment": [
                        "The field Comment must be a string with a maximum length "
                        f"of {MAX_COMMENT}."
                    ]
                }
            )
        file = await self.documents.file(caller, file_id)
        if version < 1:
            raise InvalidRequest(FileNotFound.message)
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            current = await self._current(queries, caller, file.id)
            self._require_editable(caller, current)
            if not await VersionQueries(connection).set_comment(
                current.id, version, comment
            ):
                raise InvalidRequest(FileNotFound.message)
        return comment

    async def lock(self, caller: Caller, file_id: int, locked: bool) -> Entry:
        """Lock a file for its owner, or unlock it; repeating either changes nothing."""
        file = await self.documents.file(caller, file_id)
        if file.root_type is not FolderType.USER:
            raise Forbidden(CANNOT_EDIT)
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            current = await self._current(queries, caller, file.id)
            await queries.update(
                current.id, locked_by=caller.user.id if locked else None
            )
            changed = await queries.entry(caller.portal_id, current.id)
        assert changed is not None
        return changed

    # Deleting versions: a file operation

    async def start_delete(
        self,
        caller: Caller,
        file_id: int,
        versions: list[int],
        *,
        hold: bool,
    ) -> Operation:
        """Check and queue the deletion of some versions of a file."""
        file = await self.documents.file(caller, file_id)
        if file.root_type is not FolderType.USER:
            raise Forbidden(NOT_PERMITTED)
        return await self.operations.start(
            caller,
            OperationKind.DELETE,
            {"action": "deleteversion", "file": file.id, "versions": versions},
            hold=hold,
        )

    async def _run_delete(self, operation: Operation, request: dict[str, Any]) -> None:
        file_id = int(request["file"])
        numbers = [int(number) for number in request.get("versions") or []]
        errors: list[str] = []
        processed = 0
        for done, number in enumerate(numbers, start=1):
            try:
                if await self._delete_version(operation, file_id, number):
                    processed += 1
            except FolioError as exc:
                errors.append(exc.message)
            if not await self.operations.progress(operation, done, len(numbers)):
                return
        await self.operations.finish(
            operation,
            OperationStatus.COMPLETED,
            error="; ".join(dict.fromkeys(errors)),
            result={"files": [file_id]} if processed else {},
        )

    async def _delete_version(
        self, operation: Operation, file_id: int, number: int
    ) -> bool:
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            await queries.lock([file_id])
            file = await queries.entry(operation.portal_id, file_id)
            if file is None or file.owner_id != operation.user_id or file.is_folder:
                raise FileNotFound()
            if file.root_type is not FolderType.USER:
                raise Forbidden(NOT_PERMITTED)
            if file.version == number:
                raise Forbidden(CURRENT_VERSION)
            deleted = await VersionQueries(connection).delete(file.id, number)
            if deleted is None:
                return False
            key, size = deleted
            await charge(connection, operation.user_id, -size)
        await self.blobs.delete([key])
        return True


def at_version(file: Entry, version: Version) -> Entry:
    """The file as it was at one of its versions."""
    return dataclasses.replace(
        file,
        version=version.version,
        version_group=version.version_group,
        size=version.size,
        blob_key=version.blob_key,
        sha256=version.sha256,
        comment=version.comment,
        updated=version.created,
        updated_by=version.created_by,
    )
