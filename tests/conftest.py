"""Fixtures: one real Folio server per test session, and a fresh user per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docspace_api_sdk as sdk
import httpx
import pytest

from helpers import FolioServer, TestUser


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FolioServer]:
    """A `folio serve` subprocess shared by the tests; each test uses its own user."""
    folio = FolioServer(tmp_path_factory.mktemp("server") / "data")
    folio.start()
    yield folio
    folio.stop()


@pytest.fixture
def user(server: FolioServer) -> TestUser:
    return server.new_user()


@pytest.fixture
def client(server: FolioServer, user: TestUser) -> Iterator[httpx.Client]:
    with server.client(user.key) as http:
        yield http


@pytest.fixture
def other_client(server: FolioServer) -> Iterator[httpx.Client]:
    """A second user, for isolation tests."""
    with server.client(server.new_user().key) as http:
        yield http


@pytest.fixture
def anonymous(server: FolioServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


@pytest.fixture
def sdk_client(server: FolioServer, user: TestUser) -> Iterator[sdk.ApiClient]:
    """ONLYOFFICE's own SDK, set up as its users must: the key as a default header.

    The SDK sends no credentials for operations its spec marks as anonymous, so the
    Authorization header is set on the client for every request.
    """
    configuration = sdk.Configuration(host=server.url, access_token=user.key)
    with sdk.ApiClient(
        configuration, header_name="Authorization", header_value=f"Bearer {user.key}"
    ) as api_client:
        yield api_client


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    path = tmp_path / "sample.txt"
    path.write_bytes(b"hello from folio\n")
    return path
