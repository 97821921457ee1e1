"""Chunked uploads: DocSpace's session endpoints and its legacy chunk handler.

The API endpoints answer in the usual envelopes (201 once a file is complete);
`/ChunkedUploader.ashx`, the `location` of every session, answers with its own
`{"success", "data", "message"}` object and reports errors with HTTP 200, as
DocSpace's handler does.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import base_url, caller, optional_caller, people, space
from folio.api.multipart import FilePart
from folio.api.requests import Body, Query, entry_id, json_body, optional_bool
from folio.api.responses import JSON_TYPE, render, success
from folio.api.wire import (
    Json,
    file_dto,
    session_dto,
    session_progress_dto,
    upload_result_dto,
)
from folio.domain.entries import Entry
from folio.domain.titles import require_title
from folio.domain.uploads import UploadSession
from folio.errors import (
    FolderNotFound,
    FolioError,
    InvalidRequest,
    NotFound,
    UploadSessionNotFound,
    ValidationFailed,
)
from folio.services.accounts import Caller

__all__ = ["routes"]

NO_CHUNK = "Value cannot be null. (Parameter 'file')"
# DocSpace's handler says this for unknown, foreign and expired sessions alike.
NOT_AUTHORIZED = "Not authorized or session with specified upload id already expired"
_WRITE_SCOPES = {"*", "*:write", "files:write"}


def _chunk(request: Request) -> FilePart:
    # Any file part is taken: DocSpace binds "file" (any case), and a client
    # naming it otherwise would only see its upload fail.
    return FilePart(request, accept_file=lambda name: True, missing=NO_CHUNK)


def _size(value: Any, name: str = "fileSize") -> int:
    """An Int64 from JSON or a query: a number or a numeric string; absent is 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed(
            {name: ["The JSON value could not be converted to System.Int64."]}
        )
    text = str(value).strip()
    if not text.lstrip("-").isdigit() or not -(2**63) <= int(text) < 2**63:
        raise ValidationFailed(
            {name: ["The JSON value could not be converted to System.Int64."]}
        )
    return int(text)


async def _folder(request: Request, who: Caller, raw: str | None) -> Entry:
    documents = space(request).documents
    if raw is None or raw.lower() == "@my":
        return await documents.my_documents(who)
    return await documents.folder(who, entry_id(raw, folder=True))


async def _path(request: Request, who: Caller, session: UploadSession) -> list[int]:
    """Ids from the section root down to the session's folder."""
    try:
        folder = await space(request).documents.folder(who, session.folder_id)
    except FolderNotFound:
        return [session.folder_id]
    return [int(part) for part in folder.path.strip("/").split("/")]


async def _session_json(request: Request, who: Caller, session: UploadSession) -> Json:
    return session_dto(session, await _path(request, who, session), base_url(request))


def _result_json(
    request: Request, who: Caller, session: UploadSession, file: Entry | None
) -> Json:
    file_json = None
    if file is not None:
        file_json = file_dto(file, base_url(request), people(who))
    return upload_result_dto(session, file, file_json)


async def _start(request: Request, who: Caller, body: Body) -> UploadSession:
    title = require_title(body.get("fileName"), field="FileName")
    size = _size(body.get("fileSize"))
    relative = body.get("relativePath")
    if relative is not None and not isinstance(relative, str):
        raise ValidationFailed(
            {
                "relativePath": [
                    "The JSON value could not be converted to System.String."
                ]
            }
        )
    create_new = optional_bool(body, "createNewIfExist")
    folder = await _folder(request, who, request.path_params.get("folder_id"))
    return await space(request).uploads.create(
        who,
        folder,
        title,
        size,
        relative_path=relative,
        create_new_if_exists=create_new,
    )


# The API


async def create_session(request: Request) -> Response:
    """POST {folderId}/session: the session itself is the response."""
    who = await caller(request)
    body = await json_body(request)
    session = await _start(request, who, body)
    return success(request, await _session_json(request, who, session))


async def create_session_deprecated(request: Request) -> Response:
    """POST {folderId}/upload/create_session: the session inside success/data."""
    who = await caller(request)
    body = await json_body(request)
    session = await _start(request, who, body)
    data = await _session_json(request, who, session)
    return success(request, {"success": True, "data": data})


async def create_edit_session(request: Request) -> Response:
    """POST file/{fileId}/edit_session: fileSize in the query (SDK) or the body."""
    who = await caller(request)
    file_id = entry_id(request.path_params["file_id"], folder=False)
    body = await json_body(request, required=False)
    raw = Query(request).get("fileSize")
    size = _size(raw if raw is not None else body.get("fileSize"))
    session = await space(request).uploads.create_edit(who, file_id, size)
    data = await _session_json(request, who, session)
    return success(request, {"success": True, "data": data})


async def session_progress(request: Request) -> Response:
    """GET {folderId}/session/{sessionId}: what has arrived (Folio's addition)."""
    who = await caller(request)
    found = await space(request).uploads.status(who, request.path_params["session_id"])
    path = await _path(request, who, found.session)
    dto = session_progress_dto(found.session, found.chunks, path, base_url(request))
    return success(request, dto)


