"""File operations under /files/fileops: start them, check them, stop them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, space
from folio.api.operations import operation_dtos, operations_reply
from folio.api.rendering import renderer
from folio.api.requests import Body, Query, id_list, json_body, optional_bool
from folio.api.responses import success
from folio.api.sections import lenient_ids
from folio.domain.entries import Operation
from folio.errors import (
    FolderNotFound,
    InvalidRequest,
    NotFound,
    ValidationFailed,
)
from folio.services.accounts import Caller
from folio.services.transfers import ConflictResolution

__all__ = ["routes"]


def _single(request: Request, body: Mapping[str, Any]) -> bool:
    """returnSingleOperation, from the body or (as the SDK sends it) the query."""
    return optional_bool(body, "returnSingleOperation") or Query(request).bool(
        "returnSingleOperation"
    )


def _hold(body: Mapping[str, Any]) -> bool:
    # DocSpace turns deleteAfter into "do not hold the finished operation".
    return not optional_bool(body, "deleteAfter")


def _destination(raw: object) -> int | None:
    """destFolderId as a number, a numeric string, or absent."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or int(text) >= 2**31:
        # DocSpace takes other strings for third-party folders: none exist here.
        raise FolderNotFound()
    return int(text)


def _resolution(raw: object) -> ConflictResolution:
    if raw is None or raw == "":
        return ConflictResolution.SKIP
    text = str(raw).strip()
    if text.isdigit() and int(text) in ConflictResolution._value2member_map_:
        return ConflictResolution(int(text))
    for member in ConflictResolution:
        if member.name.lower() == text.lower():
            return member
    raise ValidationFailed(
        {"conflictResolveType": [f"The value '{raw}' is not valid."]}
    )


async def _reply(
    request: Request, who: Caller, operation: Operation, single: bool
) -> Response:
    return await operations_reply(request, who, operation, single=single)


async def _transfer(request: Request, *, copy: bool) -> Response:
    who = await caller(request)
    body = await json_body(request, required=False)
    try:
        file_ids = id_list(body, "fileIds", folder=False)
        folder_ids = id_list(body, "folderIds", folder=True)
    except NotFound as exc:
        if copy:
            raise
        # DocSpace's tests expect 400 for unknown items of a move.
        raise InvalidRequest(exc.message) from exc
    operation = await space(request).transfers.start_transfer(
        who,
        file_ids=file_ids,
        folder_ids=folder_ids,
        dest_id=_destination(body.get("destFolderId")),
        resolution=_resolution(body.get("conflictResolveType")),
        content=optional_bool(body, "content"),
        copy=copy,
        hold=_hold(body),
    )
    return await _reply(request, who, operation, _single(request, body))


async def move(request: Request) -> Response:
    return await _transfer(request, copy=False)


async def copy(request: Request) -> Response:
    return await _transfer(request, copy=True)


async def duplicate(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request, required=False)
    operation = await space(request).transfers.start_duplicate(
        who,
        file_ids=id_list(body, "fileIds", folder=False),
        folder_ids=id_list(body, "folderIds", folder=True),
        hold=_hold(body),
    )
    return await _reply(request, who, operation, _single(request, body))


async def delete(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request, required=False)
    operation = await space(request).operations.start_delete(
        who,
        file_ids=id_list(body, "fileIds", folder=False),
        folder_ids=id_list(body, "folderIds", folder=True),
        immediately=optional_bool(body, "immediately"),
        hold=_hold(body),
    )
    return await _reply(request, who, operation, _single(request, body))


async def empty_trash(request: Request) -> Response:
    who = await caller(request)
    operation = await space(request).trash.start_empty(who)
    single = Query(request).bool("single")
    return await _reply(request, who, operation, single)


async def bulk_download(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request, required=False)
    file_ids = id_list(body, "fileIds", folder=False)
    # Conversion is not offered: files asked for in another format come as they are.
    converted = body.get("fileConvertIds")
    if isinstance(converted, list):
        keys = [item.get("key") for item in converted if isinstance(item, dict)]
        file_ids += id_list({"ids": keys}, "ids", folder=False)
    operation = await space(request).archives.start(
        who,
        file_ids=list(dict.fromkeys(file_ids)),
        folder_ids=id_list(body, "folderIds", folder=True),
        hold=_hold(body),
    )
    return await _reply(request, who, operation, _single(request, body))


