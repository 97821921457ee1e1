"""The pytest plugin, as an integration's test suite uses it: in its own pytest run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _run_pytest(
    tmp_path: Path, source: str, *args: str
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_integration.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "folio.testing.plugin",
         "-p", "no:cacheprovider", "-q", *args, str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_plugin_gives_each_test_a_fresh_portal_with_url_and_key(tmp_path: Path) -> None:
    result = _run_pytest(
        tmp_path,
        """
        import httpx

        seen = []

        def test_first(folio_portal, folio_client):
            made = folio_client.post("/api/2.0/files/@my/file", json={"title": "A"})
            assert made.status_code == 200
            listing = folio_client.get("/api/2.0/files/@my").json()["response"]
            assert listing["total"] == 1
            seen.append(folio_portal.name)

        def test_second(folio_portal):
            # What the code under test gets: a base URL and an API key.
            answer = httpx.get(
                folio_portal.url + "/api/2.0/files/@my",
                headers={"Authorization": "Bearer " + folio_portal.api_key},
            )
            assert answer.json()["response"]["total"] == 0
            assert folio_portal.name not in seen
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_plugin_starts_nothing_for_tests_that_use_no_fixture(tmp_path: Path) -> None:
    result = _run_pytest(
        tmp_path,
        """
        import sys
        import threading

        def test_plain():
            assert "folio.api.app" not in sys.modules
            assert "folio-emulator" not in [t.name for t in threading.enumerate()]
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_plugin_runs_the_emulator_as_a_subprocess_when_asked(tmp_path: Path) -> None:
    result = _run_pytest(
        tmp_path,
        """
        import sys

        def test_portal(folio_portal, folio_client):
            assert "folio.api.app" not in sys.modules
            me = folio_client.get("/api/2.0/people/@self").json()["response"]
            assert me["id"] == folio_portal.owner_id and me["isOwner"]
        """,
        "--folio-mode=subprocess",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
