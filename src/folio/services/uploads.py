"""Chunked upload sessions: large files sent in numbered chunks, resumable.

A session is a row in `upload_sessions` and its chunks are rows in
`upload_chunks`; nothing about a session lives in a process, so any node (or the
same one after a restart) continues it. Chunk n is written straight to its place
in the blob store's multipart upload — offset (n - 1) × the session's chunk size —
so chunks may come in any order, be sent again, and completing the upload is
one sync, one publish and one metadata transaction, never a copy.

Rules, lenient where DocSpace's strictness would only make an upload fail:

- A chunk is at most the session's chunk size; any chunk may be short, and the
  file is its chunks' bytes in number order (short ones simply count what they
  hold).
- The upload is complete when chunks 1…n are all there and hold the announced
  size; a session announced with size 0 completes with whatever its first
  sequential chunk (or the chunks present at finalize) hold.
- Sending a chunk number again replaces that chunk. Its old record is dropped
  before the new bytes are written, so an interrupted re-send leaves the chunk
  missing (and the client sends it again), never wrong.
- A session expires 12 hours after its last chunk and is swept with its content.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from folio.config import Settings
from folio.domain.entries import Entry, EntryType, StoredBlob
from folio.domain.titles import require_title
from folio.domain.uploads import Chunk, SessionState, UploadSession
from folio.errors import (
    Conflict,
    FileNotFound,
    FileTooLarge,
    FolderNotFound,
    Forbidden,
    InvalidRequest,
    QuotaExceeded,
    UploadSessionNotFound,
)
from folio.persistence.accounts import AccountQueries
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.persistence.uploads import UploadQueries
from folio.services.accounts import Caller
from folio.services.documents import Documents
from folio.services.ports import BlobStore, UploadPart

__all__ = ["SESSION_LIFETIME", "ChunkReceipt", "SessionProgress", "Uploads"]

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=12)
# S3 allows 10,000 parts to a multipart upload; sessions keep to the same bound.
MAX_CHUNKS = 10_000
# Sessions swept per pass of the expiry job.
_SWEEP_BATCH = 200

ABORTED = "The upload session was aborted"
COMPLETED = "The upload session is already complete"
EMPTY_CHUNK = "The chunk is empty"
BUSY = "The upload session is being completed"
QUOTA = "The quota is exceeded: there is not enough free space"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True)
class SessionProgress:
    """A session and the chunks that have arrived whole."""

    session: UploadSession
    chunks: list[Chunk]

    @property
    def bytes_uploaded(self) -> int:
        return sum(chunk.size for chunk in self.chunks)


@dataclasses.dataclass(frozen=True)
class ChunkReceipt:
    """What came of one chunk: the session now, and the file if it completed."""

    session: UploadSession
    file: Entry | None = None


class _Gate:
    """Who works on one session in this process: chunk writes or a completion."""

    def __init__(self) -> None:
        self.writing: set[int] = set()
        self.completing = False
        self.lock = asyncio.Lock()
        self.idle = asyncio.Event()
        self.idle.set()


class _Gates:
    """Keeps chunk writes and completion of a session apart, within a process.

    With the local disk (one node) this is what stops a late chunk from writing
    into content that completion has just published; object stores refuse parts
    of a completed upload by themselves.
    """

    def __init__(self) -> None:
        self._gates: dict[str, _Gate] = {}

    def _gate(self, session_id: str) -> _Gate:
        return self._gates.setdefault(session_id, _Gate())

    def _release(self, session_id: str, gate: _Gate) -> None:
        if not gate.writing and not gate.completing and not gate.lock.locked():
            self._gates.pop(session_id, None)

    @contextlib.asynccontextmanager
    async def writing(self, session_id: str, number: int) -> AsyncIterator[None]:
        gate = self._gate(session_id)
        if gate.completing:
            raise Conflict(BUSY)
        if number in gate.writing:
            raise Conflict(f"Chunk {number} of this session is being received already")
        gate.writing.add(number)
        gate.idle.clear()
        try:
            yield
        finally:
            gate.writing.discard(number)
            if not gate.writing:
                gate.idle.set()
            self._release(session_id, gate)

    @contextlib.asynccontextmanager
    async def completing(self, session_id: str) -> AsyncIterator[None]:
        gate = self._gate(session_id)
        async with gate.lock:
            gate.completing = True
            try:
                await gate.idle.wait()
                yield
            finally:
                gate.completing = False
        self._release(session_id, gate)


async def _limited(
    data: AsyncIterable[bytes], chunk_size: int, room: int | None
) -> AsyncIterator[bytes]:
    """Pass a chunk's bytes on, refusing it once it is larger than allowed."""
    received = 0
    async for piece in data:
        received += len(piece)
        if received > chunk_size:
            raise FileTooLarge(chunk_size)
        if room is not None and received > room:
            raise InvalidRequest(
                "The chunks add up to more than the file size the session was "
                "created with"
            )
        yield piece


