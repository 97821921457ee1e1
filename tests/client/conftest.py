"""Fixtures for the client's tests: clients of a real server, direct or via a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from proxy import Proxy
from support import FAST

from folio.client import Folio
from helpers import FolioServer, TestUser


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def folio(server: FolioServer, user: TestUser) -> Iterator[Folio]:
    with Folio(server.url, user.key, retry=FAST) as client:
        yield client


@pytest.fixture
def proxy(server: FolioServer) -> Iterator[Proxy]:
    with Proxy(server.url) as running:
        yield running


@pytest.fixture
def proxied(proxy: Proxy, user: TestUser) -> Iterator[Folio]:
    """A client whose every request passes the proxy."""
    with Folio(proxy.url, user.key, retry=FAST) as client:
        yield client
