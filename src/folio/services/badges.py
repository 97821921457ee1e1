"""DocSpace's "new" badges, and marking items as read.

In a personal space nothing is new to its owner: every entry is the owner's own,
so Folio keeps no badges, `new` is always 0, and marking as read is an operation
that reports its items and changes nothing.
"""

from __future__ import annotations

from typing import Any

from folio.domain.entries import Operation, OperationKind, OperationStatus
from folio.services.accounts import Caller
from folio.services.operations import Operations

__all__ = ["Badges"]


class Badges:
    def __init__(self, operations: Operations) -> None:
        self.operations = operations
        operations.register("markasread", self._run)

    async def start_mark_as_read(
        self, caller: Caller, file_ids: list[int], folder_ids: list[int]
    ) -> Operation:
        """Queue the clearing of badges; unknown ids are ignored, as DocSpace does."""
        return await self.operations.start(
            caller,
            OperationKind.MARK_AS_READ,
            {"action": "markasread", "files": file_ids, "folders": folder_ids},
            hold=True,
        )

    async def _run(self, operation: Operation, request: dict[str, Any]) -> None:
        items = list(request.get("files", [])) + list(request.get("folders", []))
        for done in range(1, len(items) + 1):
            if not await self.operations.progress(operation, done, len(items)):
                return
        await self.operations.finish(operation, OperationStatus.COMPLETED)
