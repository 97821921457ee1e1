"""Used space and quotas: charged in the transaction that changes the content."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from folio.domain.entries import FolderType
from folio.errors import AccessDenied, NotFound, QuotaExceeded
from folio.persistence.accounts import AccountQueries
from folio.persistence.database import Database
from folio.persistence.tables import users
from folio.persistence.versions import VersionQueries
from folio.services.accounts import Caller

__all__ = ["QUOTA_EXCEEDED", "SectionSpace", "Usage", "charge"]

QUOTA_EXCEEDED = "The quota is exceeded: there is not enough free space"


async def charge(connection: AsyncConnection, user_id: str, delta: int) -> None:
    """Add `delta` bytes to a user's used space, refusing to pass their quota.

    Call it inside the transaction that stores or removes the content, so that the
    figure never disagrees with what is stored. Freeing space is never refused.
    """
    if delta == 0:
        return
    if connection.dialect.name != "sqlite":
        # Two transactions must not both see the room that only one of them fits.
        await connection.execute(
            sa.select(users.c.id).where(users.c.id == user_id).with_for_update()
        )
    accounts = AccountQueries(connection)
    user = await accounts.user(user_id)
    if user is None:
        raise NotFound()
    if delta > 0 and 0 <= user.quota_limit < user.used_space + delta:
        raise QuotaExceeded(QUOTA_EXCEEDED)
    await accounts.add_used_space(user_id, delta)


async def require_room(connection: AsyncConnection, user_id: str, size: int) -> None:
    """Refuse, before any work, a change that would take the user past the quota."""
    user = await AccountQueries(connection).user(user_id)
    if user is None:
        raise NotFound()
    if size > 0 and 0 <= user.quota_limit < user.used_space + size:
        raise QuotaExceeded(QUOTA_EXCEEDED)


@dataclasses.dataclass(frozen=True)
class SectionSpace:
    """Bytes used across the portal, by section (DocSpace's filesusedspace)."""

    my_documents: int
    trash: int
    rooms: int = 0
    archive: int = 0


class Usage:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def portal_space(self, caller: Caller) -> SectionSpace:
        """Space used by every user of the portal; for administrators only."""
        if not caller.user.is_admin:
            raise AccessDenied()
        async with self.db.read() as connection:
            found = await VersionQueries(connection).space_by_section(caller.portal_id)
        return SectionSpace(
            my_documents=found.get(FolderType.USER, 0),
            trash=found.get(FolderType.TRASH, 0),
        )