async def upload_chunk(request: Request) -> Response:
    """POST {folderId}/session/{sessionId}: the next chunk; 201 once complete.

    `chunkNumber` in the query (Folio's addition) names the chunk, so that a
    client unsure whether its last chunk arrived can send it again safely.
    """
    who = await caller(request)
    number = Query(request).int("chunkNumber")
    receipt = await space(request).uploads.receive(
        who,
        request.path_params["session_id"],
        _chunk(request),
        number=number,
        complete=True,
    )
    result = _result_json(request, who, receipt.session, receipt.file)
    return success(request, result, status=201 if receipt.file else 200)


async def upload_chunk_numbered(request: Request) -> Response:
    """POST {folderId}/session/{sessionId}/upload?chunkNumber=N: never completes."""
    who = await caller(request)
    number = Query(request).int("chunkNumber")
    receipt = await space(request).uploads.receive(
        who, request.path_params["session_id"], _chunk(request), number=number
    )
    # DocSpace answers this one with the session's folder alone as its path.
    dto = session_dto(receipt.session, [receipt.session.folder_id], base_url(request))
    return success(request, dto)


async def finalize(request: Request) -> Response:
    who = await caller(request)
    uploads = space(request).uploads
    session_id = request.path_params["session_id"]
    file = await uploads.finalize(who, session_id)
    session = (await uploads.progress(who, session_id)).session
    return success(request, _result_json(request, who, session, file), status=201)


async def abort(request: Request) -> Response:
    who = await caller(request)
    await space(request).uploads.abort(who, request.path_params["session_id"])
    return success(request)


# The legacy handler


def _handler_answer(status: int = 200, **fields: Any) -> Response:
    body = {name: value for name, value in fields.items() if value is not None}
    return Response(render(body), status, media_type=JSON_TYPE)


async def chunked_uploader(request: Request) -> Response:
    """POST /ChunkedUploader.ashx?uid=…: the `location` of every session."""
    if request.method == "OPTIONS":
        return Response(status_code=200)
    try:
        return await _handle(request)
    except NotFound as exc:
        message = exc.message if exc.message != UploadSessionNotFound.message else None
        return _handler_answer(success=False, message=message or NOT_AUTHORIZED)
    except FolioError as exc:
        return _handler_answer(success=False, message=exc.message)


async def _handle(request: Request) -> Response:
    who = await optional_caller(request)
    if who is None:
        return _handler_answer(success=False, message=NOT_AUTHORIZED)
    if who.scopes is not None and not set(who.scopes) & _WRITE_SCOPES:
        return _handler_answer(success=False, message="Access denied")
    query = Query(request)
    uploads = space(request).uploads
    if query.bool("initiate"):
        title = require_title(query.get("title"), field="title")
        folder = await _folder(request, who, query.get("folderid") or None)
        session = await uploads.create(who, folder, title, _size(query.get("fileSize")))
        data = await _session_json(request, who, session)
        return _handler_answer(success=True, data=data)
    session_id = query.get("uid")
    if not session_id:
        raise InvalidRequest(NOT_AUTHORIZED)
    if query.bool("abort"):
        await uploads.abort(who, session_id)
        return _handler_answer(success=True)
    if query.bool("finalize"):
        file = await uploads.finalize(who, session_id)
        session = (await uploads.progress(who, session_id)).session
        data = _result_json(request, who, session, file)
        return _handler_answer(201, success=True, data=data)
    parallel = query.bool("upload")
    receipt = await uploads.receive(
        who,
        session_id,
        _chunk(request),
        number=query.int("chunkNumber"),
        complete=not parallel,
    )
    if receipt.file is not None:
        data = _result_json(request, who, receipt.session, receipt.file)
        return _handler_answer(201, success=True, data=data)
    found = await uploads.progress(who, session_id)
    data = await _session_json(request, who, found.session)
    data["bytes_uploaded"] = found.bytes_uploaded
    return _handler_answer(success=True, data=data)


_SESSION = "/api/2.0/files/{folder_id}/session/{session_id}"

routes = [
    Route("/api/2.0/files/@my/session", create_session, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/session", create_session, methods=["POST"]),
    Route(
        "/api/2.0/files/@my/upload/create_session",
        create_session_deprecated,
        methods=["POST"],
    ),
    Route(
        "/api/2.0/files/{folder_id}/upload/create_session",
        create_session_deprecated,
        methods=["POST"],
    ),
    Route(
        "/api/2.0/files/file/{file_id}/edit_session",
        create_edit_session,
        methods=["POST"],
    ),
    Route(_SESSION, session_progress, methods=["GET"]),
    Route(_SESSION, upload_chunk, methods=["POST"]),
    Route(_SESSION, abort, methods=["DELETE"]),
    Route(_SESSION + "/upload", upload_chunk_numbered, methods=["POST"]),
    Route(_SESSION + "/finalize", finalize, methods=["PUT"]),
    Route("/ChunkedUploader.ashx", chunked_uploader, methods=["POST", "OPTIONS"]),
]
