"""What the client's tests share besides fixtures."""

from __future__ import annotations

import asyncio

from folio.client import Retry
from folio.services.space import Space
from helpers import FolioServer, TestUser

__all__ = ["FAST", "set_quota"]

#: Retries as the default policy makes them, only quicker, so tests stay fast.
FAST = Retry(attempts=4, backoff=0.01, max_backoff=0.05)


def set_quota(server: FolioServer, user: TestUser, quota: int) -> None:
    """Give a user a quota in bytes, as an administrator would."""

    async def apply() -> None:
        space = Space.from_settings(server.settings())
        await space.open(migrate=False)
        try:
            found = await space.accounts.user(user.user_id)
            await space.accounts.set_quota(found, quota)
        finally:
            await space.aclose()

    asyncio.run(apply())
