"""Queries for chunked upload sessions and their chunks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.uploads import Chunk, SessionState, UploadSession
from folio.persistence.tables import entries, file_versions, upload_chunks
from folio.persistence.tables import upload_sessions as sessions

__all__ = ["UploadQueries"]


def _session(row: Any) -> UploadSession:
    return UploadSession(
        id=row.id,
        portal_id=row.portal_id,
        user_id=row.user_id,
        folder_id=row.folder_id,
        file_id=row.file_id,
        title=row.title,
        size=row.size,
        chunk_size=row.chunk_size,
        create_new=row.create_new,
        state=SessionState(row.state),
        storage_ref=row.storage_ref,
        result_file_id=row.result_file_id,
        created=row.created,
        expires=row.expires,
    )


class UploadQueries:
    """Reads and writes of upload sessions on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def insert(self, **values: Any) -> None:
        await self.connection.execute(sessions.insert().values(**values))

    async def session(self, portal_id: int, session_id: str) -> UploadSession | None:
        query = sessions.select().where(
            sessions.c.id == session_id, sessions.c.portal_id == portal_id
        )
        row = (await self.connection.execute(query)).first()
        return None if row is None else _session(row)

    async def chunks(self, session_id: str) -> list[Chunk]:
        query = (
            upload_chunks.select()
            .where(upload_chunks.c.session_id == session_id)
            .order_by(upload_chunks.c.number)
        )
        return [
            Chunk(row.number, row.offset, row.size, row.etag)
            for row in await self.connection.execute(query)
        ]

    async def keep_open(self, session_id: str, expires: datetime) -> bool:
        """Slide an open session's expiry; False when it is no longer open."""
        result = await self.connection.execute(
            sessions.update()
            .where(sessions.c.id == session_id, sessions.c.state == SessionState.OPEN)
            .values(expires=expires)
        )
        return result.rowcount == 1

    async def put_chunk(self, session_id: str, chunk: Chunk) -> None:
        await self.forget_chunk(session_id, chunk.number)
        await self.connection.execute(
            upload_chunks.insert().values(
                session_id=session_id,
                number=chunk.number,
                offset=chunk.offset,
                size=chunk.size,
                etag=chunk.etag,
            )
        )

    async def forget_chunk(self, session_id: str, number: int) -> None:
        await self.connection.execute(
            upload_chunks.delete().where(
                upload_chunks.c.session_id == session_id,
                upload_chunks.c.number == number,
            )
        )

    async def forget_chunks(self, session_id: str) -> None:
        await self.connection.execute(
            upload_chunks.delete().where(upload_chunks.c.session_id == session_id)
        )

    async def finish(
        self,
        session_id: str,
        state: SessionState,
        expires: datetime,
        *,
        result_file_id: int | None = None,
    ) -> bool:
        """Move an open session to a final state; False when it was not open."""
        result = await self.connection.execute(
            sessions.update()
            .where(sessions.c.id == session_id, sessions.c.state == SessionState.OPEN)
            .values(state=state, expires=expires, result_file_id=result_file_id)
        )
        return result.rowcount == 1

    async def expired(self, now: datetime, limit: int) -> list[UploadSession]:
        query = (
            sessions.select()
            .where(sessions.c.expires < now)
            .order_by(sessions.c.expires)
            .limit(limit)
        )
        return [_session(row) for row in await self.connection.execute(query)]

    async def delete(self, session_ids: Sequence[str]) -> None:
        ids = list(session_ids)
        await self.connection.execute(
            upload_chunks.delete().where(upload_chunks.c.session_id.in_(ids))
        )
        await self.connection.execute(sessions.delete().where(sessions.c.id.in_(ids)))

    async def replace_content(
        self,
        file_id: int,
        version: int,
        *,
        size: int,
        blob_key: str,
        sha256: str,
        updated: datetime,
        updated_by: str,
    ) -> None:
        """Give a file's current version new content (an edit session's outcome)."""
        await self.connection.execute(
            entries.update()
            .where(entries.c.id == file_id)
            .values(
                size=size,
                blob_key=blob_key,
                sha256=sha256,
                updated=updated,
                updated_by=updated_by,
            )
        )
        await self.connection.execute(
            file_versions.update()
            .where(
                file_versions.c.file_id == file_id, file_versions.c.version == version
            )
            .values(size=size, blob_key=blob_key, sha256=sha256)
        )
