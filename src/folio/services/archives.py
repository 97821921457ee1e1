"""Bulk downloads: a zip of chosen files and folders, streamed as it is written.

The operation checks the items and records them; the archive is never built in
advance. Whoever fetches the operation's URL gets a zip written on the fly, file by
file, chunk by chunk, so memory stays flat however large the archive is. Items
deleted between the operation and the download are left out.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread

from folio.domain.entries import (
    Entry,
    Operation,
    OperationKind,
    OperationStatus,
)
from folio.domain.titles import numbered_variant
from folio.errors import FileNotFound, FolderNotFound, Forbidden, NotFound
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.operations import OperationQueries
from folio.services.accounts import Caller
from folio.services.operations import Operations
from folio.services.ports import BlobStore

__all__ = ["ARCHIVE_TITLE", "Archives", "ArchiveEntry"]

TOO_MANY_DOWNLOADS = "Too many downloads."

#: The name the archive is offered under.
ARCHIVE_TITLE = "download.zip"


@dataclasses.dataclass(frozen=True)
class ArchiveEntry:
    """One member of an archive: a file's content, or an empty folder."""

    name: str
    modified: datetime
    blob_key: str | None = None
    size: int = 0


class _Sink(io.RawIOBase):
    """Where zipfile writes: bytes are taken out as soon as they are written."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


class Archives:
    def __init__(self, db: Database, blobs: BlobStore, operations: Operations) -> None:
        self.db = db
        self.blobs = blobs
        self.operations = operations
        operations.register("download", self._run)

    async def start(
        self,
        caller: Caller,
        *,
        file_ids: list[int],
        folder_ids: list[int],
        hold: bool,
    ) -> Operation:
        """Check the items and queue the download; one at a time per user."""
        async with self.db.read() as connection:
            found = await EntryQueries(connection).entries_by_ids(
                caller.portal_id, file_ids + folder_ids
            )
            running = await OperationQueries(connection).visible(
                caller.user.id, OperationKind.DOWNLOAD
            )
        mine = {
            (entry.id, entry.is_folder)
            for entry in found
            if entry.owner_id == caller.user.id and not entry.is_section_root
        }
        for file_id in file_ids:
            if (file_id, False) not in mine:
                raise FileNotFound()
        for folder_id in folder_ids:
            if (folder_id, True) not in mine:
                raise FolderNotFound()
        if any(not operation.finished for operation in running):
            raise Forbidden(TOO_MANY_DOWNLOADS)
        return await self.operations.start(
            caller,
            OperationKind.DOWNLOAD,
            {"action": "download", "files": file_ids, "folders": folder_ids},
            hold=hold,
        )

    async def _run(self, operation: Operation, request: dict[str, Any]) -> None:
        items = [int(i) for i in request.get("files", [])]
        items += [int(i) for i in request.get("folders", [])]
        for done in range(1, len(items) + 1):
            if not await self.operations.progress(operation, done, len(items)):
                return
        await self.operations.finish(
            operation, OperationStatus.COMPLETED, result={"archive": operation.id}
        )

    async def members(self, caller: Caller, name: str) -> list[ArchiveEntry]:
        """What the archive of a finished download holds, as things are now."""
        async with self.db.read() as connection:
            operations = OperationQueries(connection)
            operation = await operations.get(name)
            if (
                operation is None
                or operation.user_id != caller.user.id
                or operation.kind is not OperationKind.DOWNLOAD
                or operation.status is not OperationStatus.COMPLETED
            ):
                raise NotFound()
            request = await operations.request(name)
            queries = EntryQueries(connection)
            ids = [int(i) for i in request.get("files", [])]
            ids += [int(i) for i in request.get("folders", [])]
            tops = [
                entry
                for entry in await queries.entries_by_ids(caller.portal_id, ids)
                if entry.owner_id == caller.user.id
            ]
            members: list[ArchiveEntry] = []
            taken: set[str] = set()
            for top in sorted(tops, key=lambda entry: (not entry.is_folder, entry.id)):
                tree = [top] + (await queries.subtree(top) if top.is_folder else [])
                members += _members(tree, top, taken)
        return members

    async def stream(self, members: list[ArchiveEntry]) -> AsyncIterator[bytes]:
        """Write the zip of these members, yielding its bytes as they come."""
        sink = _Sink()
        archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
        for member in members:
            info = zipfile.ZipInfo(member.name, _zip_time(member.modified))
            if member.blob_key is None:
                info.external_attr = 0o40755 << 16 | 0x10
                await to_thread.run_sync(archive.writestr, info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = member.size
                info.external_attr = 0o644 << 16
                writer = await to_thread.run_sync(archive.open, info, "w")
                async for chunk in self.blobs.read(member.blob_key):
                    # Compression is CPU work: keep it off the event loop.
                    await to_thread.run_sync(writer.write, chunk)
                    if data := sink.take():
                        yield data
                await to_thread.run_sync(writer.close)
            if data := sink.take():
                yield data
        await to_thread.run_sync(archive.close)
        if data := sink.take():
            yield data


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    utc = moment.astimezone(UTC)
    # Zip dates start in 1980.
    if utc.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def _members(tree: list[Entry], top: Entry, taken: set[str]) -> list[ArchiveEntry]:
    """The archive members of an entry and everything below it.

    Names are paths of titles below the top's parent; a name taken twice (two
    files of the same title) gets a number, as DocSpace does.
    """
    names: dict[int, str] = {}
    has_children: set[int] = {entry.parent_id for entry in tree}
    members = []
    for entry in sorted(tree, key=lambda e: len(e.path)):
        parent = names.get(entry.parent_id, "") if entry is not top else ""
        name = _unique(f"{parent}{entry.title}", taken, is_folder=entry.is_folder)
        if entry.is_folder:
            names[entry.id] = name + "/"
            if entry.id not in has_children:
                members.append(ArchiveEntry(name + "/", entry.updated))
        elif entry.blob_key is not None:
            members.append(
                ArchiveEntry(name, entry.updated, entry.blob_key, entry.size)
            )
    return members


def _unique(name: str, taken: set[str], *, is_folder: bool) -> str:
    candidate, number = name, 0
    while candidate.casefold() in taken:
        number += 1
        candidate = numbered_variant(name, number, is_folder=is_folder)
    taken.add(candidate.casefold())
    return candidate
