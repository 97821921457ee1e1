"""Folder listings: My documents, Trash and any folder by id."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, space
from folio.api.rendering import renderer
from folio.api.requests import Query, entry_id
from folio.api.responses import success
from folio.api.wire import Json
from folio.domain.entries import Entry
from folio.domain.listing import ApplyFilter, FilterType, Listing, SortBy
from folio.errors import InvalidRequest, ValidationFailed
from folio.services.accounts import Caller
from folio.services.documents import Page

__all__ = ["page_dto", "routes"]


def _enum(query: Query, name: str, enum: type[FilterType] | type[ApplyFilter]) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return 0
    if raw.lstrip("-").isdigit():
        value = int(raw)
        if value in enum._value2member_map_:
            return value
    else:
        for member in enum:
            if member.name.replace("_", "").lower() == raw.replace("_", "").lower():
                return int(member)
    raise ValidationFailed({name: [f"The value '{raw}' is not valid."]})


def _sort_order(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    text = raw.strip().lower()
    if text in ("0", "ascending"):
        return 0
    if text in ("1", "descending"):
        return 1
    raise ValidationFailed({"sortOrder": [f"The value '{raw}' is not valid."]})


def parse_listing(query: Query, who: Caller) -> tuple[Listing, SortBy | None]:
    """Read section 7's parameters; return the listing and a sort to remember."""
    start = query.int("startIndex", 0) or 0
    if start < 0:
        raise InvalidRequest(
            "Specified argument was out of the range of valid values. "
            "(Parameter 'startIndex')"
        )
    count = query.int("count", 100)
    if count is None or not 1 <= count <= 100:
        raise ValidationFailed(
            {"Count": ["The field Count must be between 1 and 100."]}
        )
    raw_sort = query.get("sortBy")
    requested = SortBy.from_wire(raw_sort) if raw_sort else None
    order = _sort_order(query.get("sortOrder"))
    if requested is not None:
        sort_by, descending = requested, order == 1
    else:
        saved = SortBy.from_wire(who.user.sort_by) if who.user.sort_by else None
        sort_by = saved or SortBy.DATE_AND_TIME
        if order is None:
            order = who.user.sort_order if who.user.sort_order is not None else 1
        descending = order == 1
    extensions = tuple(
        (part if part.startswith(".") else "." + part).lower()
        for raw in query.get_all("extension")
        for part in (piece.strip() for piece in raw.split(","))
        if part
    )
    author = query.get("userIdOrGroupId") or None
    listing = Listing(
        start=start,
        count=count,
        sort_by=sort_by,
        descending=descending,
        filter_type=FilterType(_enum(query, "filterType", FilterType)),
        text=(query.get("filterValue") or "").strip() or None,
        extensions=extensions,
        author=author,
        exclude_author=query.bool("excludeSubject"),
        apply_to=ApplyFilter(_enum(query, "applyFilterOption", ApplyFilter)),
        with_subfolders=query.bool("withSubFolders", True),
    )
    return listing, requested


async def page_dto(request: Request, who: Caller, page: Page) -> Json:
    render = await renderer(request, who, [page.folder, *page.folders, *page.files])
    return {
        "files": [render.file(e) for e in page.files],
        "folders": [render.folder(e) for e in page.folders],
        "current": render.folder(page.folder),
        "pathParts": [
            {"id": part.id, "title": part.title, "folderType": int(_folder_type(part))}
            for part in page.path
        ],
        "startIndex": page.start,
        "count": len(page.files) + len(page.folders),
        "total": page.total,
        "new": 0,
    }


def _folder_type(folder: Entry) -> int:
    return int(folder.folder_type) if folder.folder_type is not None else 0


async def _list(request: Request, who: Caller, folder: Entry) -> Response:
    listing, remembered = parse_listing(Query(request), who)
    documents = space(request).documents
    # Favorites and Recent list marks, not children; every other section lists
    # its children.
    page = await space(request).sections.list_section(who, folder, listing)
    if remembered is not None:
        await documents.remember_sort(who, remembered, int(listing.descending))
    return success(request, await page_dto(request, who, page))


async def my_documents(request: Request) -> Response:
    who = await caller(request)
    return await _list(request, who, await space(request).documents.my_documents(who))


async def trash(request: Request) -> Response:
    who = await caller(request)
    return await _list(request, who, await space(request).documents.trash(who))


async def folder_contents(request: Request) -> Response:
    who = await caller(request)
    folder_id = entry_id(request.path_params["folder_id"], folder=True)
    return await _list(
        request, who, await space(request).documents.folder(who, folder_id)
    )


routes = [
    Route("/api/2.0/files/@my", my_documents, methods=["GET"]),
    Route("/api/2.0/files/@trash", trash, methods=["GET"]),
    Route("/api/2.0/files/{folder_id}", folder_contents, methods=["GET"]),
]
