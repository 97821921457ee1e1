"""The client package: its exports, its independence from the server, its lifecycle."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import folio.client
from folio.client import Folio, Retry

CLIENT = Path(folio.client.__file__).parent


def test_all_lists_every_public_name_of_the_private_modules_sorted() -> None:
    exported = set(folio.client.__all__)
    declared: set[str] = set()
    for module in ("_client", "_errors", "_models", "_retry"):
        found = importlib.import_module(f"folio.client.{module}")
        declared |= set(found.__all__)

    assert declared <= exported
    assert folio.client.__all__ == sorted(folio.client.__all__)
    assert all(hasattr(folio.client, name) for name in exported)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_client_modules_import_nothing_else_of_folio() -> None:
    for path in CLIENT.glob("*.py"):
        foreign = {
            name
            for name in _imports(path)
            if name.split(".")[0] == "folio" and not name.startswith("folio.client")
        }
        assert foreign == set(), f"{path.name} imports {foreign}"


def test_importing_the_client_loads_no_server_module() -> None:
    code = (
        "import sys, folio.client\n"
        "print(sorted(m for m in sys.modules if m.startswith('folio')))\n"
        "print(sorted(m for m in ('starlette', 'sqlalchemy', 'uvicorn')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()

    loaded = eval(out[0])  # a printed list of names
    assert all(name == "folio" or name.startswith("folio.client") for name in loaded)
    assert eval(out[1]) == []


def test_closed_client_refuses_calls() -> None:
    client = Folio("http://127.0.0.1:9", "sk-x")
    client.close()
    client.close()

    with pytest.raises(RuntimeError, match="closed"):
        client.my_documents()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"url": "docs.example.com"}, "http", id="no-scheme"),
        pytest.param({"api_key": "k", "token": "t"}, "one of", id="two-credentials"),
        pytest.param({"email": "a@b.c"}, "both", id="email-without-password"),
    ],
)
def test_client_refuses_contradictory_settings(
    arguments: dict[str, str], message: str
) -> None:
    url = arguments.pop("url", "http://127.0.0.1:9")

    with pytest.raises(ValueError, match=message):
        Folio(url, **arguments)


def test_retry_delays_grow_but_stay_under_the_ceiling() -> None:
    policy = Retry(backoff=1.0, max_backoff=4.0)

    delays = [max(policy.delay(attempt) for _ in range(200)) for attempt in (1, 3, 8)]

    assert delays[0] <= 1.0 < delays[1] <= 4.0 and delays[2] <= 4.0
    assert policy.wait_for_status(429, 2.0, 1) is not None
    assert policy.wait_for_status(404, None, 1) is None


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from folio.client._errors import retry_after

    def answer(value: str) -> httpx.Response:
        headers = {"Retry-After": value, "Date": "Sun, 14 Jun 2026 10:00:00 GMT"}
        return httpx.Response(429, headers=headers)

    assert retry_after(answer("7")) == 7.0
    assert retry_after(answer("Sun, 14 Jun 2026 10:00:30 GMT")) == 30.0
    assert retry_after(answer("soon")) is None
    assert retry_after(httpx.Response(429)) is None
