"""Entries as DTOs, with what the caller's own data adds to them.

A listing's entries need more than themselves: which of them the caller marked as
favourites, where Trash items came from, and when the caller's auto-cleanup will
purge them. `renderer` loads all of it once for a set of entries.
"""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from folio.api.context import base_url, people, space
from folio.api.wire import Json, PeopleLookup, file_dto, folder_dto
from folio.domain.cleanup import AutoCleanup
from folio.domain.entries import Entry, FolderType
from folio.services.accounts import Caller

__all__ = ["Renderer", "renderer"]


@dataclasses.dataclass(frozen=True)
class Renderer:
    base: str
    people: PeopleLookup
    origins: dict[int, str]
    favorites: set[int]
    cleanup: AutoCleanup

    def file(self, entry: Entry) -> Json:
        return file_dto(
            entry,
            self.base,
            self.people,
            origin_titles=self.origins,
            favorite=entry.id in self.favorites,
            cleanup=self.cleanup,
        )

    def folder(self, entry: Entry) -> Json:
        return folder_dto(
            entry,
            self.base,
            self.people,
            origin_titles=self.origins,
            favorite=entry.id in self.favorites,
            cleanup=self.cleanup,
        )

    def entry(self, entry: Entry) -> Json:
        return self.folder(entry) if entry.is_folder else self.file(entry)


async def renderer(request: Request, who: Caller, entries: list[Entry]) -> Renderer:
    """A renderer that knows what these entries need from the caller's data."""
    app_space = space(request)
    ids = [entry.id for entry in entries if not entry.is_section_root]
    in_trash = [e for e in entries if e.root_type is FolderType.TRASH]
    origins = await app_space.documents.titles_of(
        who, [e.origin_id for e in in_trash if e.origin_id]
    )
    cleanup = (
        await app_space.preferences.autocleanup(who) if in_trash else AutoCleanup()
    )
    return Renderer(
        base=base_url(request),
        people=people(who),
        origins=origins,
        favorites=await app_space.sections.favorite_ids(who, ids) if ids else set(),
        cleanup=cleanup,
    )