async def delete_versions(request: Request) -> Response:
    """Delete versions of a file. The reply is an array, as DocSpace sends, though
    the SDK 3.7.0 expects a single object here."""
    who = await caller(request)
    body = await json_body(request, required=False)
    if body.get("fileId") is None:
        raise ValidationFailed({"fileId": ["The FileId field is required."]})
    file_id = id_list({"ids": [body.get("fileId")]}, "ids", folder=False)
    raw_versions = body.get("versions") or []
    if not isinstance(raw_versions, list) or any(
        isinstance(v, bool) or not str(v).lstrip("-").isdigit() for v in raw_versions
    ):
        raise ValidationFailed({"versions": ["The JSON value could not be converted."]})
    operation = await space(request).versions.start_delete(
        who, file_id[0], [int(str(v)) for v in raw_versions], hold=_hold(body)
    )
    return await _reply(request, who, operation, _single(request, body))


async def mark_as_read(request: Request) -> Response:
    """Clear "new" badges; DocSpace accepts no body and unknown ids alike."""
    who = await caller(request)
    body = await json_body(request, required=False)
    operation = await space(request).badges.start_mark_as_read(
        who, lenient_ids(body, "fileIds"), lenient_ids(body, "folderIds")
    )
    return await _reply(request, who, operation, _single(request, body))


async def terminate(request: Request) -> Response:
    """Cancel one operation (or all of the caller's); list what remains."""
    who = await caller(request)
    remaining = await space(request).operations.terminate(
        who, request.path_params.get("operation_id")
    )
    return success(request, await operation_dtos(request, who, remaining))


def _check_query(request: Request) -> Body:
    """A check's parameters: plain query parameters, or the SDK's `inDto` JSON."""
    query = Query(request)
    values: dict[str, Any] = {}
    raw = query.get("inDto")
    if raw:
        try:
            decoded = json.loads(raw)
        except json.JSONDecodeError:
            raise ValidationFailed({"inDto": ["The value is not valid."]}) from None
        if isinstance(decoded, dict):
            values.update(decoded)
    for name in ("destFolderId", "conflictResolveType"):
        if query.get(name) is not None:
            values[name] = query.get(name)
    for name in ("fileIds", "folderIds"):
        listed = [
            part.strip()
            for raw_value in query.get_all(name)
            for part in raw_value.split(",")
            if part.strip()
        ]
        if listed:
            values[name] = listed
    return Body(values)


def _known_ids(values: Mapping[str, Any], name: str) -> list[int]:
    """Ids from a check: ones that cannot name anything are simply left out."""
    return lenient_ids(values, name)


async def check_move(request: Request) -> Response:
    """The items that would meet a same-titled entry at the destination."""
    who = await caller(request)
    values = _check_query(request)
    clashing = await space(request).transfers.conflicts(
        who,
        _destination(values.get("destFolderId")),
        _known_ids(values, "fileIds"),
        _known_ids(values, "folderIds"),
    )
    render = await renderer(request, who, clashing)
    return success(request, [render.entry(entry) for entry in clashing])


async def check_destination(request: Request) -> Response:
    who = await caller(request)
    values = _check_query(request)
    result, files = await space(request).transfers.check_destination(
        who, _destination(values.get("destFolderId")), _known_ids(values, "fileIds")
    )
    render = await renderer(request, who, files)
    return success(
        request, {"result": result, "files": [render.file(f) for f in files]}
    )


routes = [
    Route("/api/2.0/files/fileops/move", move, methods=["PUT"]),
    Route("/api/2.0/files/fileops/move", check_move, methods=["GET"]),
    Route("/api/2.0/files/fileops/checkdestfolder", check_destination, methods=["GET"]),
    Route("/api/2.0/files/fileops/copy", copy, methods=["PUT"]),
    Route("/api/2.0/files/fileops/duplicate", duplicate, methods=["PUT"]),
    Route("/api/2.0/files/fileops/delete", delete, methods=["PUT"]),
    Route("/api/2.0/files/fileops/emptytrash", empty_trash, methods=["PUT"]),
    Route("/api/2.0/files/fileops/bulkdownload", bulk_download, methods=["PUT"]),
    Route("/api/2.0/files/fileops/deleteversion", delete_versions, methods=["PUT"]),
    Route("/api/2.0/files/fileops/markasread", mark_as_read, methods=["PUT"]),
    Route("/api/2.0/files/fileops/terminate", terminate, methods=["PUT"]),
    Route(
        "/api/2.0/files/fileops/terminate/{operation_id}", terminate, methods=["PUT"]
    ),
]
