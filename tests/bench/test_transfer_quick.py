"""The transfer benchmark keeps working: its quick mode runs and yields figures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "transfer.py"


def test_quick_benchmark_produces_every_figure(tmp_path: Path) -> None:
    figures_path = tmp_path / "figures.json"

    finished = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(figures_path),
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, env=os.environ.copy(),
    )  # fmt: skip

    assert finished.returncode == 0, finished.stderr[-3000:]
    figures = json.loads(figures_path.read_text())
    assert figures["size_mib"] == 64
    assert figures["small_files"] == 200
    for name in (
        "dd_fsync_mib_s",
        "folio_single_mib_s",
        "folio_chunked_mib_s",
        "folio_nofsync_single_mib_s",
        "folio_download_mib_s",
    ):
        assert figures[name] > 0, name
    for name in ("folio_small_c1", "folio_small_c16"):
        small = figures[name]
        assert small["per_second"] > 0
        assert 0 < small["p50_ms"] <= small["p90_ms"] <= small["p99_ms"]
    # Memory stays flat: a 64 MiB transfer may not grow the server by its size.
    assert figures["folio_single_rss_growth_mib"] < 64
    assert figures["folio_download_rss_growth_mib"] < 64
    assert "ratio" in finished.stdout
    # CI installs nginx (Debian's nginx-light); elsewhere it may be missing.
    if (
        os.environ.get("CI")
        or shutil.which("nginx")
        or Path("/usr/sbin/nginx").exists()
    ):
        assert figures["nginx_put_mib_s"] > 0
        assert figures["nginx_get_mib_s"] > 0
        assert "download_vs_nginx_get" in figures["ratios"]
    assert figures["peers"]["wsgidav"] is True
    assert figures["wsgidav_small_c16"]["per_second"] > 0
    assert "small_c16_vs_wsgidav" in figures["ratios"]
