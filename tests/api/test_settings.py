"""Per-user file settings, Trash auto-cleanup, and the job that purges Trash."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docspace_api_sdk as sdk
import httpx
import pytest
from docspace_api_sdk.api.files.settings_api import SettingsApi as FilesSettingsApi
from space_helpers import listing, run_operation, stored_state, upload, used_space

from helpers import FolioServer

SETTINGS = "/api/2.0/files/settings"
AUTOCLEANUP = "/api/2.0/files/settings/autocleanup"


def test_files_settings_show_upload_limits_and_defaults(client: httpx.Client) -> None:
    answer = client.get(SETTINGS)
    assert answer.status_code == 200
    settings = answer.json()["response"]
    assert settings["chunkUploadSize"] == 10 * 1024 * 1024
    assert settings["maxUploadThreadCount"] == 15
    assert settings["automaticallyCleanUp"] == {"isAutoCleanUp": True, "gap": 4}
    assert settings["recentSection"] is True
    assert ".docx" in settings["extsDocument"]


@pytest.mark.parametrize("gap", range(1, 7))
def test_autocleanup_set_with_a_gap_is_echoed(client: httpx.Client, gap: int) -> None:
    for _ in range(2):
        answer = client.put(AUTOCLEANUP, json={"set": True, "gap": gap})
        assert answer.status_code == 200
        assert answer.json()["response"] == {"isAutoCleanUp": True, "gap": gap}
    assert client.get(AUTOCLEANUP).json()["response"] == {
        "isAutoCleanUp": True,
        "gap": gap,
    }
    assert client.get(SETTINGS).json()["response"]["automaticallyCleanUp"] == {
        "isAutoCleanUp": True,
        "gap": gap,
    }


def test_autocleanup_variants_of_the_request(client: httpx.Client) -> None:
    client.put(AUTOCLEANUP, json={"set": True, "gap": 2})
    off = client.put(AUTOCLEANUP, json={"set": False}).json()["response"]
    assert off["isAutoCleanUp"] is False
    on_again = client.put(AUTOCLEANUP, json={"set": True}).json()["response"]
    assert on_again == {"isAutoCleanUp": True, "gap": 2}
    gap_only = client.put(AUTOCLEANUP, json={"gap": 5}).json()["response"]
    assert gap_only["gap"] == 5
    no_body = client.put(AUTOCLEANUP)
    assert no_body.status_code == 200
    assert isinstance(no_body.json()["response"]["isAutoCleanUp"], bool)
    assert client.put(AUTOCLEANUP, json={"set": True, "gap": 7}).status_code == 400


def test_autocleanup_is_per_user(
    client: httpx.Client, other_client: httpx.Client
) -> None:
    client.put(AUTOCLEANUP, json={"set": False, "gap": 1})
    assert other_client.get(AUTOCLEANUP).json()["response"] == {
        "isAutoCleanUp": True,
        "gap": 4,
    }


def test_trash_items_show_when_the_users_setting_purges_them(
    client: httpx.Client,
) -> None:
    file = upload(client, "@my", "t.txt", b"t")
    run_operation(client, "DELETE", f"/api/2.0/files/file/{file['id']}", {})
    client.put(AUTOCLEANUP, json={"set": True, "gap": 1})
    (item,) = listing(client, "@trash")["files"]
    purge_at = datetime.fromisoformat(item["autoDelete"].replace("0Z", "+00:00"))
    trashed = datetime.fromisoformat(item["updated"].replace("0Z", "+00:00"))
    assert abs(purge_at - trashed - timedelta(days=7)) < timedelta(seconds=5)
    client.put(AUTOCLEANUP, json={"set": False})
    assert "autoDelete" not in listing(client, "@trash")["files"][0]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/2.0/files/storeoriginal", "storeOriginalFiles"),
        ("/api/2.0/files/displayrecent", "recentSection"),
        ("/api/2.0/files/displayfileextension", "displayFileExtension"),
        ("/api/2.0/files/keepnewfilename", "keepNewFileName"),
        ("/api/2.0/files/settings/openeditorinsametab", "openEditorInSameTab"),
    ],
)
def test_toggles_echo_and_show_in_settings(
    client: httpx.Client, path: str, field: str
) -> None:
    for value in (True, True, False, False, True):
        answer = client.put(path, json={"set": value})
        assert (answer.status_code, answer.json()["response"]) == (200, value)
        assert client.get(SETTINGS).json()["response"][field] is value
    no_body = client.put(path)
    assert isinstance(no_body.json()["response"], bool)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/2.0/files/forcesave", "forcesave"),
        ("/api/2.0/files/storeforcesave", "storeForcesave"),
    ],
)
def test_forcesave_toggles_flip(client: httpx.Client, path: str, field: str) -> None:
    first = client.put(path).json()["response"]
    second = client.put(path).json()["response"]
    assert first is not second
    assert client.get(SETTINGS).json()["response"][field] is second


def test_settings_through_the_official_sdk(sdk_client: sdk.ApiClient) -> None:
    # The SDK exports three classes named SettingsApi; the Files one is not the
    # one left at the package's top level.
    settings = FilesSettingsApi(sdk_client)
    changed = settings.change_automatically_clean_up(
        sdk.AutoCleanupRequestDto(set=True, gap=sdk.DateToAutoCleanUp.TwoWeeks)
    ).response
    assert (changed.is_auto_clean_up, changed.gap) == (True, 2)
    assert settings.get_automatically_clean_up().response.gap == 2
    full = settings.get_files_settings().response
    assert (full.chunk_upload_size, full.max_upload_thread_count) == (
        10 * 1024 * 1024,
        15,
    )
    assert full.automatically_clean_up.gap == 2
    assert settings.store_original(sdk.SettingsRequestDto(set=False)).response is False
    assert settings.display_recent(sdk.DisplayRequestDto(set=True)).response is True
    assert (
        settings.display_file_extension(sdk.SettingsRequestDto(set=True)).response
        is True
    )
    assert (
        settings.keep_new_file_name(sdk.SettingsRequestDto(set=True)).response is True
    )
    assert (
        settings.set_open_editor_in_same_tab(sdk.SettingsRequestDto(set=True)).response
        is True
    )
    assert isinstance(settings.forcesave().response, bool)
    assert isinstance(settings.store_forcesave().response, bool)


# The purge job, on a server of its own that looks at Trash every second.


@pytest.fixture
def quick_cleanup(tmp_path: Path) -> Iterator[FolioServer]:
    server = FolioServer(tmp_path / "data", env={"FOLIO_TRASH_CLEANUP_INTERVAL": "1"})
    server.start()
    yield server
    server.stop()


def _backdate(server: FolioServer, entry_id: int, days: int) -> None:
    """Pretend an item went to Trash `days` ago."""
    moment = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)
    with sqlite3.connect(server.data_dir / "folio.db", timeout=30) as db:
        db.execute(
            "UPDATE entries SET trashed_at = ? WHERE id = ?",
            (moment.isoformat(sep=" "), entry_id),
        )


def test_cleanup_job_purges_expired_trash_items(quick_cleanup: FolioServer) -> None:
    keeper, careless = quick_cleanup.new_user(), quick_cleanup.new_user()
    with (
        quick_cleanup.client(careless.key) as mine,
        quick_cleanup.client(keeper.key) as theirs,
    ):
        mine.put(AUTOCLEANUP, json={"set": True, "gap": 1})
        theirs.put(AUTOCLEANUP, json={"set": False})
        old = upload(mine, "@my", "old.txt", b"old" * 100)
        recent = upload(mine, "@my", "recent.txt", b"recent")
        kept = upload(theirs, "@my", "kept.txt", b"kept")
        for client, file in ((mine, old), (mine, recent), (theirs, kept)):
            run_operation(client, "DELETE", f"/api/2.0/files/file/{file['id']}", {})
        before = used_space(mine)
        _backdate(quick_cleanup, old["id"], days=8)
        _backdate(quick_cleanup, recent["id"], days=6)
        _backdate(quick_cleanup, kept["id"], days=400)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if [f["title"] for f in listing(mine, "@trash")["files"]] == ["recent.txt"]:
                break
            time.sleep(0.2)
        assert [f["title"] for f in listing(mine, "@trash")["files"]] == ["recent.txt"]
        assert [f["title"] for f in listing(theirs, "@trash")["files"]] == ["kept.txt"]
        assert used_space(mine) == before - 300
        size, referenced, on_disk = stored_state(quick_cleanup, careless.user_id)
        assert size == used_space(mine)
        assert on_disk <= referenced
