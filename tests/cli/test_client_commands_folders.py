"""The client commands that change folders: mkdir, mv, cp, restore, versions, trash."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import helpers
from folio.cli.main import main

Run = Callable[..., Result]


@pytest.fixture
def folio(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: helpers.FolioServer,
    user: helpers.TestUser,
) -> Iterator[Run]:
    """Run `folio …` in-process as a user, with files to upload in the cwd."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("FOLIO_URL", server.url)
    monkeypatch.setenv("FOLIO_API_KEY", user.key)
    monkeypatch.chdir(tmp_path)
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(name.encode())

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args))

    yield invoke


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _names(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [line.split()[1] for line in result.stdout.splitlines()[1:]]


def test_mkdir_with_parents_then_ls_by_path(folio: Run) -> None:
    made = folio("mkdir", "-p", "Projects/2026")
    folio("put", "a.txt", "--to", "Projects/2026")

    assert made.stdout.startswith("Created folder Projects/2026 (id ")
    assert _names(folio("ls")) == ["Projects/"]
    assert _names(folio("ls", "Projects/2026")) == ["a.txt"]
    assert _json(folio("ls", "Projects", "--json"))["folders"][0]["title"] == "2026"


def test_mkdir_of_a_missing_parent_exits_3_and_of_an_existing_folder_1(
    folio: Run,
) -> None:
    folio("mkdir", "Here")

    missing = folio("mkdir", "Nowhere/Inner")
    taken = folio("mkdir", "Here")

    assert missing.exit_code == 3
    assert missing.stderr == "Error: There is no 'Nowhere' in My documents\n"
    assert (taken.exit_code, taken.stderr) == (1, "Error: Here already exists\n")


def test_mv_and_cp_into_a_folder(folio: Run) -> None:
    folio("mkdir", "Box")
    folio("put", "a.txt", "b.txt")

    moved = folio("mv", "a.txt", "Box")
    copied = folio("cp", "b.txt", "Box", "--json")

    assert moved.stdout.strip() == "Moved 1 item to Box."
    assert _json(copied)["Operation"] == 1
    assert _names(folio("ls")) == ["Box/", "b.txt"]
    assert _names(folio("ls", "Box")) == ["a.txt", "b.txt"]


def test_mv_into_a_file_is_refused(folio: Run) -> None:
    folio("put", "a.txt", "b.txt")

    result = folio("mv", "a.txt", "b.txt")

    assert (result.exit_code, result.stderr) == (
        1,
        "Error: b.txt is a file, not a folder\n",
    )


def test_rm_restore_and_empty_trash(folio: Run) -> None:
    folio("mkdir", "Docs")
    folio("put", "a.txt", "--to", "Docs")
    folio("put", "b.txt")
    folio("rm", "Docs/a.txt", "b.txt")

    restored = folio("restore", "a.txt")
    emptied = folio("trash", "--empty")

    assert restored.stdout.strip() == "Restored 1 item."
    assert _names(folio("ls", "Docs")) == ["a.txt"]
    assert emptied.stdout.strip() == "Emptied Trash."
    assert folio("trash").stdout.strip() == "Trash is empty."


def test_restore_of_something_not_in_trash_exits_3(folio: Run) -> None:
    result = folio("restore", "nothing.txt")

    assert result.exit_code == 3
    assert result.stderr == "Error: There is no 'nothing.txt' in Trash\n"


def test_versions_lists_newest_first(folio: Run, tmp_path: Path) -> None:
    folio("put", "a.txt")
    (tmp_path / "a.txt").write_bytes(b"longer content")
    folio("put", "a.txt")

    lines = folio("versions", "a.txt").stdout.splitlines()
    data = _json(folio("versions", "a.txt", "--json"))

    assert lines[0].split() == ["VERSION", "SIZE", "MODIFIED", "AUTHOR", "COMMENT"]
    assert [line.split()[0] for line in lines[1:]] == ["2", "1"]
    assert [v["version"] for v in data] == [2, 1]
