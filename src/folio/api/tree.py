"""Folders as a tree: information, create, rename, delete, path, children."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import base_url, caller, people, space
from folio.api.operations import operation_dtos
from folio.api.rendering import renderer
from folio.api.requests import entry_id, json_body, optional_bool
from folio.api.responses import success
from folio.api.wire import api_date, employee
from folio.domain.titles import require_title
from folio.errors import InvalidRequest, ValidationFailed

__all__ = ["routes"]

#: DocSpace's MessageAction for a folder created.
FOLDER_CREATED = 5019


def _folder_id(request: Request) -> int:
    return entry_id(request.path_params["folder_id"], folder=True)


async def folder_info(request: Request) -> Response:
    who = await caller(request)
    folder = await space(request).documents.folder(who, _folder_id(request))
    render = await renderer(request, who, [folder])
    return success(request, render.folder(folder))


async def create_folder(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request)
    title = require_title(body.get("title"))
    folder = await space(request).folders.create(who, _folder_id(request), title)
    render = await renderer(request, who, [folder])
    return success(request, render.folder(folder))


async def rename_folder(request: Request) -> Response:
    who = await caller(request)
    folder_id = _folder_id(request)
    body = await json_body(request)
    title = require_title(body.get("title"))
    folder = await space(request).folders.rename(who, folder_id, title)
    render = await renderer(request, who, [folder])
    return success(request, render.folder(folder))


async def delete_folder(request: Request) -> Response:
    """Delete a folder with what it holds; the reply lists every delete running."""
    who = await caller(request)
    folder_id = _folder_id(request)
    body = await json_body(request)
    operations = space(request).operations
    operation = await operations.start_delete(
        who,
        file_ids=[],
        folder_ids=[folder_id],
        immediately=optional_bool(body, "immediately"),
        hold=not optional_bool(body, "deleteAfter"),
    )
    found = await operations.running_like(who, operation)
    return success(request, await operation_dtos(request, who, found))


async def folder_path(request: Request) -> Response:
    who = await caller(request)
    path = await space(request).folders.path(who, _folder_id(request))
    render = await renderer(request, who, path)
    return success(request, [render.folder(folder) for folder in path])


async def subfolders(request: Request) -> Response:
    who = await caller(request)
    found = await space(request).folders.subfolders(who, _folder_id(request))
    render = await renderer(request, who, found)
    return success(request, [render.folder(folder) for folder in found])


async def news(request: Request) -> Response:
    """Entries new to the caller: none in a space where all is the caller's own."""
    who = await caller(request)
    await space(request).documents.folder(who, _folder_id(request))
    return success(request, [])


async def folder_log(request: Request) -> Response:
    """A folder's history: its creation.

    TODO: Folio keeps no audit trail, so the history of a folder holds only the
    entry for its creation; clients showing who moved, renamed or shared what
    inside it show nothing more.
    """
    who = await caller(request)
    folder = await space(request).documents.folder(who, _folder_id(request))
    creator = people(who)(folder.created_by)
    initiator = employee(creator, base_url(request)) if creator else {}
    name = creator.display_name if creator else ""
    created = {
        "id": 1,
        "action": {"id": FOLDER_CREATED, "key": "FolderCreated"},
        "initiator": initiator,
        "date": api_date(folder.created),
        "data": {"initiatorName": name},
    }
    return success(request, [created])


async def form_filter(request: Request) -> Response:
    """Form filters of a folder: none outside form rooms, and [] for any id."""
    await caller(request)
    return success(request, [])


def _order(body: Mapping[str, Any]) -> int:
    raw = body.get("order")
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw < 2**31:
        raise ValidationFailed(
            {"Order": ["The field Order must be between 1 and 2147483647."]}
        )
    return raw


async def folder_order(request: Request) -> Response:
    """Accept a custom position for a folder (see the note on file_order)."""
    who = await caller(request)
    body = await json_body(request)
    _order(body)
    folder = await space(request).documents.folder(who, _folder_id(request))
    render = await renderer(request, who, [folder])
    return success(request, render.folder(folder))


async def file_order(request: Request) -> Response:
    """Accept a custom position for a file.

    TODO: custom positions are checked but not kept, so sortBy=CustomOrder lists in
    the default order and entries carry no `order`; clients that let people
    arrange files by hand lose the arrangement.
    """
    who = await caller(request)
    body = await json_body(request)
    _order(body)
    file_id = entry_id(request.path_params["file_id"], folder=False)
    file = await space(request).documents.file(who, file_id)
    render = await renderer(request, who, [file])
    return success(request, render.file(file))


async def files_order(request: Request) -> Response:
    """Accept custom positions for several entries; unknown ones are refused."""
    who = await caller(request)
    body = await json_body(request)
    items = body.get("items")
    if not isinstance(items, list):
        raise ValidationFailed({"items": ["The Items field is required."]})
    documents = space(request).documents
    entries = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidRequest("Each item needs entryId, entryType and order")
        _order(item)
        raw_id = str(item.get("entryId", ""))
        is_folder = item.get("entryType") in (1, "1", "Folder", "folder")
        found_id = entry_id(raw_id, folder=is_folder)
        find = documents.folder if is_folder else documents.file
        entries.append(await find(who, found_id))
    render = await renderer(request, who, entries)
    return success(request, [render.entry(entry) for entry in entries])


routes = [
    Route("/api/2.0/files/folder/{folder_id}", folder_info, methods=["GET"]),
    Route("/api/2.0/files/folder/{folder_id}", create_folder, methods=["POST"]),
    Route("/api/2.0/files/folder/{folder_id}", rename_folder, methods=["PUT"]),
    Route("/api/2.0/files/folder/{folder_id}", delete_folder, methods=["DELETE"]),
    Route("/api/2.0/files/folder/{folder_id}/path", folder_path, methods=["GET"]),
    Route("/api/2.0/files/folder/{folder_id}/log", folder_log, methods=["GET"]),
    Route("/api/2.0/files/folder/{folder_id}/order", folder_order, methods=["PUT"]),
    Route("/api/2.0/files/order", files_order, methods=["PUT"]),
    Route("/api/2.0/files/{folder_id}/subfolders", subfolders, methods=["GET"]),
    Route("/api/2.0/files/{folder_id}/news", news, methods=["GET"]),
    Route("/api/2.0/files/{folder_id}/formfilter", form_filter, methods=["GET"]),
    Route("/api/2.0/files/{file_id}/order", file_order, methods=["PUT"]),
]
