"""Files from text and HTML, inserts (multipart or raw body), and upload checks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, space
from folio.api.multipart import is_multipart, receive_multipart
from folio.api.rendering import renderer
from folio.api.requests import Query, entry_id, json_body, optional_bool
from folio.api.responses import success
from folio.domain.entries import Entry
from folio.domain.titles import require_title
from folio.errors import FileTooLarge, InvalidRequest, ValidationFailed
from folio.services.accounts import Caller

__all__ = ["routes"]

# A multipart body carries a little more than its file: boundaries and fields.
_MULTIPART_OVERHEAD = 1024 * 1024

NO_CONTENT = "Value cannot be null. (Parameter 'content')"
NO_FILE = "Value cannot be null. (Parameter 'file')"


async def _folder(request: Request, who: Caller) -> Entry:
    """The folder named by the path: @my, or a folder id."""
    documents = space(request).documents
    raw = request.path_params.get("folder_id")
    if raw is None:
        return await documents.my_documents(who)
    return await documents.folder(who, entry_id(raw, folder=True))


async def _created(request: Request, who: Caller, file: Entry) -> Response:
    render = await renderer(request, who, [file])
    return success(request, render.file(file))


async def _text(request: Request, *, html: bool) -> Response:
    who = await caller(request)
    body = await json_body(request)
    title = require_title(body.get("title"))
    content = body.get("content")
    if not isinstance(content, str):
        raise InvalidRequest(NO_CONTENT)
    folder = await _folder(request, who)
    file = await space(request).inserts.create_text(
        who,
        folder,
        title,
        content,
        html=html,
        create_new_if_exist=optional_bool(body, "createNewIfExist"),
    )
    return await _created(request, who, file)


async def create_text(request: Request) -> Response:
    return await _text(request, html=False)


async def create_html(request: Request) -> Response:
    return await _text(request, html=True)


def _flag(raw: str | None) -> bool:
    return raw is not None and raw.strip().lower() in ("true", "1", "on", "yes")


async def insert(request: Request) -> Response:
    """Store a file from a multipart body (first file part) or from the raw body."""
    who = await caller(request)
    folder = await _folder(request, who)
    app_space = space(request)
    documents = app_space.documents
    documents.require_writable(folder)
    limit = app_space.settings.max_upload_size
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
        raise FileTooLarge(limit)
    if not is_multipart(request):
        query = Query(request)
        title = require_title(query.get("title"))
        file = await app_space.inserts.insert(
            who,
            folder,
            title,
            request.stream(),
            create_new_if_exist=query.bool("createNewIfExist"),
        )
        return await _created(request, who, file)
    received = await receive_multipart(
        request, app_space.blobs, accept_file=lambda name: True, max_size=limit
    )
    # The SDK's insert_file names its fields as the model binder's prefix does
    # ("InsertFile.Title"); plain names come from everyone else.
    fields = {
        name.removeprefix("insertfile."): value
        for name, value in received.fields.items()
    }
    try:
        if received.blob is None:
            raise InvalidRequest(NO_FILE)
        title = require_title(fields.get("title"))
        file = await documents.record_upload(
            who,
            folder,
            title,
            received.blob,
            create_new_if_exists=_flag(fields.get("createnewifexist")),
        )
    except BaseException:
        if received.blob is not None:
            await app_space.blobs.delete([received.blob.key])
        raise
    return await _created(request, who, file)


async def check_upload(request: Request) -> Response:
    """The titles, among those asked about, that the folder already has."""
    who = await caller(request)
    body = await json_body(request)
    titles = body.get("filesTitle")
    if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
        raise ValidationFailed({"FilesTitle": ["The FilesTitle field is required."]})
    folder = await _folder(request, who)
    found = await space(request).inserts.existing_titles(who, folder, titles)
    return success(request, found)


routes = [
    Route("/api/2.0/files/@my/text", create_text, methods=["POST"]),
    Route("/api/2.0/files/@my/html", create_html, methods=["POST"]),
    Route("/api/2.0/files/@my/insert", insert, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/text", create_text, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/html", create_html, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/insert", insert, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/upload/check", check_upload, methods=["POST"]),
]
