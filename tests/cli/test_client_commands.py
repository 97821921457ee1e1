"""The client commands of `folio` against a real server: output, JSON, exit codes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import helpers
from folio.cli.main import main

Run = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and state folders of a user who has never logged in."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("FOLIO_URL", raising=False)
    monkeypatch.delenv("FOLIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(home: Path) -> Run:
    """Run `folio …` in-process, with no login stored."""

    def invoke(
        *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return CliRunner().invoke(main, list(args), input=input, env=env)

    return invoke


@pytest.fixture
def logged_in(
    run: Run, server: helpers.FolioServer, user: helpers.TestUser
) -> Iterator[Run]:
    """Run `folio …` after `folio login` with the user's key."""
    done = run("login", server.url, "--key", user.key)
    assert done.exit_code == 0, done.output
    yield run


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_login_stores_url_and_key_readable_by_the_user_alone(
    run: Run, home: Path, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    result = run("login", server.url, "--key", user.key)

    config = home / "config" / "folio" / "config.json"
    assert result.exit_code == 0
    assert f"Logged in to {server.url} as Test User <{user.email}>." in result.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text()) == {"url": server.url, "key": user.key}
    assert run("whoami").stdout.startswith(f"Test User <{user.email}>")


def test_login_with_a_password_creates_and_stores_a_key(
    run: Run, home: Path, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    result = run("login", server.url, "--email", user.email, input=user.password + "\n")

    stored = json.loads((home / "config" / "folio" / "config.json").read_text())
    assert result.exit_code == 0, result.output
    assert stored["key"].startswith("sk-") and stored["key"] != user.key
    assert user.password not in json.dumps(stored)
    assert _json(run("whoami", "--json"))["profile"]["email"] == user.email


def test_login_with_a_wrong_key_exits_4_and_stores_nothing(
    run: Run, home: Path, server: helpers.FolioServer
) -> None:
    result = run("login", server.url, "--key", "sk-" + "0" * 64)

    assert result.exit_code == 4
    assert result.stderr.startswith("Error: The server did not accept the credentials")
    assert not (home / "config" / "folio" / "config.json").exists()


def test_commands_without_a_login_exit_4_with_advice(run: Run) -> None:
    result = run("ls")

    assert result.exit_code == 4
    assert result.stderr.strip() == (
        "Error: No server to talk to: run `folio login`, or set FOLIO_URL and "
        "FOLIO_API_KEY"
    )


def test_flags_and_environment_override_the_stored_login(
    run: Run, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    assert run("login", server.url, "--key", user.key).exit_code == 0
    stranger = server.new_user(name="Other Person")

    by_flags = run("whoami", "--url", server.url, "--key", stranger.key)
    by_env = run("whoami", env={"FOLIO_URL": server.url, "FOLIO_API_KEY": stranger.key})

    assert by_flags.stdout.startswith("Other Person")
    assert by_env.stdout.startswith("Other Person")
    assert run("whoami").stdout.startswith("Test User")


def test_put_ls_and_get_round_trip_a_file(logged_in: Run, home: Path) -> None:
    source = home / "report.txt"
    source.write_bytes(b"quarterly numbers\n")
    (home / "out").mkdir()

    put = logged_in("put", str(source))
    listing = logged_in("ls")
    got = logged_in("get", "report.txt", "-o", str(home / "out"))

    assert put.exit_code == 0
    assert put.stdout.startswith("Uploaded report.txt as report.txt (18 B, id ")
    header, row = listing.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "SIZE", "MODIFIED"]
    assert row.split()[1:] == ["report.txt", "18", "B", "just", "now"]
    assert got.stdout.startswith("Saved report.txt (18 B) to ")
    assert (home / "out" / "report.txt").read_bytes() == b"quarterly numbers\n"


def test_ls_lists_folders_first_then_files_by_name(logged_in: Run, home: Path) -> None:
    for name in ("b.txt", "a.txt"):
        (home / name).write_bytes(b"x")
        logged_in("put", str(home / name))
    logged_in("new", "Plan")

    names = [line.split()[1] for line in logged_in("ls").stdout.splitlines()[1:]]

    assert names == ["a.txt", "b.txt", "Plan.docx"]


def test_ls_json_carries_the_servers_objects(logged_in: Run, home: Path) -> None:
    (home / "data.csv").write_bytes(b"a,b\n1,2\n")
    logged_in("put", str(home / "data.csv"))

    data = _json(logged_in("ls", "--json"))

    assert isinstance(data, dict)
    assert data["folder"]["title"] == "My documents"
    assert data["total"] == 1
    assert [(f["title"], f["pureContentLength"]) for f in data["files"]] == [
        ("data.csv", 8)
    ]
    assert data["files"][0]["fileExst"] == ".csv"


def test_ls_of_an_empty_folder_says_so(logged_in: Run) -> None:
    assert logged_in("ls").stdout.strip() == "My documents is empty."


def test_put_json_lists_the_uploaded_files(logged_in: Run, home: Path) -> None:
    for name in ("one.txt", "two.txt"):
        (home / name).write_bytes(name.encode())

    data = _json(
        logged_in("put", str(home / "one.txt"), str(home / "two.txt"), "--json")
    )

    assert [f["title"] for f in data] == ["one.txt", "two.txt"]


def test_put_of_a_taken_name_adds_a_version_or_with_new_a_copy(
    logged_in: Run, home: Path
) -> None:
    (home / "draft.txt").write_bytes(b"1")
    logged_in("put", str(home / "draft.txt"))

    again = _json(logged_in("put", str(home / "draft.txt"), "--json"))
    copy = _json(logged_in("put", str(home / "draft.txt"), "--new", "--json"))

    assert again[0]["version"] == 2
    assert copy[0]["title"] == "draft (1).txt"


def test_get_to_standard_output_writes_only_the_bytes(
    logged_in: Run, home: Path
) -> None:
    (home / "note.txt").write_bytes(b"just this")
    logged_in("put", str(home / "note.txt"))

    result = logged_in("get", "note.txt", "-o", "-")

    assert result.exit_code == 0
    assert result.stdout_bytes == b"just this"


def test_get_by_id_into_the_current_folder(logged_in: Run, home: Path) -> None:
    (home / "src").mkdir()
    (home / "src" / "by-id.txt").write_bytes(b"id")
    uploaded = _json(logged_in("put", str(home / "src" / "by-id.txt"), "--json"))

    data = _json(logged_in("get", str(uploaded[0]["id"]), "--json"))

    assert (data["path"], data["bytes"]) == (str(home / "by-id.txt"), 2)
    assert data["file"]["title"] == "by-id.txt"
    assert (home / "by-id.txt").read_bytes() == b"id"


def test_new_creates_a_blank_document(logged_in: Run) -> None:
    result = logged_in("new", "Budget.xlsx")
    data = _json(logged_in("new", "Notes", "--json"))

    assert result.stdout.startswith("Created Budget.xlsx (id ")
    assert result.stdout.rstrip().endswith("in My documents.")
    assert data["title"] == "Notes.docx" and data["fileType"] == 7


def test_rm_moves_to_trash_and_trash_lists_where_from(
    logged_in: Run, home: Path
) -> None:
    (home / "old.txt").write_bytes(b"old")
    logged_in("put", str(home / "old.txt"))

    removed = logged_in("rm", "old.txt")
    listing = logged_in("trash")
    data = _json(logged_in("trash", "--json"))

    assert removed.stdout.strip() == "Moved 1 item to Trash."
    header, row = listing.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "SIZE", "DELETED", "FROM"]
    assert row.split()[1] == "old.txt" and row.endswith("My documents")
    assert [f["title"] for f in data["files"]] == ["old.txt"]
    assert logged_in("ls").stdout.strip() == "My documents is empty."


