"""A Folio emulator for an integration's tests: started once, a fresh portal each.

    emulator = Emulator.start()              # in this process, on a free port
    portal = emulator.new_portal()           # a portal with its owner and a key
    with portal.client() as http:            # httpx, authenticated as the owner
        http.get("/api/2.0/files/@my")
    portal.delete()
    emulator.stop()

The pytest plugin (`folio.testing.plugin`) wraps exactly this in fixtures.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

__all__ = ["Emulator", "EmulatorError", "Portal", "free_port"]

MODES = ("inprocess", "subprocess")


class EmulatorError(RuntimeError):
    """The emulator did not start, or refused a request of its own API."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclasses.dataclass
class Portal:
    """One portal of the emulator, with its owner's credentials."""

    emulator: Emulator
    name: str
    owner_id: str
    owner_email: str
    owner_password: str
    api_key: str

    @property
    def url(self) -> str:
        """The base URL to give the code under test (with `api_key`)."""
        return self.emulator.url

    @property
    def origin(self) -> str:
        """The Origin header that names this portal (DocSpace's own test style)."""
        return f"http://{self.name}"

    @property
    def headers(self) -> dict[str, str]:
        """Headers that address this portal as its owner."""
        return {"Authorization": f"Bearer {self.api_key}", "Origin": self.origin}

    def client(
        self, key: str | None = None, *, anonymous: bool = False, **options: Any
    ) -> httpx.Client:
        """An httpx client for the portal: the owner's, the given key's, or one
        with no credentials at all."""
        headers = {"Origin": self.origin}
        if not anonymous:
            headers["Authorization"] = f"Bearer {key or self.api_key}"
        headers.update(options.pop("headers", {}))
        return httpx.Client(
            base_url=self.url, headers=headers, timeout=options.pop("timeout", 30),
            **options,
        )  # fmt: skip

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.emulator.request(method, path, headers=self.headers, **kwargs)

    def add_user(
        self,
        email: str | None = None,
        *,
        password: str | None = None,
        type: str = "User",
        first_name: str = "Test",
        last_name: str = "User",
    ) -> PortalUser:
        """Add a member of a DocSpace type (DocSpaceAdmin, RoomAdmin, User, Guest)
        and, except for guests (who may not have keys), an API key for them."""
        email = email or f"{type.lower()}-{uuid.uuid4().hex[:8]}@{self.name}.test"
        password = password or secrets.token_urlsafe(12)
        profile = self._control(
            "POST",
            "/api/2.0/people",
            json={"email": email, "password": password, "type": type,
                  "firstName": first_name, "lastName": last_name},
        )["response"]  # fmt: skip
        key = None
        if type.lower() != "guest":
            key = self.emulator.create_key(self.name, email, password)
        return PortalUser(profile["id"], email, password, key)

    def reset(self) -> None:
        """Wipe the portal back to its owner and an empty My documents."""
        self._control("POST", "/_folio/reset")

    def snapshot(self, name: str) -> None:
        self._control("POST", "/_folio/snapshot", json={"name": name})

    def restore(self, name: str) -> None:
        self._control("POST", "/_folio/restore", json={"name": name})

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Create users, folders and files; see the integrators' guide."""
        return dict(self._control("POST", "/_folio/seed", json=spec))

    def set_faults(self, *faults: dict[str, Any]) -> None:
        """Replace the portal's faults, e.g. {"kind": "status", "status": 503}."""
        self._control("PUT", "/_folio/faults", json={"faults": list(faults)})

    def clear_faults(self) -> None:
        self._control("DELETE", "/_folio/faults")

    def delete(self) -> None:
        """Remove the portal, as DocSpace's "delete portal immediately" does."""
        # Faults the test set would otherwise stand in the way.
        self.clear_faults()
        self._control("DELETE", "/api/2.0/portal/deleteportalimmediately", json={})


@dataclasses.dataclass(frozen=True)
class PortalUser:
    id: str
    email: str
    password: str
    #: None for guests, who may not create API keys.
    api_key: str | None


