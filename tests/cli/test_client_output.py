"""How the client commands format things for people, and what they import."""

from __future__ import annotations

import ast
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import folio.cli
from folio.cli.output import ProgressBar, human_size, relative_date, table

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (1536, "1.5 KB"),
     (10 * 1024 * 1024, "10 MB"), (5 * 1024**3 + 1, "5 GB")],
)  # fmt: skip
def test_human_size_uses_binary_units_and_few_digits(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("ago", "text"),
    [(timedelta(seconds=5), "just now"), (timedelta(minutes=1), "1 minute ago"),
     (timedelta(minutes=42), "42 minutes ago"), (timedelta(hours=3), "3 hours ago"),
     (timedelta(hours=30), "yesterday"), (timedelta(days=12), "12 days ago"),
     (timedelta(seconds=-30), "just now")],
)  # fmt: skip
def test_relative_date_reads_like_speech(ago: timedelta, text: str) -> None:
    assert relative_date(NOW - ago, now=NOW) == text


def test_relative_date_of_an_old_moment_is_the_date() -> None:
    assert relative_date(datetime(2025, 1, 2, 12, tzinfo=UTC), now=NOW) == "2025-01-02"
    assert relative_date(None) == ""


def test_table_aligns_columns_and_right_aligns_numbers() -> None:
    rows = [["7", "a.txt", "5 B"], ["1234", "b", "12 KB"]]

    text = table(["ID", "NAME", "SIZE"], rows, right=(0, 2))

    assert text.splitlines() == [
        "  ID  NAME    SIZE",
        "   7  a.txt    5 B",
        "1234  b      12 KB",
    ]


def test_progress_bar_draws_on_a_terminal_and_ends_its_line() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar("big.bin", screen)

    bar(512, 1024)
    bar(1024, 1024)
    bar.close()

    assert "\rbig.bin [############------------]  50% 512 B/1 KB" in screen.getvalue()
    assert screen.getvalue().endswith("100% 1 KB/1 KB\n")


def test_progress_bar_stays_silent_off_a_terminal() -> None:
    log = io.StringIO()
    bar = ProgressBar("quiet.bin", log)

    bar(10, 10)
    bar.close()

    assert log.getvalue() == ""


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_client_commands_use_only_the_client_of_folio() -> None:
    cli = Path(folio.cli.__file__).parent
    for name in ("remote.py", "output.py", "userconfig.py"):
        server_side = {
            module
            for module in _imports(cli / name)
            if module.split(".")[0] == "folio"
            and not module.startswith(("folio.client", "folio.cli.output",
                                       "folio.cli.userconfig"))
        }  # fmt: skip
        assert server_side == set(), f"{name} imports {server_side}"
