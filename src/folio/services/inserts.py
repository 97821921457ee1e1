"""New files from text, from HTML and from raw bodies; and the check before upload."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable

from folio.domain.entries import Entry, EntryType
from folio.persistence.database import Database
from folio.persistence.entries import EntryQueries
from folio.services.accounts import Caller
from folio.services.documents import Documents
from folio.services.ports import BlobStore

__all__ = ["Inserts", "text_title"]

# DocSpace stores text as HTML when it holds something shaped like a tag.
_MARKUP = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")


def text_title(title: str, content: str, *, html: bool) -> str:
    """The title a text or HTML file gets: ".txt" or ".html" added unless present."""
    extension = ".html" if html or _MARKUP.search(content) else ".txt"
    if title.lower().endswith(extension):
        return title
    return title + extension


class Inserts:
    def __init__(self, db: Database, blobs: BlobStore, documents: Documents) -> None:
        self.db = db
        self.blobs = blobs
        self.documents = documents

    async def create_text(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        content: str,
        *,
        html: bool,
        create_new_if_exist: bool,
    ) -> Entry:
        """Store text as a file, UTF-8 without BOM.

        DocSpace inverts the flag here (its controller and its uploader both negate
        it): by default a same-titled file is kept and a numbered one created; with
        `create_new_if_exist` the existing file gets a new version.
        """
        self.documents.require_writable(folder)
        blob = await self.blobs.put(content.encode("utf-8"))
        try:
            return await self.documents.record_upload(
                caller,
                folder,
                text_title(title, content, html=html),
                blob,
                create_new_if_exists=not create_new_if_exist,
            )
        except BaseException:
            await self.blobs.delete([blob.key])
            raise

    async def insert(
        self,
        caller: Caller,
        folder: Entry,
        title: str,
        chunks: AsyncIterable[bytes],
        *,
        create_new_if_exist: bool,
    ) -> Entry:
        """Store a raw request body as a file of the folder."""
        return await self.documents.upload(
            caller,
            folder,
            title,
            chunks,
            create_new_if_exists=create_new_if_exist,
        )

    async def existing_titles(
        self, caller: Caller, folder: Entry, titles: list[str]
    ) -> list[str]:
        """The titles asked about that a file of the folder has, ignoring case."""
        first: dict[str, str] = {}
        for title in titles:
            first.setdefault(title.casefold(), title)
        unique = list(first.values())
        async with self.db.read() as connection:
            taken = await EntryQueries(connection).titles_taken(
                folder.id, unique, EntryType.FILE
            )
        keys = {title.casefold() for title in taken}
        return [title for title in unique if title.casefold() in keys]
