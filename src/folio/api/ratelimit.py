"""Rate limiting as DocSpace does it (emulator mode, when turned on).

DocSpace partitions its limits by user (by client address for anonymous calls)
and applies, per partition: a sliding minute of requests, a number of reads and of
other requests in flight, a daily number of POST and PUT requests, and a tighter
limit on sensitive endpoints (creating API keys) per path. A refused request gets
429 with an empty body and the headers `Retry-After` (seconds),
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix
seconds). The counters live in memory: one emulator process, one set of limits.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import time
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from folio.api.context import PORTAL_SCOPE_KEY, optional_caller
from folio.config import Settings

__all__ = ["RateLimiter", "RateLimitMiddleware", "Refusal"]

WINDOW = 60.0
SENSITIVE_WINDOW = 15 * 60.0
# Endpoints DocSpace puts under its "sensitive" policy, by method and path.
SENSITIVE = {("POST", "/api/2.0/keys")}
# Paths outside any portal's API: the emulator's own and the portal service's.
_EXEMPT = ("/_folio/", "/apisystem/", "/health", "/metrics")


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a request was refused: the limit, and when to try again."""

    limit: int
    retry_after: float

    def headers(self, now: float) -> list[tuple[bytes, bytes]]:
        wait = max(math.ceil(self.retry_after), 1)
        return [
            (b"retry-after", str(wait).encode()),
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", b"0"),
            (b"x-ratelimit-reset", str(math.ceil(now + wait)).encode()),
            (b"content-length", b"0"),
        ]


Partition = tuple[object, ...]


class RateLimiter:
    """The counters of every partition; `acquire` before a request, `release` after."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._recent: dict[Partition, collections.deque[float]] = {}
        self._sensitive: dict[Partition, collections.deque[float]] = {}
        self._in_flight: collections.Counter[Partition] = collections.Counter()
        self._daily: dict[Partition, tuple[str, int]] = {}

    @staticmethod
    def _prune(times: collections.deque[float], now: float, window: float) -> None:
        while times and times[0] <= now - window:
            times.popleft()

    def acquire(
        self, partition: Partition, method: str, path: str, now: float
    ) -> Refusal | None:
        """Count a request in, or say which limit refuses it (counting nothing)."""
        settings = self.settings
        recent = self._recent.setdefault(partition, collections.deque())
        self._prune(recent, now, WINDOW)
        if len(recent) >= settings.rate_limit_per_minute:
            return Refusal(settings.rate_limit_per_minute, recent[0] + WINDOW - now)

        reading = method in ("GET", "HEAD", "OPTIONS")
        flight_key = partition + (reading,)
        flight_limit = (
            settings.rate_limit_reads_in_flight
            if reading
            else settings.rate_limit_writes_in_flight
        )
        if self._in_flight[flight_key] >= flight_limit:
            return Refusal(flight_limit, 1)

        day = datetime.fromtimestamp(now, UTC).date().isoformat()
        writes = method in ("POST", "PUT")
        if writes:
            seen_day, count = self._daily.get(partition, (day, 0))
            count = count if seen_day == day else 0
            if count >= settings.rate_limit_writes_per_day:
                midnight = datetime.fromisoformat(day).replace(tzinfo=UTC)
                tomorrow = (midnight + timedelta(days=1)).timestamp()
                return Refusal(settings.rate_limit_writes_per_day, tomorrow - now)

        sensitive_key = partition + (method, path.lower().rstrip("/"))
        sensitive = (method, path.lower().rstrip("/")) in SENSITIVE
        if sensitive:
            calls = self._sensitive.setdefault(sensitive_key, collections.deque())
            self._prune(calls, now, SENSITIVE_WINDOW)
            if len(calls) >= settings.rate_limit_sensitive:
                return Refusal(
                    settings.rate_limit_sensitive, calls[0] + SENSITIVE_WINDOW - now
                )
            calls.append(now)

        recent.append(now)
        self._in_flight[flight_key] += 1
        if writes:
            self._daily[partition] = (day, count + 1)
        return None

    def release(self, partition: Partition, method: str) -> None:
        flight_key = partition + (method in ("GET", "HEAD", "OPTIONS"),)
        self._in_flight[flight_key] -= 1
        if self._in_flight[flight_key] <= 0:
            del self._in_flight[flight_key]

    def forget(self, portal_id: int) -> None:
        """Drop a portal's counters (when it is reset or removed)."""
        for table in (self._recent, self._sensitive, self._daily):
            for key in [k for k in table if k[0] == portal_id]:
                del table[key]


class RateLimitMiddleware:
    """Refuses requests over DocSpace's limits with 429, as DocSpace does."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_EXEMPT):
            await self.app(scope, receive, send)
            return
        partition = await self._partition(scope, receive)
        method = scope["method"]
        now = time.time()
        refusal = self.limiter.acquire(partition, method, scope["path"], now)
        if refusal is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": refusal.headers(now),
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.release(partition, method)

    @staticmethod
    async def _partition(scope: Scope, receive: Receive) -> Partition:
        """The user the request runs as, or its client address when anonymous."""
        portal_id = scope.get(PORTAL_SCOPE_KEY)
        request = Request(scope, receive)
        try:
            who = await optional_caller(request)
        except Exception:
            # Bad credentials: the endpoint refuses them itself, with the right
            # answer; here the request counts as anonymous.
            who = None
        if who is not None:
            return (portal_id, "user", who.user.id)
        client = scope.get("client")
        return (portal_id, "address", client[0] if client else "unknown")
