"""File operations: the status list clients poll."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import base_url, caller, space
from folio.api.rendering import renderer
from folio.api.requests import Query
from folio.api.responses import success
from folio.api.wire import Json, operation_dto
from folio.domain.entries import Operation, OperationKind
from folio.errors import InvalidRequest
from folio.services.accounts import Caller

__all__ = ["operation_dtos", "operations_reply", "routes"]


async def operation_dtos(
    request: Request, who: Caller, operations: list[Operation]
) -> list[Json]:
    """FileOperationDtos, with the entries an operation resulted in and, for a
    finished download, the URL of its archive."""
    ids = [i for op in operations if op.kind is not OperationKind.DELETE
           for i in (*op.files, *op.folders)]  # fmt: skip
    found = await space(request).folders.entries(who, ids)
    render = await renderer(request, who, list(found.values()))
    base = base_url(request)
    dtos = []
    for op in operations:
        url = None
        if op.kind is OperationKind.DOWNLOAD and op.archive and op.finished:
            url = f"{base}/filehandler.ashx?action=bulk&filename={op.archive}"
        results = [] if op.kind is OperationKind.DELETE else [
            found[i] for i in (*op.folders, *op.files) if i in found
        ]  # fmt: skip
        dtos.append(
            operation_dto(
                op,
                url=url,
                files=[render.file(e) for e in results if not e.is_folder],
                folders=[render.folder(e) for e in results if e.is_folder],
            )
        )
    return dtos


async def operations_reply(
    request: Request, who: Caller, operation: Operation, *, single: bool
) -> Response:
    """Answer a start call: the new operation first, then its running kin."""
    if single:
        found = [operation]
    else:
        found = await space(request).operations.running_like(who, operation)
    return success(request, await operation_dtos(request, who, found))


def _kind(raw: str) -> OperationKind:
    if raw.isdigit() and int(raw) in OperationKind._value2member_map_:
        return OperationKind(int(raw))
    for kind in OperationKind:
        if kind.name.replace("_", "").lower() == raw.replace("_", "").lower():
            return kind
    raise InvalidRequest(f"The operation type {raw} is not supported")


async def statuses(request: Request) -> Response:
    who = await caller(request)
    raw_kind = request.path_params.get("kind")
    found = await space(request).operations.statuses(
        who,
        kind=None if raw_kind is None else _kind(raw_kind),
        operation_id=Query(request).get("id") or None,
    )
    return success(request, await operation_dtos(request, who, found))


routes = [
    Route("/api/2.0/files/fileops", statuses, methods=["GET"]),
    Route("/api/2.0/files/fileops/{kind}", statuses, methods=["GET"]),
]
