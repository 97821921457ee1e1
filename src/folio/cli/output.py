"""How the client commands talk to people: tables, sizes, dates, progress bars."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

__all__ = ["ProgressBar", "human_size", "relative_date", "table"]

_UNITS = ("KB", "MB", "GB", "TB", "PB")


def human_size(size: int) -> str:
    """A byte count as people read it: "512 B", "1.5 KB", "23 MB"."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    raise AssertionError("unreachable")


def relative_date(moment: datetime | None, now: datetime | None = None) -> str:
    """A date relative to now ("5 minutes ago"); older than a month, the date."""
    if moment is None:
        return ""
    now = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    for limit, size, unit in (
        (3600, 60, "minute"),
        (86400, 3600, "hour"),
    ):
        if seconds < limit:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return moment.astimezone().strftime("%Y-%m-%d")


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[int] = (),
) -> str:
    """Columns aligned under their headers; columns in `right` align right."""
    widths = [len(header) for header in headers]
    for row in rows:
        widths = [
            max(width, len(cell)) for width, cell in zip(widths, row, strict=True)
        ]
    lines = []
    for row in [list(headers), *rows]:
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class ProgressBar:
    """A one-line bar on a terminal, redrawn a few times a second.

    It draws nothing when `stream` is not a terminal, so scripts and logs stay
    clean. Usable as the client's `progress(done, total)` callback.
    """

    WIDTH = 24

    def __init__(
        self, label: str, stream: TextIO | None = None, *, force: bool = False
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self._started = time.monotonic()
        self._drawn = 0.0
        self._last: tuple[int, int] = (0, 0)

    def __call__(self, done: int, total: int) -> None:
        self._last = (done, total)
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= 0.1 or done >= total):
            self._drawn = now
            self.stream.write("\r" + self.render(done, total, now - self._started))
            self.stream.flush()

    def render(self, done: int, total: int, elapsed: float) -> str:
        share = done / total if total else 1.0
        filled = int(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        speed = human_size(int(done / elapsed)) + "/s" if elapsed > 0.5 else ""
        return (
            f"{self.label} [{bar}] {share:4.0%} "
            f"{human_size(done)}/{human_size(total)} {speed}"
        ).rstrip()

    def close(self) -> None:
        """End the bar's line, so that what follows starts on a new one."""
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
