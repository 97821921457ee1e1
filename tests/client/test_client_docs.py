"""The examples of docs/client.md marked as tested run against a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import helpers
from folio.client import Folio

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"


def _tested_examples() -> list[str]:
    text = DOC.read_text()
    return re.findall(r"<!-- tested -->\n```python\n(.*?)```", text, re.DOTALL)


def test_docs_have_a_tested_example() -> None:
    assert len(_tested_examples()) >= 1


def test_four_operations_example_runs_and_does_what_it_says(
    server: helpers.FolioServer, user: helpers.TestUser, tmp_path: Path
) -> None:
    (example,) = _tested_examples()
    env = {**os.environ, "FOLIO_URL": server.url, "FOLIO_API_KEY": user.key}

    done = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "My documents holds 0 entries"
    assert lines[1].startswith("Uploaded report.txt: 18 bytes, id ")
    assert lines[2].startswith("Created Plan.docx (")
    assert lines[3:] == [
        "Deleted 1 item, finished: True",
        "As expected: The required file was not found",
    ]
    with Folio(server.url, user.key) as folio:
        assert [f.title for f in folio.my_documents().files] == ["Plan.docx"]
        assert [f.title for f in folio.trash().files] == ["report.txt"]
