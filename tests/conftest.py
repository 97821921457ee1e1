"""Fixtures: one real Folio server per test session, and a fresh user per test.

Every test that uses the server runs twice, once per deployment: "embedded"
(SQLite and a folder on disk) and "scaleout" (PostgreSQL and an S3-compatible
store). The scale-out half needs PostgreSQL: FOLIO_TEST_DATABASE_URL names it
(a SQLAlchemy URL); unset, PostgreSQL on 127.0.0.1:5432 is tried, and the half is
skipped if it cannot be reached. S3 is moto's server, started here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import docspace_api_sdk as sdk
import httpx
import pytest

from helpers import (
    DEFAULT_TEST_DATABASE_URL,
    S3_CREDENTIALS,
    Deployment,
    FolioServer,
    MotoServer,
    PostgresServer,
    TestUser,
)

DEPLOYMENTS = ("embedded", "scaleout")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """PostgreSQL for the scale-out tests; each user of it gets its own schema."""
    configured = os.environ.get("FOLIO_TEST_DATABASE_URL")
    found = PostgresServer(configured or DEFAULT_TEST_DATABASE_URL)
    problem = found.probe()
    if problem is not None:
        if configured:
            pytest.fail(f"FOLIO_TEST_DATABASE_URL cannot be reached: {problem}")
        pytest.skip(
            f"PostgreSQL is not reachable at {DEFAULT_TEST_DATABASE_URL} "
            f"({problem}); set FOLIO_TEST_DATABASE_URL to run the scale-out tests"
        )
    yield found
    found.drop_schemas()


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """An S3-compatible server (moto) on a loopback port, with a bucket for tests."""
    for name, value in S3_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    moto = MotoServer(tmp_path_factory.mktemp("s3") / "moto.log")
    moto.start()
    yield moto
    moto.stop()


@pytest.fixture(scope="session", params=DEPLOYMENTS)
def deployment(request: pytest.FixtureRequest) -> Deployment:
    """How the servers of this half of the run keep their data."""
    if request.param == "embedded":
        return Deployment("embedded")
    postgres: PostgresServer = request.getfixturevalue("postgres")
    s3: MotoServer = request.getfixturevalue("s3")
    bucket = f"folio-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(bucket)
    return Deployment("scaleout", postgres=postgres, s3=s3, bucket=bucket)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty metadata database of each kind Folio runs on (URL, for Database)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'folio.db'}"
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return postgres.new_schema()


@pytest.fixture(scope="session")
def server(
    deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FolioServer]:
    """A `folio serve` subprocess shared by the tests; each test uses its own user."""
    folio = deployment.server(tmp_path_factory.mktemp("server") / "data")
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
