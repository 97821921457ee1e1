"""How fast the emulator starts, and what a fresh portal per test costs.

    python bench/startup.py [--runs 5] [--portals 50]

Measures, for the pytest plugin's two ways of running the emulator:

- startup: from the start of a process to the first successful API answer
  (`folio serve --emulator --ephemeral` as a subprocess; and a Python process
  that starts the emulator in-process, as the plugin's default does);
- in-process start alone: `Emulator.start()` in a process that has Folio loaded;
- fresh portal: what the `folio_portal` fixture does per test, registration plus
  the owner's API key, and removing the portal after the test.

Prints a Markdown table. Only loopback traffic; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from folio.testing.emulator import Emulator, free_port  # noqa: E402

_IN_PROCESS = """
import time, httpx
from folio.testing.emulator import Emulator
emulator = Emulator.start("inprocess")
portal = emulator.new_portal()
with portal.client() as http:
    assert http.get("/api/2.0/people/@self").status_code == 200
print("ready", flush=True)
emulator.stop()
"""


def _first_answer(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.002)
    raise TimeoutError(f"no answer from {url}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def serve_startup() -> tuple[float, float]:
    """Seconds from `folio serve --emulator` starting to its first API answer, and
    the CPU seconds the server spent until it was stopped right after (a figure
    that other work on the machine inflates far less than the wall time)."""
    port = free_port()
    cpu_before = _children_cpu()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "folio", "serve", "--emulator", "--ephemeral",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
    )  # fmt: skip
    try:
        # The one portal a new emulator has answers requests that name none.
        _first_answer(f"http://127.0.0.1:{port}/api/2.0/authentication", started + 30)
        elapsed = time.monotonic() - started
    finally:
        process.kill()
        process.wait(timeout=15)
    return elapsed, _children_cpu() - cpu_before


def inprocess_startup() -> float:
    """Seconds from a Python process starting to its in-process emulator's first
    answer (to a request of a fresh portal's owner)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", _IN_PROCESS],
        stdout=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.monotonic() - started
    process.wait(timeout=15)
    if line.strip() != "ready":
        raise RuntimeError("the in-process emulator did not answer")
    return elapsed


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": src + (os.pathsep + path if path else "")}


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def portal_costs(emulator: Emulator, count: int) -> dict[str, list[float]]:
    """Per-test cost of a fresh portal: create (with the key) and delete."""
    costs: dict[str, list[float]] = {"create": [], "delete": [], "per test": []}
    for _ in range(count):
        started = time.perf_counter()
        portal = emulator.new_portal()
        created = time.perf_counter()
        portal.delete()
        ended = time.perf_counter()
        costs["create"].append(created - started)
        costs["delete"].append(ended - created)
        costs["per test"].append(ended - started)
    return costs


def _row(name: str, samples: list[float], unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"| {name} | {statistics.median(samples) * scale:.0f} {unit} "
        f"| {ordered[0] * scale:.0f} {unit} | {p95 * scale:.0f} {unit} "
        f"| {len(samples)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="process starts to time")
    parser.add_argument("--portals", type=int, default=50, help="portals to time")
    args = parser.parse_args()

    rows = ["| measure | median | best | p95 | runs |", "|---|---|---|---|---|"]
    serve = [serve_startup() for _ in range(args.runs)]
    rows.append(
        _row("startup, `folio serve --emulator` subprocess", [s[0] for s in serve])
    )
    rows.append(_row("… its CPU time to the first answer", [s[1] for s in serve]))
    inprocess = [inprocess_startup() for _ in range(args.runs)]
    rows.append(_row("startup, in-process (new Python process)", inprocess))

    starts = []
    for _ in range(args.runs):
        started = time.perf_counter()
        emulator = Emulator.start("inprocess")
        starts.append(time.perf_counter() - started)
        emulator.stop()
    rows.append(_row("`Emulator.start()` in-process, Folio loaded", starts))

    for mode in ("inprocess", "subprocess"):
        with Emulator.start(mode) as emulator:
            emulator.new_portal().delete()  # warm up connections and caches
            costs = portal_costs(emulator, args.portals)
        for name, samples in costs.items():
            rows.append(_row(f"fresh portal ({mode}): {name}", samples))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
