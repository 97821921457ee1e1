"""Per-user file settings: Trash auto-cleanup and the display toggles."""

from __future__ import annotations

from typing import Any

from folio.domain.cleanup import AutoCleanup, CleanupGap
from folio.persistence.database import Database
from folio.persistence.preferences import PreferenceQueries
from folio.services.accounts import Caller

__all__ = ["AUTOCLEANUP", "TOGGLES", "Preferences", "cleanup_from"]

#: The name the auto-cleanup setting is stored under.
AUTOCLEANUP = "autocleanup"

#: Every on/off setting a user can change, with DocSpace's default.
TOGGLES: dict[str, bool] = {
    "storeOriginalFiles": True,
    "recentSection": True,
    "displayFileExtension": False,
    "keepNewFileName": False,
    "openEditorInSameTab": False,
    "forcesave": False,
    "storeForcesave": False,
}


def cleanup_from(value: Any) -> AutoCleanup:
    """Read a stored auto-cleanup setting; DocSpace's default when unset or odd."""
    if not isinstance(value, dict):
        return AutoCleanup()
    gap = value.get("gap")
    chosen = CleanupGap.THIRTY_DAYS
    if isinstance(gap, int) and gap in CleanupGap._value2member_map_:
        chosen = CleanupGap(gap)
    return AutoCleanup(enabled=bool(value.get("isAutoCleanUp", True)), gap=chosen)


class Preferences:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def autocleanup(self, caller: Caller) -> AutoCleanup:
        async with self.db.read() as connection:
            stored = await PreferenceQueries(connection).get(
                caller.user.id, AUTOCLEANUP
            )
        return cleanup_from(stored)

    async def set_autocleanup(
        self, caller: Caller, enabled: bool, gap: CleanupGap | None
    ) -> AutoCleanup:
        """Store the setting; without a gap, the one set before is kept."""
        async with self.db.write() as connection:
            queries = PreferenceQueries(connection)
            current = cleanup_from(await queries.get(caller.user.id, AUTOCLEANUP))
            chosen = AutoCleanup(enabled=enabled, gap=gap or current.gap)
            await queries.set(
                caller.user.id,
                AUTOCLEANUP,
                {"isAutoCleanUp": chosen.enabled, "gap": int(chosen.gap)},
            )
        return chosen

    async def cleanups(self, user_ids: list[str]) -> dict[str, AutoCleanup]:
        """The auto-cleanup setting of each of these users."""
        async with self.db.read() as connection:
            stored = await PreferenceQueries(connection).of_users(user_ids, AUTOCLEANUP)
        return {user_id: cleanup_from(stored.get(user_id)) for user_id in user_ids}

    async def toggles(self, caller: Caller) -> dict[str, bool]:
        """Every toggle of the user, defaults filled in."""
        async with self.db.read() as connection:
            stored = await PreferenceQueries(connection).all(caller.user.id)
        return {
            name: stored[name] if isinstance(stored.get(name), bool) else default
            for name, default in TOGGLES.items()
        }

    async def set_toggle(self, caller: Caller, name: str, value: bool | None) -> bool:
        """Set a toggle; None flips it. Return the value now stored."""
        if name not in TOGGLES:
            raise KeyError(name)
        async with self.db.write() as connection:
            queries = PreferenceQueries(connection)
            if value is None:
                current = await queries.get(caller.user.id, name)
                if not isinstance(current, bool):
                    current = TOGGLES[name]
                value = not current
            await queries.set(caller.user.id, name, value)
        return value
