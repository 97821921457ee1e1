"""Files: information, new documents, single-request uploads, deletion."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import base_url, caller, people, space
from folio.api.multipart import is_multipart, receive_multipart
from folio.api.operations import operations_reply
from folio.api.rendering import renderer
from folio.api.requests import Query, entry_id, json_body, optional_bool
from folio.api.responses import success
from folio.api.wire import file_dto
from folio.domain.entries import Entry
from folio.domain.titles import require_title
from folio.errors import FileTooLarge, Forbidden, InvalidRequest
from folio.services.accounts import Caller

__all__ = ["routes"]

# A multipart body carries a little more than its file: boundaries and headers.
_MULTIPART_OVERHEAD = 1024 * 1024

NO_FILE = "Value cannot be null. (Parameter 'uploadModel.File')"


async def _target(request: Request, who: Caller) -> Entry:
    """The folder named by the path: @my, or a folder id."""
    documents = space(request).documents
    raw = request.path_params.get("folder_id")
    if raw is None:
        return await documents.my_documents(who)
    return await documents.folder(who, entry_id(raw, folder=True))


async def file_info(request: Request) -> Response:
    who = await caller(request)
    documents = space(request).documents
    file_id = entry_id(request.path_params["file_id"], folder=False)
    file = await documents.file(who, file_id)
    requested = Query(request).int("version", -1)
    if requested is not None and requested > 0 and requested != file.version:
        file = await documents.at_version(who, file, requested)
    # The caller's favourites and Trash settings show in the DTO too.
    render = await renderer(request, who, [file])
    return success(request, render.file(file))


async def create_file(request: Request) -> Response:
    who = await caller(request)
    body = await json_body(request)
    title = require_title(body.get("title"))
    folder = await _target(request, who)
    raw_template = body.get("templateId")
    template_id = None
    if raw_template not in (None, "", 0, "0"):
        if isinstance(raw_template, bool) or not str(raw_template).isdigit():
            raise Forbidden("The required file was not found")
        template_id = int(str(raw_template))
    file = await space(request).documents.create_blank(
        who,
        folder,
        title,
        template_id=template_id,
        keep_extension=optional_bool(body, "enableExternalExt"),
    )
    return success(request, file_dto(file, base_url(request), people(who)))


async def upload(request: Request) -> Response:
    """Store the multipart part named "file" (in any case) as a file of the folder."""
    who = await caller(request)
    folder = await _target(request, who)
    query = Query(request)
    create_new = query.bool("createNewIfExist")
    app_space = space(request)
    limit = app_space.settings.max_upload_size
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
        raise FileTooLarge(limit)
    if not is_multipart(request):
        raise InvalidRequest(NO_FILE)
    documents = app_space.documents
    documents.require_writable(folder)
    received = await receive_multipart(
        request,
        app_space.blobs,
        accept_file=lambda name: name.lower() == "file",
        max_size=limit,
    )
    if received.blob is None:
        raise InvalidRequest(NO_FILE)
    try:
        title = require_title(received.filename, field="File")
        file = await documents.record_upload(
            who, folder, title, received.blob, create_new_if_exists=create_new
        )
    except BaseException:
        await app_space.blobs.delete([received.blob.key])
        raise
    return success(request, [file_dto(file, base_url(request), people(who))])


async def delete_file(request: Request) -> Response:
    who = await caller(request)
    file_id = entry_id(request.path_params["file_id"], folder=False)
    body = await json_body(request)
    operations = space(request).operations
    operation = await operations.start_delete(
        who,
        file_ids=[file_id],
        folder_ids=[],
        immediately=optional_bool(body, "immediately"),
        hold=not optional_bool(body, "deleteAfter"),
    )
    single = Query(request).bool("returnSingleOperation")
    return await operations_reply(request, who, operation, single=single)


routes = [
    Route("/api/2.0/files/file/{file_id}", file_info, methods=["GET"]),
    Route("/api/2.0/files/file/{file_id}", delete_file, methods=["DELETE"]),
    Route("/api/2.0/files/@my/file", create_file, methods=["POST"]),
    Route("/api/2.0/files/@my/upload", upload, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/file", create_file, methods=["POST"]),
    Route("/api/2.0/files/{folder_id}/upload", upload, methods=["POST"]),
]
