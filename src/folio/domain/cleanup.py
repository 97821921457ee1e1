"""When Trash forgets: the auto-cleanup setting and the moment an item is purged."""

from __future__ import annotations

import calendar
import dataclasses
import enum
from datetime import datetime, timedelta

__all__ = ["SHORTEST_GAP", "AutoCleanup", "CleanupGap", "add_months"]

#: No item is purged sooner than this after it was trashed, whatever the setting.
SHORTEST_GAP = timedelta(days=7)


class CleanupGap(enum.IntEnum):
    """DocSpace's DateToAutoCleanUp: how long an item stays in Trash."""

    ONE_WEEK = 1
    TWO_WEEKS = 2
    ONE_MONTH = 3
    THIRTY_DAYS = 4
    TWO_MONTHS = 5
    THREE_MONTHS = 6


def add_months(moment: datetime, months: int) -> datetime:
    """Return the same day and time `months` later, on the month's last day if short."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclasses.dataclass(frozen=True)
class AutoCleanup:
    """A user's auto-cleanup setting; DocSpace's default is on, after 30 days."""

    enabled: bool = True
    gap: CleanupGap = CleanupGap.THIRTY_DAYS

    def purge_at(self, trashed_at: datetime) -> datetime | None:
        """The moment an item trashed at `trashed_at` is purged; None when never."""
        if not self.enabled:
            return None
        if self.gap is CleanupGap.ONE_WEEK:
            return trashed_at + timedelta(days=7)
        if self.gap is CleanupGap.TWO_WEEKS:
            return trashed_at + timedelta(days=14)
        if self.gap is CleanupGap.THIRTY_DAYS:
            return trashed_at + timedelta(days=30)
        months = {CleanupGap.ONE_MONTH: 1, CleanupGap.TWO_MONTHS: 2}.get(self.gap, 3)
        return add_months(trashed_at, months)