class Emulator:
    """A running Folio emulator, in this process or as a subprocess."""

    def __init__(self, url: str, stopper: Any, data_dir: Path | None) -> None:
        self.url = url
        self._stop = stopper
        self._data_dir = data_dir
        self._http = httpx.Client(base_url=url, timeout=30)

    @classmethod
    def start(
        cls,
        mode: str = "inprocess",
        *,
        env: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Emulator:
        """Start an emulator on a free port with its data in a temporary folder.

        `env` holds FOLIO_* settings (e.g. {"FOLIO_RATE_LIMIT": "true"}).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if mode == "subprocess":
            return cls._subprocess(env or {}, timeout)
        return cls._inprocess(env or {}, timeout)

    @classmethod
    def _inprocess(cls, env: dict[str, str], timeout: float) -> Emulator:
        import uvicorn

        from folio.api.app import create_app
        from folio.config import Settings

        data_dir = Path(tempfile.mkdtemp(prefix="folio-emulator-"))
        settings = Settings.from_env(
            {**env, "FOLIO_DATA_DIR": str(data_dir)}, emulator=True, fsync=False
        )
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan="on",
                ws="none",
                timeout_graceful_shutdown=2,
            )
        )
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True,
            name="folio-emulator",
        )  # fmt: skip
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise EmulatorError("The in-process emulator did not start")
            time.sleep(0.002)

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()

        return cls(f"http://127.0.0.1:{port}", stop, data_dir)

    @classmethod
    def _subprocess(cls, env: dict[str, str], timeout: float) -> Emulator:
        import folio

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # The subprocess runs the same Folio as this process, wherever it is from.
        source = str(Path(folio.__file__).resolve().parents[1])
        pythonpath = os.pathsep.join(
            part for part in (source, os.environ.get("PYTHONPATH")) if part
        )
        # The server logs a line per request: it goes to a file, since a pipe that
        # nobody reads would fill up and stop the server mid-write.
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        process = subprocess.Popen(
            [sys.executable, "-m", "folio", "serve", "--emulator", "--ephemeral",
             "--port", str(port)],
            env={**os.environ, "PYTHONPATH": pythonpath, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")
                log.close()
                raise EmulatorError("folio serve --emulator exited:\n" + output)
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                process.kill()
                raise EmulatorError("folio serve --emulator did not start")
            time.sleep(0.005)

        def stop() -> None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

        return cls(url, stop, None)

    def stop(self) -> None:
        """Stop the emulator and remove its data."""
        self._http.close()
        self._stop()
        if self._data_dir is not None:
            shutil.rmtree(self._data_dir, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the emulator; raise EmulatorError unless it answers 2xx."""
        answer = self._http.request(method, path, **kwargs)
        if not answer.is_success:
            raise EmulatorError(
                f"{method} {path} answered {answer.status_code}: {answer.text}"
            )
        return answer.json() if answer.content else None

    def portal_names(self) -> list[str]:
        """The names of the portals the emulator holds."""
        found = self.request("GET", "/_folio/portals")
        return [portal["name"] for portal in found["portals"]]

    def create_key(self, portal: str, email: str, password: str) -> str:
        """An API key for a user of a portal, made with their password."""
        found = self.request(
            "POST",
            "/api/2.0/keys",
            json={"name": "folio-testing"},
            auth=(email, password),
            headers={"Origin": f"http://{portal}"},
        )
        return str(found["response"]["key"])

    def new_portal(self, name: str | None = None) -> Portal:
        """Register a fresh portal and give its owner an API key."""
        name = name or f"test-{uuid.uuid4().hex[:16]}"
        email = f"owner@{name}.test"
        password = secrets.token_urlsafe(12)
        registered = self.request(
            "POST",
            "/apisystem/portal/register",
            json={"portalName": name, "firstName": "Portal", "lastName": "Owner",
                  "email": email, "password": password, "language": "en"},
        )  # fmt: skip
        tenant = registered["tenant"]
        key = self.create_key(tenant["portalName"], email, password)
        return Portal(
            self, tenant["portalName"], tenant["ownerId"], email, password, key
        )
