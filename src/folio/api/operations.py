"""File operations: the status list clients poll."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import caller, space
from folio.api.requests import Query
from folio.api.responses import success
from folio.api.wire import operation_dto
from folio.domain.entries import Operation, OperationKind
from folio.errors import InvalidRequest
from folio.services.accounts import Caller

__all__ = ["operations_reply", "routes"]


async def operations_reply(
    request: Request, who: Caller, operation: Operation, *, single: bool
) -> Response:
    """Answer a start call: the new operation first, then its running kin."""
    if single:
        found = [operation]
    else:
        found = await space(request).operations.running_like(who, operation)
    return success(request, [operation_dto(op) for op in found])


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
    return success(request, [operation_dto(op) for op in found])


routes = [
    Route("/api/2.0/files/fileops", statuses, methods=["GET"]),
    Route("/api/2.0/files/fileops/{kind}", statuses, methods=["GET"]),
]
