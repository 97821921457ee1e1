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

__all__ = ["FolioServer", "TestUser", "free_port", "wait_for_operation"]

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
