"""The steps a client method asks its driver to take.

Every method of the client is written once, as a generator that yields these
steps and receives their results. `Folio` runs the steps with a blocking httpx
client and threads; `AsyncFolio` with an async httpx client and tasks. A step
that fails is thrown back into the generator, so that retries, resumption and
error mapping are the same code for both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import httpx

__all__ = ["Parallel", "Plan", "Send", "Sleep", "Stream"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Send:
    """Send a request and read the whole answer; the result is the response."""

    request: httpx.Request


@dataclasses.dataclass(frozen=True)
class Stream:
    """Send a request; if `accept` says so, hand the body to `write` as it comes.

    The result is the response. When `accept` refuses it, its body is read
    whole instead, for the error it carries.
    """

    request: httpx.Request
    accept: Callable[[httpx.Response], bool]
    write: Callable[[bytes], None]


@dataclasses.dataclass(frozen=True)
class Sleep:
    """Wait; the result is None."""

    seconds: float


@dataclasses.dataclass(frozen=True)
class Parallel:
    """Run plans at most `limit` at a time; the result lists their results.

    The first failure stops the plans not yet started, waits for the running
    ones, and is thrown back into the generator that asked.
    """

    plans: list[Plan[Any]]
    limit: int


Step = Send | Stream | Sleep | Parallel
Plan = Generator[Step, Any, T]
