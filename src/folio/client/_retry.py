"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import dataclasses
import random

import httpx

__all__ = ["Retry"]

# Statuses a retry can cure: the rate limiter, and gateways in front of a server
# that is restarting or overloaded.
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Failures that happen before a request leaves the client: the server cannot have
# acted on it, so even a request that is not idempotent may be sent again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclasses.dataclass(frozen=True)
class Retry:
    """Retry policy: exponential backoff with full jitter, honouring Retry-After.

    Only idempotent requests (reads, and the re-send of an upload chunk) are
    retried after a 502/503/504 or a broken connection, since the server may have
    acted on the first attempt. Every request is retried after a 429 and after a
    failure to connect: in both cases the server did nothing.
    """

    #: Attempts in all, the first included; 1 disables retries.
    attempts: int = 5
    #: First backoff in seconds; it doubles on each retry, up to `max_backoff`.
    backoff: float = 0.5
    max_backoff: float = 30.0
    #: A Retry-After longer than this is not waited for: the 429 is raised.
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt ≥ 1)."""
        ceiling = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)

    def wait_for_status(
        self, status: int, retry_after: float | None, attempt: int
    ) -> float | None:
        """Seconds to wait before retrying after `status`; None to give up."""
        if attempt >= self.attempts or status not in RETRY_STATUSES:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            # Honour the server's wait, plus a little jitter so that clients told
            # the same moment do not all come back at once.
            return retry_after + random.uniform(0, min(1.0, self.backoff))
        return self.delay(attempt)

    def should_retry_status(self, status: int, *, idempotent: bool) -> bool:
        return status == 429 or (idempotent and status in RETRY_STATUSES)

    def should_retry_error(
        self, error: httpx.TransportError, attempt: int, *, idempotent: bool
    ) -> bool:
        if attempt >= self.attempts:
            return False
        return idempotent or isinstance(error, _NOT_SENT)
