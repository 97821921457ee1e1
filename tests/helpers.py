"""A real Folio server in a subprocess, and the users and clients tests need."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from folio.config import Settings
from folio.services.accounts import Caller
from folio.services.space import Space

__all__ = [
    "Deployment",
    "FolioServer",
    "MotoServer",
    "PostgresServer",
    "TestUser",
    "free_port",
    "wait_for_operation",
]

#: Where the scale-out tests find PostgreSQL when FOLIO_TEST_DATABASE_URL is unset.
DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://127.0.0.1:5432/test"
#: Credentials for the S3 server the tests start; it accepts any.
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "folio-test",
    "AWS_SECRET_ACCESS_KEY": "folio-test-secret",
}

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclasses.dataclass
class TestUser:
    """A user made for one test, with the credentials to act as them."""

    __test__ = False  # not a test class, despite the name

    email: str
    password: str
    key: str
    user_id: str


class FolioServer:
    """`folio serve` on a free port, over a data folder (and any FOLIO_* settings)."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {}), "FOLIO_DATA_DIR": str(data_dir)}
        self.extra_args: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.owner_key: str | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"
        self.stdout_path = data_dir.parent / f"{data_dir.name}-stdout.log"
        self._logs: list[Any] = []

    def start(self, *extra_args: str) -> None:
        self.extra_args = list(extra_args) or self.extra_args
        self._logs = [open(self.stdout_path, "w"), open(self.log_path, "a")]  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "folio",
                "serve",
                "--port",
                str(self.port),
                *self.extra_args,
            ],  # fmt: skip
            env=self.env,
            stdout=self._logs[0],
            stderr=self._logs[1],
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"folio serve exited with {self.process.returncode}:\n"
                    f"{self.log_path.read_text()}"
                )
            try:
                answer = httpx.get(f"{self.url}/api/2.0/authentication", timeout=1)
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError(
                f"folio serve did not start:\n{self.log_path.read_text()}"
            )
        found = re.search(r"API key:\s+(sk-[0-9a-f]{64})", self.stdout_path.read_text())
        if found:
            self.owner_key = found.group(1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self._close_logs()

    def _close_logs(self) -> None:
        for log in self._logs:
            log.close()
        self._logs = []

    def kill(self) -> None:
        """End the server at once, as a crash or a power cut would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None
        self._close_logs()

    def settings(self) -> Settings:
        environ = {k: v for k, v in self.env.items() if k.startswith("FOLIO_")}
        return Settings.from_env(environ)

    def run(self, work: Callable[[Space], Awaitable[T]]) -> T:
        """Run `work` against the server's own database and storage, from the test."""

        async def run() -> T:
            space = Space.from_settings(self.settings())
            await space.open(migrate=False)
            try:
                return await work(space)
            finally:
                await space.aclose()

        return asyncio.run(run())

    def new_user(self, *, admin: bool = False, name: str = "Test User") -> TestUser:
        """Add a user with an API key straight into the server's database."""
        email = f"user-{uuid.uuid4().hex[:12]}@example.com"
        password = f"pw-{uuid.uuid4().hex}"
        first, _, last = name.partition(" ")

        async def add(space: Space) -> TestUser:
            portal_id = await space.accounts.portal()
            user = await space.accounts.add_user(
                portal_id, email, password, first_name=first, last_name=last,
                is_admin=admin,
            )  # fmt: skip
            new = await space.accounts.create_key(Caller(user), "tests")
            return TestUser(email, password, new.secret, user.id)

        return self.run(add)

    def client(self, key: str | None = None, **options: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **options)


def wait_for_operation(
    client: httpx.Client, operation_id: str, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll /fileops until the operation reports itself finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get("/api/2.0/files/fileops", params={"id": operation_id})
        answer.raise_for_status()
        for operation in answer.json()["response"]:
            if operation["id"] == operation_id and operation["finished"]:
                return dict(operation)
        time.sleep(0.05)
    raise TimeoutError(f"operation {operation_id} did not finish")


@contextmanager
def running(server: FolioServer, *args: str) -> Iterator[FolioServer]:
    server.start(*args)
    try:
        yield server
    finally:
        server.stop()


class MotoServer:
    """moto's standalone S3-compatible server on a loopback port, in a subprocess."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self) -> None:
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],  # fmt: skip
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited:\n{self.log_path.read_text()}")
            try:
                httpx.get(self.endpoint, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"moto did not start:\n{self.log_path.read_text()}")

    def client(self) -> Any:
        import boto3

        return boto3.session.Session(
            aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        ).client("s3", endpoint_url=self.endpoint, region_name="us-east-1")

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def storage_url(self, bucket: str, prefix: str) -> str:
        return f"s3://{bucket}/{prefix}?endpoint={self.endpoint}&region=us-east-1"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class PostgresServer:
    """A PostgreSQL database the tests may use; each user of it gets a schema."""

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        self.url = url
        parsed = sa.engine.make_url(url)
        self._conninfo = parsed.set(drivername="postgresql", query={}).render_as_string(
            hide_password=False
        )
        self.schemas: list[str] = []

    def probe(self) -> str | None:
        """Connect once; return why that failed, or None."""
        import psycopg

        try:
            with psycopg.connect(self._conninfo, connect_timeout=3) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error as exc:
            return str(exc).strip().splitlines()[0]
        return None

    def new_schema(self) -> str:
        """Create an empty schema; return a database URL whose tables live in it."""
        import psycopg

        schema = f"folio_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}options=-csearch_path%3D{schema}"

    def drop_schemas(self) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            for schema in self.schemas:
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.schemas.clear()


@dataclasses.dataclass
class Deployment:
    """One way of running Folio: "embedded" (SQLite and disk) or "scaleout"
    (PostgreSQL and S3). `env` holds the FOLIO_* settings that select it."""

    name: str
    postgres: PostgresServer | None = None
    s3: MotoServer | None = None
    bucket: str = ""
    env: dict[str, str] = dataclasses.field(default_factory=dict)

    def fresh_env(self) -> dict[str, str]:
        """Settings for a deployment of its own: a new schema and a new prefix."""
        if self.postgres is None or self.s3 is None:
            return {}
        return {
            **S3_CREDENTIALS,
            "FOLIO_DATABASE_URL": self.postgres.new_schema(),
            "FOLIO_STORAGE_URL": self.s3.storage_url(
                self.bucket, f"t-{uuid.uuid4().hex[:12]}"
            ),
        }

    def server(
        self, data_dir: Path, *, env: dict[str, str] | None = None
    ) -> FolioServer:
        """A server (not yet started) of this deployment, over its own data."""
        return FolioServer(data_dir, {**self.fresh_env(), **(env or {})})
