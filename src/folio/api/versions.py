"""A file's versions, and the changes made to one file: rename, lock, comment."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, optional_caller, people, space
from folio.api.rendering import renderer
from folio.api.requests import Query, entry_id, json_body, optional_bool, optional_int
from folio.api.responses import success
from folio.api.wire import edit_history_dto
from folio.domain.entries import Entry
from folio.domain.titles import MAX_REQUEST_TITLE, clean_title
from folio.errors import Forbidden, InvalidRequest, ValidationFailed
from folio.services.accounts import Caller
from folio.services.versions import CANNOT_VIEW

__all__ = ["routes"]

NO_VERSION = "The version or the URL of the version to restore is required"


def _file_id(request: Request) -> int:
    return entry_id(request.path_params["file_id"], folder=False)


async def _history_caller(request: Request) -> Caller:
    """DocSpace answers anonymous history requests with 403, not 401."""
    who = await optional_caller(request)
    if who is None:
        raise Forbidden(CANNOT_VIEW)
    return await caller(request)


async def _file_reply(request: Request, who: Caller, file: Entry) -> Response:
    render = await renderer(request, who, [file])
    return success(request, render.file(file))


async def update_file(request: Request) -> Response:
    """Rename a file (its extension stays) and/or restore a version as a new one."""
    who = await caller(request)
    file_id = _file_id(request)
    body = await json_body(request)
    raw_title = body.get("title")
    title = None
    if isinstance(raw_title, str) and raw_title.strip():
        if len(raw_title) > MAX_REQUEST_TITLE:
            raise ValidationFailed(
                {
                    "File.Title": [
                        "The field Title must be a string with a maximum length of "
                        f"{MAX_REQUEST_TITLE}."
                    ]
                }
            )
        title = clean_title(raw_title)
    file = await space(request).versions.update(
        who, file_id, title=title, last_version=optional_int(body, "lastVersion")
    )
    return await _file_reply(request, who, file)


async def history(request: Request) -> Response:
    who = await _history_caller(request)
    found = await space(request).versions.history(who, _file_id(request))
    render = await renderer(request, who, found)
    return success(request, [render.file(version) for version in found])


async def change_history(request: Request) -> Response:
    """Start a new version group at a version, or merge it into the one before."""
    who = await caller(request)
    file_id = _file_id(request)
    body = await json_body(request)
    version = optional_int(body, "version")
    if version is None:
        raise ValidationFailed({"Version": ["The Version field is required."]})
    found = await space(request).versions.change_history(
        who, file_id, version, optional_bool(body, "continueVersion")
    )
    render = await renderer(request, who, found)
    return success(request, [render.file(version) for version in found])


async def _edit_history(request: Request, who: Caller, file_id: int) -> Response:
    file, versions = await space(request).versions.versions(who, file_id)
    lookup = people(who)
    return success(
        request, [edit_history_dto(file, version, lookup) for version in versions]
    )


async def edit_history(request: Request) -> Response:
    who = await _history_caller(request)
    return await _edit_history(request, who, _file_id(request))


async def restore_version(request: Request) -> Response:
    """Make version N current again by storing it as a new version.

    DocSpace also restores from a URL the editors give; Folio does not fetch
    content from URLs a request names, so a URL without a version is refused.
    """
    who = await _history_caller(request)
    file_id = _file_id(request)
    version = Query(request).int("version")
    if version is None or version < 1:
        raise InvalidRequest(NO_VERSION)
    await space(request).versions.restore(who, file_id, version)
    return await _edit_history(request, who, file_id)


async def update_comment(request: Request) -> Response:
    who = await caller(request)
    file_id = _file_id(request)
    body = await json_body(request)
    version = optional_int(body, "version")
    if version is None:
        raise ValidationFailed({"Version": ["The Version field is required."]})
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ValidationFailed({"Comment": ["The JSON value could not be converted."]})
    stored = await space(request).versions.set_comment(
        who, file_id, version, comment or ""
    )
    return success(request, stored)


async def lock(request: Request) -> Response:
    who = await caller(request)
    file_id = _file_id(request)
    body = await json_body(request)
    file = await space(request).versions.lock(
        who, file_id, optional_bool(body, "lockFile")
    )
    return await _file_reply(request, who, file)


routes = [
    Route("/api/2.0/files/file/{file_id}", update_file, methods=["PUT"]),
    Route("/api/2.0/files/file/{file_id}/history", history, methods=["GET"]),
    Route("/api/2.0/files/file/{file_id}/history", change_history, methods=["PUT"]),
    Route(
        "/api/2.0/files/file/{file_id}/restoreversion",
        restore_version,
        methods=["POST"],
    ),
    Route("/api/2.0/files/file/{file_id}/edit/history", edit_history, methods=["GET"]),
    Route("/api/2.0/files/file/{file_id}/comment", update_comment, methods=["PUT"]),
    Route("/api/2.0/files/file/{file_id}/lock", lock, methods=["PUT"]),
]