class Uploads:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        settings: Settings,
        documents: Documents,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self.documents = documents
        self._gates = _Gates()

    # Starting

    async def create(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        size: int,
        *,
        relative_path: str | None = None,
        create_new_if_exists: bool = False,
    ) -> UploadSession:
        """Start a session for a new file (or a new version of a same-named one)."""
        self.documents.require_writable(folder)
        if size < 0:
            raise InvalidRequest("The file size cannot be negative")
        self._check_quota(caller, size)
        if relative_path:
            folder = await self._subfolders(caller, folder, relative_path)
        return await self._start(
            caller,
            folder_id=folder.id,
            file_id=None,
            title=title,
            size=size,
            create_new=create_new_if_exists,
        )

    async def create_edit(
        self, caller: Caller, file_id: int, size: int
    ) -> UploadSession:
        """Start a session that replaces a file's content, keeping its version."""
        file = await self.documents.file(caller, file_id)
        folder = await self.documents.folder(caller, file.parent_id)
        if file.locked_by not in (None, caller.user.id):
            raise Forbidden("You don't have enough permission to edit the file")
        try:
            self.documents.require_writable(folder)
        except Forbidden:
            raise Forbidden(
                "You don't have enough permission to edit the file"
            ) from None
        if size < 0:
            raise InvalidRequest("The file size cannot be negative")
        self._check_quota(caller, size - file.size)
        return await self._start(
            caller,
            folder_id=folder.id,
            file_id=file.id,
            title=file.title,
            size=size,
            create_new=False,
        )

    def _check_quota(self, caller: Caller, size: int) -> None:
        user = caller.user
        if user.quota_limit >= 0 and user.used_space + size > user.quota_limit:
            raise QuotaExceeded(QUOTA)

    async def _subfolders(self, caller: Caller, folder: Entry, path: str) -> Entry:
        """Find or create each folder of a relative path ("a/b") below a folder."""
        names = [
            require_title(part, field="RelativePath")
            for part in path.replace("\\", "/").split("/")
            if part.strip() not in ("", ".")
        ]
        if not names:
            return folder
        now = _now()
        async with self.db.write() as connection:
            queries = EntryQueries(connection)
            current = await queries.entry(folder.portal_id, folder.id)
            if current is None or current.owner_id != caller.user.id:
                raise FolderNotFound()
            for name in names:
                found = await queries.child_by_title(current.id, name, EntryType.FOLDER)
                if found is None:
                    found = await queries.insert_child(
                        current,
                        EntryType.FOLDER,
                        name,
                        owner_id=caller.user.id,
                        now=now,
                    )
                    await queries.touch(current.ancestor_ids + [current.id], now)
                current = found
        return current

    async def _start(
        self,
        caller: Caller,
        *,
        folder_id: int,
        file_id: int | None,
        title: str,
        size: int,
        create_new: bool,
    ) -> UploadSession:
        handle = await self.blobs.begin_upload(size)
        now = _now()
        session_id = uuid.uuid4().hex
        try:
            async with self.db.write() as connection:
                queries = UploadQueries(connection)
                await queries.insert(
                    id=session_id,
                    portal_id=caller.portal_id,
                    user_id=caller.user.id,
                    folder_id=folder_id,
                    file_id=file_id,
                    title=title,
                    size=size,
                    chunk_size=self.settings.chunk_size,
                    create_new=create_new,
                    state=SessionState.OPEN,
                    storage_ref=handle,
                    created=now,
                    expires=now + SESSION_LIFETIME,
                )
                session = await queries.session(caller.portal_id, session_id)
        except BaseException:
            await self.blobs.abort_upload(handle)
            raise
        assert session is not None
        log.info(
            "event=upload.session_started id=%s bytes=%d edit=%s",
            session_id,
            size,
            file_id is not None,
        )
        return session

    # Looking up

    async def progress(self, caller: Caller, session_id: str) -> SessionProgress:
        """The caller's session and its chunks; unknown, foreign and swept
        sessions all answer as missing."""
        async with self.db.read() as connection:
            queries = UploadQueries(connection)
            session = await queries.session(caller.portal_id, session_id)
            if session is None or session.user_id != caller.user.id:
                raise UploadSessionNotFound()
            chunks = await queries.chunks(session.id)
        return SessionProgress(session, chunks)

    async def status(self, caller: Caller, session_id: str) -> SessionProgress:
        """What a client resuming an upload asks: the session and its chunks.

        An aborted session is gone, as in DocSpace; a finished one is still shown.
        """
        found = await self.progress(caller, session_id)
        if found.session.state is SessionState.ABORTED:
            raise UploadSessionNotFound(ABORTED)
        return found

    async def _open(self, caller: Caller, session_id: str) -> SessionProgress:
        """A session that still accepts chunks, with its chunks."""
        found = await self.progress(caller, session_id)
        session = found.session
        if session.state is SessionState.COMPLETED:
            raise InvalidRequest(COMPLETED)
        if session.state is SessionState.ABORTED:
            raise UploadSessionNotFound(ABORTED)
        if session.expires <= _now():
            raise UploadSessionNotFound()
        return found

    # Receiving chunks

    async def receive(
        self,
        caller: Caller,
        session_id: str,
        data: AsyncIterable[bytes],
        *,
        number: int | None = None,
        complete: bool = False,
    ) -> ChunkReceipt:
        """Store one chunk; with `complete`, finish the upload once it is whole.

        Without a number the chunk follows the highest one received (sequential
        mode). A chunk is recorded only once all of it was stored.
        """
        found = await self._open(caller, session_id)
        session = found.session
        if number is None:
            number = max((chunk.number for chunk in found.chunks), default=0) + 1
        if not 1 <= number <= MAX_CHUNKS:
            raise InvalidRequest(f"The chunk number must be between 1 and {MAX_CHUNKS}")
        others = [chunk for chunk in found.chunks if chunk.number != number]
        room = session.size - sum(c.size for c in others) if session.size else None
        async with self._gates.writing(session.id, number):
            if len(others) != len(found.chunks):
                # Sent again: forget the old chunk before its bytes are overwritten.
                async with self.db.write() as connection:
                    await UploadQueries(connection).forget_chunk(session.id, number)
            part = await self.blobs.write_part(
                session.storage_ref,
                number,
                (number - 1) * session.chunk_size,
                _limited(data, session.chunk_size, room),
            )
            if part.size == 0 and session.size > 0:
                raise InvalidRequest(EMPTY_CHUNK)
            chunk = Chunk(part.number, part.offset, part.size, part.etag)
            expires = _now() + SESSION_LIFETIME
            async with self.db.write() as connection:
                queries = UploadQueries(connection)
                if not await queries.keep_open(session.id, expires):
                    raise UploadSessionNotFound(ABORTED)
                await queries.put_chunk(session.id, chunk)
            session = dataclasses.replace(session, expires=expires)
        chunks = sorted([*others, chunk], key=lambda c: c.number)
        if complete and self._is_whole(session, chunks):
            return ChunkReceipt(session, await self._complete(caller, session.id))
        return ChunkReceipt(session)

    @staticmethod
    def _is_whole(session: UploadSession, chunks: list[Chunk]) -> bool:
        numbers = [chunk.number for chunk in chunks]
        if numbers != list(range(1, len(numbers) + 1)):
            return False
        if session.size == 0:
            return bool(chunks)
        return sum(chunk.size for chunk in chunks) == session.size

    # Finishing

    async def finalize(self, caller: Caller, session_id: str) -> Entry:
        """Complete the upload from the chunks received; again, the same file."""
        found = await self.progress(caller, session_id)
        if found.session.state is SessionState.COMPLETED:
            return await self._result(caller, found.session)
        await self._open(caller, session_id)
        return await self._complete(caller, session_id)

    async def _result(self, caller: Caller, session: UploadSession) -> Entry:
        if session.result_file_id is None:
            raise InvalidRequest(COMPLETED)
        try:
            return await self.documents.file(caller, session.result_file_id)
        except FileNotFound:
            raise InvalidRequest(COMPLETED) from None

    async def _complete(self, caller: Caller, session_id: str) -> Entry:
        async with self._gates.completing(session_id):
            # Chunks still arriving had to land first: read the session afresh.
            found = await self.progress(caller, session_id)
            session = found.session
            if session.state is SessionState.COMPLETED:
                return await self._result(caller, session)
            if session.state is SessionState.ABORTED:
                raise UploadSessionNotFound(ABORTED)
            self._check_whole(session, found.chunks)
            parts = [
                UploadPart(c.number, c.offset, c.size, c.etag) for c in found.chunks
            ]
            # TODO: a crash between publishing the content and recording it
            # leaves the session open without its chunks (the content is swept as
            # an orphan); the client's next finalize answers 404 and it has to
            # upload the file again. Keying the content by the session would let
            # a repeated finalize find it.
            blob = await self.blobs.complete_upload(session.storage_ref, parts)
            try:
                file = await self._record(caller, session, blob)
            except BaseException:
                # TODO: a refusal here (quota exceeded, folder deleted meanwhile)
                # ends the session, since its chunks became the content just
                # deleted; the client must start again rather than retry.
                await self.blobs.delete([blob.key])
                await self._close(session, SessionState.ABORTED)
                raise
        log.info(
            "event=upload.completed id=%s file=%d bytes=%d sha256=%s",
            session.id,
            file.id,
            blob.size,
            blob.sha256,
        )
        return file

    def _check_whole(self, session: UploadSession, chunks: list[Chunk]) -> None:
        numbers = [chunk.number for chunk in chunks]
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
        if missing:
            shown = ", ".join(str(n) for n in missing[:10])
            raise InvalidRequest(f"Chunks are missing from the upload: {shown}")
        received = sum(chunk.size for chunk in chunks)
        if session.size and received != session.size:
            raise InvalidRequest(
                f"The chunks hold {received} bytes, but the session was created "
                f"for {session.size} bytes"
            )

    async def _record(
        self, caller: Caller, session: UploadSession, blob: StoredBlob
    ) -> Entry:
        """Close the session and record its file, in one transaction."""
        now = _now()
        replaced: str | None = None
        async with self.db.write() as connection:
            queries = UploadQueries(connection)
            if session.file_id is not None:
                file, replaced = await self._replace(connection, caller, session, blob)
            else:
                folder = await self.documents.folder(caller, session.folder_id)
                file = await self.documents.record_in(
                    connection,
                    caller,
                    folder,
                    session.title,
                    blob,
                    create_new_if_exists=session.create_new,
                )
            closed = await queries.finish(
                session.id,
                SessionState.COMPLETED,
                now + SESSION_LIFETIME,
                result_file_id=file.id,
            )
            if not closed:
                raise UploadSessionNotFound(ABORTED)
        if replaced is not None:
            await self.blobs.delete([replaced])
        return file

    async def _replace(
        self,
        connection: AsyncConnection,
        caller: Caller,
        session: UploadSession,
        blob: StoredBlob,
    ) -> tuple[Entry, str | None]:
        """An edit session's outcome: the file's current version gets new content."""
        assert session.file_id is not None
        entries = EntryQueries(connection)
        accounts = AccountQueries(connection)
        file = await entries.entry(session.portal_id, session.file_id)
        if file is None or file.owner_id != caller.user.id or file.is_folder:
            raise FileNotFound()
        user = await accounts.user(caller.user.id)
        delta = blob.size - file.size
        if (
            user
            and user.quota_limit >= 0
            and user.used_space + delta > user.quota_limit
        ):
            raise QuotaExceeded(QUOTA)
        await UploadQueries(connection).replace_content(
            file.id,
            file.version,
            size=blob.size,
            blob_key=blob.key,
            sha256=blob.sha256,
            updated=_now(),
            updated_by=caller.user.id,
        )
        await accounts.add_used_space(caller.user.id, delta)
        updated = await entries.entry(session.portal_id, file.id)
        assert updated is not None
        return updated, file.blob_key

    async def abort(self, caller: Caller, session_id: str) -> None:
        """Drop a session and its content; a finished session is left as it is."""
        found = await self.progress(caller, session_id)
        if found.session.state is not SessionState.OPEN:
            return
        await self._close(found.session, SessionState.ABORTED)

    async def _close(self, session: UploadSession, state: SessionState) -> bool:
        """End an open session and drop its stored chunks."""
        async with self.db.write() as connection:
            queries = UploadQueries(connection)
            closed = await queries.finish(session.id, state, _now() + SESSION_LIFETIME)
            if closed:
                await queries.forget_chunks(session.id)
        if closed:
            await self.blobs.abort_upload(session.storage_ref)
        return closed

    # Expiry

    async def sweep_expired(self) -> int:
        """Remove sessions 12 hours past their last activity, and their content."""
        removed = 0
        while True:
            async with self.db.read() as connection:
                expired = await UploadQueries(connection).expired(_now(), _SWEEP_BATCH)
            if not expired:
                break
            for session in expired:
                if session.state is SessionState.OPEN:
                    await self._close(session, SessionState.ABORTED)
            async with self.db.write() as connection:
                await UploadQueries(connection).delete([s.id for s in expired])
            removed += len(expired)
            if len(expired) < _SWEEP_BATCH:
                break
        if removed:
            log.info("event=upload.sessions_swept count=%d", removed)
        return removed
