"""Transfer benchmark: Folio against nginx and wsgidav on the same disk, in one run.

Starts, on loopback ports and over one scratch folder:

- Folio, durable (fsync before answering) and again with --no-fsync;
- nginx from the distribution as a WebDAV server (PUT/GET), run as an ordinary
  process with its own configuration;
- wsgidav, a Python WebDAV server (cheroot), as a peer of Folio's kind.

and measures a large single-request upload, the same file in 10 MiB chunks
through an upload session, a large download, many 4 KiB uploads at concurrency
1 and 16, and `dd` with fsync as the disk's own limit. Every client is the same
small socket client (the body is sent with sendfile, the answer read into one
buffer), so the servers are compared, not the clients.

    python bench/transfer.py            # 1 GiB, 2,000 small files
    python bench/transfer.py --quick    # 64 MiB, 200 small files (CI)
    python bench/transfer.py --json figures.json

Peers that are not installed are skipped and reported so.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psutil

MIB = 1024 * 1024
CHUNK = 10 * MIB
SMALL = 4096


# A minimal HTTP/1.1 client over one kept-alive connection.


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray(4 * MIB)
        self.pending = b""

    def close(self) -> None:
        self.sock.close()

    def reconnect(self) -> None:
        self.sock.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        *,
        body: bytes = b"",
        file: tuple[int, int, int] | None = None,
        tail: bytes = b"",
    ) -> tuple[int, bytes, int]:
        """Send a request (body, then a file range by sendfile, then a tail) and
        return (status, body or b"" when discarded, body length).

        A kept-alive connection the server closed meanwhile is opened again and
        a request with its body in memory sent once more.
        """
        try:
            return self._exchange(method, path, headers, body, file, tail)
        except (ConnectionError, BrokenPipeError):
            if file is not None:
                raise
            self.reconnect()
            return self._exchange(method, path, headers, body, file, tail)

    def _exchange(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        file: tuple[int, int, int] | None,
        tail: bytes,
    ) -> tuple[int, bytes, int]:
        length = len(body) + (file[2] if file else 0) + len(tail)
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {length}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.sock.sendall(head + body)
        if file is not None:
            fd, offset, count = file
            sent = 0
            while sent < count:
                sent += os.sendfile(self.sock.fileno(), fd, offset + sent, count - sent)
        if tail:
            self.sock.sendall(tail)
        status, answer, received, close = self._response(keep=method != "GET")
        if close:
            self.reconnect()
        return status, answer, received

    def _read_head(self) -> tuple[int, dict[str, str]]:
        data = self.pending
        while b"\r\n\r\n" not in data:
            more = self.sock.recv(65536)
            if not more:
                raise ConnectionError("the server closed the connection")
            data += more
        head, _, self.pending = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def _response(self, *, keep: bool) -> tuple[int, bytes, int, bool]:
        status, headers = self._read_head()
        if status in (204, 304):
            length = 0
        elif "content-length" in headers:
            length = int(headers["content-length"])
        else:
            raise ConnectionError(f"no Content-Length in an answer ({status})")
        kept = bytearray(self.pending[:length]) if keep else bytearray()
        received = min(len(self.pending), length)
        self.pending = self.pending[length:]
        view = memoryview(self.buffer)
        while received < length:
            count = self.sock.recv_into(view[: min(len(view), length - received)])
            if not count:
                raise ConnectionError("the server closed the connection")
            if keep:
                kept += view[:count]
            received += count
        close = headers.get("connection", "").lower() == "close"
        return status, bytes(kept), received, close


def multipart(name: str, filename: str) -> tuple[str, bytes, bytes]:
    """Content type, the bytes before the file's content, and those after it."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    return (
        f"multipart/form-data; boundary={boundary}",
        head,
        f"\r\n--{boundary}--\r\n".encode(),
    )


# Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.2),
        ):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Folio:
    def __init__(self, root: Path, *, durable: bool) -> None:
        self.root = root
        self.port = free_port()
        self.durable = durable
        self.key = ""
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Folio:
        data = self.root / ("folio" if self.durable else "folio-nofsync")
        log = self.root / f"folio-{self.port}.log"
        # Single-request uploads of the benchmark's size must be allowed.
        env = {**os.environ, "FOLIO_MAX_UPLOAD_SIZE": str(64 * 1024 * MIB)}
        args = [sys.executable, "-m", "folio", "serve", "--port", str(self.port)]
        args += ["--data-dir", str(data)] + ([] if self.durable else ["--no-fsync"])
        with open(log, "wb") as output:
            self.process = subprocess.Popen(args, stdout=output, stderr=output, env=env)
        wait_port(self.port, self.process, "folio")
        found = re.search(rb"API key:\s+(sk-[0-9a-f]{64})", log.read_bytes())
        if not found:
            raise RuntimeError("folio printed no API key")
        self.key = found.group(1).decode()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


class Nginx:
    """nginx as a WebDAV server: its own configuration, prefix and port."""

    def __init__(self, root: Path) -> None:
        self.root = root / "nginx"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def binary() -> str | None:
        return shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
        )

    def __enter__(self) -> Nginx:
        binary = self.binary()
        assert binary is not None
        (self.root / "files").mkdir(parents=True, exist_ok=True)
        (self.root / "body").mkdir(exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        config = f"""
{user}
worker_processes 1;
daemon off;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {self.root}/body;
    proxy_temp_path {self.root}/body;
    fastcgi_temp_path {self.root}/body;
    uwsgi_temp_path {self.root}/body;
    scgi_temp_path {self.root}/body;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root}/files;
        location / {{
            dav_methods PUT DELETE;
            create_full_put_path on;
        }}
    }}
}}
"""
        (self.root / "nginx.conf").write_text(config)
        self.process = subprocess.Popen(
            [binary, "-p", str(self.root), "-c", str(self.root / "nginx.conf"),
             "-e", str(self.root / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_port(self.port, self.process, "nginx")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class WsgiDav:
    def __init__(self, root: Path) -> None:
        self.root = root / "wsgidav"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        try:
            import cheroot  # noqa: F401
            import wsgidav  # noqa: F401
        except ImportError:
            return False
        return True

    def __enter__(self) -> WsgiDav:
        self.root.mkdir(parents=True, exist_ok=True)
        code = (
            "import sys; from wsgidav.server.server_cli import run; "
            "sys.argv = ['wsgidav'] + sys.argv[1:]; run()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "--host", "127.0.0.1", "--port",
             str(self.port), "--root", str(self.root), "--auth", "anonymous",
             "--server", "cheroot", "--no-config", "-q"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_port(self.port, self.process, "wsgidav")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)


# Measurements


class PeakRss:
    """Samples a process's resident memory while a transfer runs."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.before = self.process.memory_info().rss
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mib(self) -> float:
        return float(self.peak - self.before) / MIB


def timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def dd_fsync(source: Path, target: Path) -> float:
    """Seconds for dd to copy the source and fsync it: the disk's own pace."""
    elapsed = timed(
        lambda: subprocess.run(
            ["dd", f"if={source}", f"of={target}", "bs=4M", "conv=fsync"],
            check=True, capture_output=True,
        )
    )  # fmt: skip
    target.unlink()
    return elapsed


def folio_delete(folio: Folio, file_id: int) -> None:
    """Delete a file for good, so that rounds do not fill the disk."""
    connection = Connection(folio.port)
    try:
        connection.request(
            "DELETE", f"/api/2.0/files/file/{file_id}",
            {**folio.auth(), "Content-Type": "application/json"},
            body=b'{"immediately": true}',
        )  # fmt: skip
    finally:
        connection.close()


def folio_single(folio: Folio, source: Path, size: int) -> float:
    """Seconds for one multipart upload of the source; the file is deleted after."""
    content_type, head, tail = multipart("file", f"big-{uuid.uuid4().hex[:8]}.bin")
    with open(source, "rb") as handle:
        connection = Connection(folio.port)
        try:
            start = time.perf_counter()
            status, body, _ = connection.request(
                "POST", "/api/2.0/files/@my/upload",
                {**folio.auth(), "Content-Type": content_type},
                body=head, file=(handle.fileno(), 0, size), tail=tail,
            )  # fmt: skip
            elapsed = time.perf_counter() - start
        finally:
            connection.close()
    if status != 200:
        raise RuntimeError(f"folio upload answered {status}: {body[:300]!r}")
    folio_delete(folio, int(json.loads(body)["response"][0]["id"]))
    return elapsed


def folio_chunked(folio: Folio, source: Path, size: int) -> tuple[float, int]:
    """Seconds for a session in 10 MiB chunks, and the new file's id."""
    connection = Connection(folio.port)
    try:
        start = time.perf_counter()
        request = json.dumps({"fileName": f"chunked-{uuid.uuid4().hex[:8]}.bin",
                              "fileSize": size}).encode()  # fmt: skip
        status, body, _ = connection.request(
            "POST", "/api/2.0/files/@my/session",
            {**folio.auth(), "Content-Type": "application/json"}, body=request,
        )  # fmt: skip
        session = json.loads(body)["response"]["id"]
        status = 0
        with open(source, "rb") as handle:
            for offset in range(0, size, CHUNK):
                content_type, head, tail = multipart("file", "blob")
                count = min(CHUNK, size - offset)
                status, body, _ = connection.request(
                    "POST", f"/api/2.0/files/@my/session/{session}",
                    {**folio.auth(), "Content-Type": content_type},
                    body=head, file=(handle.fileno(), offset, count), tail=tail,
                )  # fmt: skip
        elapsed = time.perf_counter() - start
    finally:
        connection.close()
    if status != 201:
        raise RuntimeError(f"the last chunk answered {status}: {body[:300]!r}")
    return elapsed, int(json.loads(body)["response"]["id"])


def dav_put(port: int, path: str, source: Path, size: int) -> float:
    with open(source, "rb") as handle:
        connection = Connection(port)
        try:
            start = time.perf_counter()
            status, body, _ = connection.request(
                "PUT", path, {"Content-Type": "application/octet-stream"},
                file=(handle.fileno(), 0, size),
            )  # fmt: skip
            elapsed = time.perf_counter() - start
        finally:
            connection.close()
    if status not in (200, 201, 204):
        raise RuntimeError(f"PUT answered {status}: {body[:300]!r}")
    return elapsed


def get(port: int, path: str, headers: dict[str, str], size: int) -> float:
    connection = Connection(port)
    try:
        start = time.perf_counter()
        status, _, received = connection.request("GET", path, headers)
        elapsed = time.perf_counter() - start
    finally:
        connection.close()
    if status != 200 or received != size:
        raise RuntimeError(f"GET answered {status} with {received} bytes")
    return elapsed


def small_uploads(
    port: int, count: int, concurrency: int, make: Any
) -> dict[str, float]:
    """`count` uploads of 4 KiB over `concurrency` connections: rate, latencies."""
    payload = os.urandom(SMALL)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(count))

    def worker() -> None:
        connection = Connection(port)
        try:
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                method, path, headers, body = make(number, payload)
                start = time.perf_counter()
                status, answer, _ = connection.request(method, path, headers, body=body)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if status not in (200, 201, 204):
                        failures.append(f"{status}: {answer[:200]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} small uploads failed, e.g. {failures[0]}")
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "per_second": count / elapsed,
        "p50_ms": percentile(0.50),
        "p90_ms": percentile(0.90),
        "p99_ms": percentile(0.99),
        "mean_ms": statistics.fmean(latencies) * 1000,
    }


def folio_small(folio: Folio) -> Any:
    tag = uuid.uuid4().hex[:6]

    def make(number: int, payload: bytes) -> tuple[str, str, dict[str, str], bytes]:
        content_type, head, tail = multipart("file", f"s-{tag}-{number}.txt")
        headers = {**folio.auth(), "Content-Type": content_type}
        return "POST", "/api/2.0/files/@my/upload", headers, head + payload + tail

    return make


def dav_small(prefix: str) -> Any:
    tag = uuid.uuid4().hex[:6]

    def make(number: int, payload: bytes) -> tuple[str, str, dict[str, str], bytes]:
        headers = {"Content-Type": "application/octet-stream"}
        return "PUT", f"{prefix}/s-{tag}-{number}.txt", headers, payload

    return make


# The run


def mbps(size: int, seconds: float) -> float:
    return size / MIB / seconds


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def run(size: int, small: int, workdir: Path, rounds: int) -> dict[str, Any]:
    """Measure every transfer `rounds` times, all servers up at once.

    On a machine shared with other work the load changes from one minute to the
    next; each round measures a transfer and its reference back to back, and the
    best round of each counts (each round's figures are kept in `rounds`).
    """
    figures: dict[str, Any] = {"size_mib": size // MIB, "small_files": small}
    figures["machine"] = machine()
    source = workdir / "source.bin"
    with open(source, "wb") as handle:
        for _ in range(0, size, 16 * MIB):
            handle.write(os.urandom(min(16 * MIB, size - handle.tell())))
    has_nginx = Nginx.binary() is not None
    has_wsgidav = WsgiDav.available()
    figures["peers"] = {"nginx": has_nginx, "wsgidav": has_wsgidav}
    rates: dict[str, list[float]] = {}
    growth: dict[str, float] = {}

    def rate(name: str, seconds: float, rss: PeakRss | None = None) -> None:
        rates.setdefault(name, []).append(mbps(size, seconds))
        if rss is not None:
            growth[name] = max(growth.get(name, 0.0), rss.growth_mib)

    with contextlib.ExitStack() as servers:
        durable = servers.enter_context(Folio(workdir, durable=True))
        throwaway = servers.enter_context(Folio(workdir, durable=False))
        nginx = servers.enter_context(Nginx(workdir)) if has_nginx else None
        dav = servers.enter_context(WsgiDav(workdir)) if has_wsgidav else None
        download_id = 0
        for _ in range(rounds):
            rate("dd_fsync", dd_fsync(source, workdir / "dd.bin"))
            with PeakRss(durable.pid) as rss:
                seconds = folio_single(durable, source, size)
            rate("folio_single", seconds, rss)
            with PeakRss(durable.pid) as rss:
                seconds, file_id = folio_chunked(durable, source, size)
            rate("folio_chunked", seconds, rss)
            if download_id:
                folio_delete(durable, download_id)
            download_id = file_id
            if nginx is not None:
                rate("nginx_put", dav_put(nginx.port, "/big.bin", source, size))
            with PeakRss(throwaway.pid) as rss:
                seconds = folio_single(throwaway, source, size)
            rate("folio_nofsync_single", seconds, rss)
            path = f"/filehandler.ashx?action=download&fileid={download_id}"
            get(durable.port, path, durable.auth(), size)  # Warm the page cache.
            with PeakRss(durable.pid) as rss:
                seconds = get(durable.port, path, durable.auth(), size)
            rate("folio_download", seconds, rss)
            if nginx is not None:
                get(nginx.port, "/big.bin", {}, size)
                rate("nginx_get", get(nginx.port, "/big.bin", {}, size))
        for concurrency in (1, 16):
            key = f"small_c{concurrency}"
            figures["folio_" + key] = small_uploads(
                durable.port, small, concurrency, folio_small(durable)
            )
            if dav is not None:
                figures["wsgidav_" + key] = small_uploads(
                    dav.port, small, concurrency, dav_small("")
                )
            if nginx is not None:
                figures["nginx_" + key] = small_uploads(
                    nginx.port, small, concurrency, dav_small(f"/c{concurrency}")
                )
    for name, measured in rates.items():
        figures[name + "_mib_s"] = max(measured)
    for name, mib in growth.items():
        figures[name + "_rss_growth_mib"] = mib
    figures["rounds"] = rates
    figures["ratios"] = ratios(figures)
    return figures


_PAIRS = {
    "single_vs_dd_fsync": ("folio_single", "dd_fsync"),
    "chunked_vs_dd_fsync": ("folio_chunked", "dd_fsync"),
    "nofsync_single_vs_nginx_put": ("folio_nofsync_single", "nginx_put"),
    "download_vs_nginx_get": ("folio_download", "nginx_get"),
}


def ratios(f: dict[str, Any]) -> dict[str, float]:
    """Each ratio within each round (measured back to back), the median of them."""
    found: dict[str, float] = {}
    for name, (ours, theirs) in _PAIRS.items():
        if theirs in f["rounds"]:
            pairs = zip(f["rounds"][ours], f["rounds"][theirs], strict=True)
            found[name] = statistics.median(a / b for a, b in pairs)
    if "wsgidav_small_c16" in f:
        found["small_c16_vs_wsgidav"] = (
            f["folio_small_c16"]["per_second"] / f["wsgidav_small_c16"]["per_second"]
        )
    return found


TARGETS = {
    "single_vs_dd_fsync": 0.8,
    "chunked_vs_dd_fsync": 0.7,
    "nofsync_single_vs_nginx_put": 0.7,
    "download_vs_nginx_get": 0.8,
    "small_c16_vs_wsgidav": 2.0,
}


def report(f: dict[str, Any]) -> str:
    size = f["size_mib"]
    lines = [
        f"Transfers of {size} MiB (best of {len(f['rounds']['dd_fsync'])} rounds) "
        f"and {f['small_files']} files of 4 KiB "
        f"({f['machine']['cpus']} CPUs, {f['machine']['cpu']}, load at start "
        f"{f['machine']['load_average_at_start']})",
        "",
        f"{'measurement':44} {'MiB/s':>9}  {'peak RSS +MiB':>13}",
        f"{'dd with fsync (the disk)':44} {f['dd_fsync_mib_s']:9.1f}",
    ]
    rows = [
        ("Folio upload, single request, durable", "folio_single"),
        ("Folio upload, 10 MiB chunks, durable", "folio_chunked"),
        ("Folio upload, single request, --no-fsync", "folio_nofsync_single"),
        ("Folio download", "folio_download"),
    ]
    for label, key in rows:
        lines.append(
            f"{label:44} {f[key + '_mib_s']:9.1f}  {f[key + '_rss_growth_mib']:13.1f}"
        )
    if "nginx_put_mib_s" in f:
        lines.append(f"{'nginx PUT (no fsync)':44} {f['nginx_put_mib_s']:9.1f}")
        lines.append(f"{'nginx GET':44} {f['nginx_get_mib_s']:9.1f}")
    lines += ["", f"{'4 KiB uploads':30} {'per s':>8} {'p50 ms':>8} {'p90 ms':>8} "
              f"{'p99 ms':>8}"]  # fmt: skip
    for server in ("folio", "nginx", "wsgidav"):
        for concurrency in (1, 16):
            key = f"{server}_small_c{concurrency}"
            if key in f:
                s = f[key]
                lines.append(
                    f"{server + ' c' + str(concurrency):30} {s['per_second']:8.0f} "
                    f"{s['p50_ms']:8.2f} {s['p90_ms']:8.2f} {s['p99_ms']:8.2f}"
                )
    lines += ["", f"{'ratio (median of the rounds)':34} {'measured':>9} {'target':>8}"]
    for name, value in f["ratios"].items():
        target = TARGETS[name]
        mark = "ok" if value >= target else "MISSED"
        lines.append(f"{name:34} {value:9.2f} {target:8.2f}  {mark}")
    for server, present in f["peers"].items():
        if not present:
            lines.append(f"({server} is not installed: its figures are missing)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="64 MiB, 200 files")
    parser.add_argument("--size-mib", type=int, default=None)
    parser.add_argument("--small", type=int, default=None, help="small uploads")
    parser.add_argument("--json", type=Path, default=None, help="write figures here")
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds of the large transfers"
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="scratch folder (default: a temp)"
    )
    options = parser.parse_args()
    size = (options.size_mib or (64 if options.quick else 1024)) * MIB
    small = options.small or (200 if options.quick else 2000)
    parent = options.workdir or Path(tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="folio-bench-", dir=parent))
    try:
        rounds = options.rounds or (1 if options.quick else 3)
        figures = run(size, small, workdir, rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(figures))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