def test_rm_now_deletes_for_good(logged_in: Run, home: Path) -> None:
    (home / "gone.txt").write_bytes(b"x")
    logged_in("put", str(home / "gone.txt"))

    result = logged_in("rm", "--now", "gone.txt", "--json")

    assert _json(result)["Operation"] == 2
    assert logged_in("trash").stdout.strip() == "Trash is empty."


def test_whoami_shows_the_user_and_the_space_used(
    logged_in: Run, home: Path, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    (home / "k.bin").write_bytes(b"k" * 2048)
    logged_in("put", str(home / "k.bin"))

    lines = logged_in("whoami").stdout.splitlines()

    assert lines == [
        f"Test User <{user.email}>",
        f"Server: {server.url}",
        "Used:   2 KB of unlimited",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["ls", "Nowhere"], "There is no 'Nowhere' in My documents",
                     id="ls-missing-path"),
        pytest.param(["get", "gone.txt"], "There is no 'gone.txt' in My documents",
                     id="get-missing-path"),
        pytest.param(["rm", "999999999"], "Nothing has the id 999999999",
                     id="rm-missing-id"),
        pytest.param(["versions", "999999999"], "Nothing has the id 999999999",
                     id="versions-missing-id"),
    ],
)  # fmt: skip
def test_missing_items_exit_3_with_one_line(
    logged_in: Run, args: list[str], message: str
) -> None:
    result = logged_in(*args)

    assert result.exit_code == 3
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.output


def test_a_key_without_write_scope_exits_3_when_writing(
    run: Run, home: Path, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    from folio.client import Folio

    with Folio(server.url, user.key) as client:
        reader = client.create_api_key("reader", permissions=["files:read"]).key
    (home / "x.txt").write_bytes(b"x")
    assert run("login", server.url, "--key", reader).stdout.startswith(
        f"Logged in to {server.url}."
    )

    result = run("put", str(home / "x.txt"))

    assert run("ls").exit_code == 0
    assert result.exit_code == 3
    assert result.stderr == "Error: Access denied\n"


def test_usage_errors_exit_2(logged_in: Run) -> None:
    assert logged_in("put").exit_code == 2
    assert logged_in("put", "no-such-file.txt").exit_code == 2
    assert logged_in("mv", "only-one").exit_code == 2


def test_the_installed_command_prints_json_for_scripts(
    home: Path, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    env = {**os.environ, "FOLIO_URL": server.url, "FOLIO_API_KEY": user.key}

    done = subprocess.run(
        [sys.executable, "-m", "folio", "ls", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["folder"]["title"] == "My documents"
