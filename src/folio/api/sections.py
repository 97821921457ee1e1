"""The sections of @root, and Favorites and Recent with the calls that fill them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, space
from folio.api.folders import page_dto, parse_listing
from folio.api.rendering import renderer
from folio.api.requests import Query, entry_id, json_body
from folio.api.responses import success
from folio.domain.entries import FolderType
from folio.domain.listing import SortBy
from folio.errors import FolderNotFound
from folio.services.accounts import Caller
from folio.services.documents import Page
from folio.services.sections import ROOT_ORDER

__all__ = ["lenient_ids", "routes"]


def lenient_ids(body: Mapping[str, Any], name: str) -> list[int]:
    """Ids from a JSON array where DocSpace ignores what names nothing (0, junk)."""
    value = body.get(name)
    if not isinstance(value, list):
        return []
    ids = []
    for item in value:
        text = str(item).strip()
        if not isinstance(item, bool) and text.isdigit() and 0 < int(text) < 2**31:
            ids.append(int(text))
    return list(dict.fromkeys(ids))


async def _remember(
    request: Request, who: Caller, remembered: SortBy | None, descending: bool
) -> None:
    if remembered is not None:
        await space(request).documents.remember_sort(who, remembered, int(descending))


async def root(request: Request) -> Response:
    """Every section the caller has, each as a listing (filters act on each)."""
    who = await caller(request)
    query = Query(request)
    listing, remembered = parse_listing(query, who)
    # @root never searches below the sections' own children.
    listing = dataclasses.replace(listing, with_subfolders=False)
    app_space = space(request)
    shown = set(ROOT_ORDER)
    if query.bool("withoutTrash"):
        shown.discard(FolderType.TRASH)
    if not (await app_space.preferences.toggles(who))["recentSection"]:
        shown.discard(FolderType.RECENT)
    roots = await app_space.sections.roots(who)
    pages: list[Page] = []
    for kind in ROOT_ORDER:
        if kind in shown:
            pages.append(
                await app_space.sections.list_section(who, roots[kind], listing)
            )
    await _remember(request, who, remembered, listing.descending)
    return success(request, [await page_dto(request, who, page) for page in pages])


async def _section(request: Request, kind: FolderType) -> Response:
    who = await caller(request)
    listing, remembered = parse_listing(Query(request), who)
    sections = space(request).sections
    page = await sections.list_section(who, await sections.section(who, kind), listing)
    await _remember(request, who, remembered, listing.descending)
    return success(request, await page_dto(request, who, page))


async def favorites_section(request: Request) -> Response:
    return await _section(request, FolderType.FAVORITES)


async def recent_section(request: Request) -> Response:
    return await _section(request, FolderType.RECENT)


async def recent_by_sdk_path(request: Request) -> Response:
    """Recent under the path ONLYOFFICE's Python SDK 3.7.0 sends.

    The SDK's get_recent_folder never fills in its path template, so the request
    arrives for ".../files/{recent_prefix}recent" as written.
    """
    if request.path_params["prefix"] != "{recent_prefix}":
        raise FolderNotFound()
    return await recent_section(request)


async def toggle_favorite(request: Request) -> Response:
    who = await caller(request)
    file_id = entry_id(request.path_params["file_id"], folder=False)
    favorite = Query(request).bool("favorite")
    return success(
        request, await space(request).sections.set_favorite(who, file_id, favorite)
    )


async def add_favorites(request: Request) -> Response:
    """Mark files and folders; DocSpace answers true whatever the ids were."""
    who = await caller(request)
    body = await json_body(request, required=False)
    await space(request).sections.add_favorites(
        who, lenient_ids(body, "fileIds"), lenient_ids(body, "folderIds")
    )
    return success(request, True)


async def remove_favorites(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request, required=False)
    await space(request).sections.remove_favorites(
        who, lenient_ids(body, "fileIds"), lenient_ids(body, "folderIds")
    )
    return success(request, True)


async def add_recent(request: Request) -> Response:
    who = await caller(request)
    file_id = entry_id(request.path_params["file_id"], folder=False)
    file = await space(request).sections.add_recent(who, file_id)
    render = await renderer(request, who, [file])
    return success(request, render.file(file))


async def remove_recent(request: Request) -> Response:
    """Take files out of Recent: 204, as DocSpace answers, whether or not listed."""
    who = await caller(request)
    body = await json_body(request, required=False)
    await space(request).sections.remove_recent(who, lenient_ids(body, "fileIds"))
    return Response(status_code=204)


routes = [
    Route("/api/2.0/files/@root", root, methods=["GET"]),
    Route("/api/2.0/files/@favorites", favorites_section, methods=["GET"]),
    Route("/api/2.0/files/@recent", recent_section, methods=["GET"]),
    Route("/api/2.0/files/recent", recent_section, methods=["GET"]),
    Route("/api/2.0/files/recent", remove_recent, methods=["DELETE"]),
    Route("/api/2.0/files/{prefix}recent", recent_by_sdk_path, methods=["GET"]),
    Route("/api/2.0/files/favorites", add_favorites, methods=["POST"]),
    Route("/api/2.0/files/favorites", remove_favorites, methods=["DELETE"]),
    Route("/api/2.0/files/favorites/{file_id}", toggle_favorite, methods=["GET"]),
    Route("/api/2.0/files/file/{file_id}/recent", add_recent, methods=["POST"]),
]
