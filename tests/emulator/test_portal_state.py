"""Reset, snapshot, restore and seed: a portal's whole state, content included."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from folio.persistence.portals import GLOBAL_TABLES, portal_tables, unscoped_tables
from folio.persistence.tables import metadata
from folio.testing import Emulator, Portal
from helpers import FolioServer


def _titles(http: httpx.Client, folder: str = "@my") -> list[str]:
    listing = http.get(f"/api/2.0/files/{folder}", params={"sortBy": "AZ"})
    assert listing.status_code == 200
    content = listing.json()["response"]
    return [e["title"] for e in content["folders"] + content["files"]]


def _upload(http: httpx.Client, title: str, data: bytes) -> dict[str, Any]:
    answer = http.post("/api/2.0/files/@my/upload", files={"file": (title, data)})
    assert answer.status_code == 200
    return dict(answer.json()["response"][0])


def _download(http: httpx.Client, file_id: int) -> httpx.Response:
    return http.get(
        "/filehandler.ashx", params={"action": "download", "fileid": file_id}
    )


def _delete_for_good(http: httpx.Client, file_id: int) -> None:
    started = http.request(
        "DELETE", f"/api/2.0/files/file/{file_id}", json={"immediately": True}
    )
    operation_id = started.json()["response"][0]["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = http.get("/api/2.0/files/fileops", params={"id": operation_id})
        if any(op["finished"] for op in statuses.json()["response"]):
            return
        time.sleep(0.02)
    raise TimeoutError("the delete did not finish")


def test_every_table_belongs_to_a_portal_or_is_global() -> None:
    assert unscoped_tables() == []
    covered = {table.name for table in portal_tables()}
    assert {"users", "entries", "file_versions", "api_keys", "upload_chunks"} <= covered
    assert covered.isdisjoint(GLOBAL_TABLES | {"portal_snapshots", "snapshot_blobs"})
    assert covered | GLOBAL_TABLES | {"portal_snapshots", "snapshot_blobs"} == set(
        metadata.tables
    )


def test_reset_wipes_the_portal_but_keeps_its_owner_and_key(
    portal: Portal, owner: httpx.Client
) -> None:
    my_id = owner.get("/api/2.0/files/@my").json()["response"]["current"]["id"]
    _upload(owner, "notes.txt", b"some words")
    member = portal.add_user(type="User")

    answer = owner.post("/_folio/reset")
    assert (answer.status_code, answer.json()) == (200, {"reset": True})

    listing = owner.get("/api/2.0/files/@my").json()["response"]
    assert (listing["total"], listing["current"]["id"]) == (0, my_id)
    assert listing["current"]["filesCount"] == 0
    assert owner.get("/api/2.0/files/@trash").json()["response"]["total"] == 0
    assert owner.get("/api/2.0/people/@self").json()["response"]["usedSpace"] == 0
    with portal.client(member.api_key) as as_member:
        assert as_member.get("/api/2.0/files/@my").status_code == 401
    keys = owner.get("/api/2.0/keys").json()["response"]
    assert {key["createBy"]["id"] for key in keys} == {portal.owner_id}


def test_snapshot_and_restore_round_trip_ids_titles_and_content(
    portal: Portal, owner: httpx.Client
) -> None:
    kept = _upload(owner, "kept.txt", b"version one")
    _upload(owner, "kept.txt", b"version two")  # same title: a new version
    member = portal.add_user(type="User")
    assert owner.post("/_folio/snapshot", json={"name": "seeded"}).json() == {
        "snapshot": "seeded"
    }

    # Change everything: a new file, a file deleted for good, a member gone.
    _upload(owner, "later.txt", b"after the snapshot")
    _delete_for_good(owner, kept["id"])
    owner.post("/_folio/reset")
    assert _titles(owner) == []

    assert owner.post("/_folio/restore", json={"name": "seeded"}).json() == {
        "restored": "seeded"
    }
    assert _titles(owner) == ["kept.txt"]
    info = owner.get(f"/api/2.0/files/file/{kept['id']}").json()["response"]
    assert info["version"] == 2
    assert _download(owner, kept["id"]).content == b"version two"
    first = owner.get(
        "/filehandler.ashx",
        params={"action": "download", "fileid": kept["id"], "version": 1},
    )
    assert first.content == b"version one"
    with portal.client(member.api_key) as as_member:
        assert as_member.get("/api/2.0/people/@self").json()["response"]["id"] == (
            member.id
        )

    # The snapshot stays: a second round trip lands on the same state.
    _upload(owner, "again.txt", b"x")
    owner.post("/_folio/restore", json={"name": "seeded"})
    assert _titles(owner) == ["kept.txt"]
    assert owner.get("/_folio/snapshots").json() == {"snapshots": ["seeded"]}


def test_snapshot_of_the_same_name_replaces_the_old_one(owner: httpx.Client) -> None:
    _upload(owner, "one.txt", b"1")
    owner.post("/_folio/snapshot", json={"name": "state"})
    _upload(owner, "two.txt", b"2")
    owner.post("/_folio/snapshot", json={"name": "state"})
    owner.post("/_folio/reset")
    owner.post("/_folio/restore", json={"name": "state"})
    assert _titles(owner) == ["one.txt", "two.txt"]


def test_restore_of_an_unknown_snapshot_is_404_and_changes_nothing(
    owner: httpx.Client,
) -> None:
    _upload(owner, "stays.txt", b"x")
    answer = owner.post("/_folio/restore", json={"name": "never-saved"})
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "The snapshot was not found"
    assert _titles(owner) == ["stays.txt"]
    nameless = owner.post("/_folio/snapshot", json={})
    assert nameless.status_code == 400


def test_snapshots_are_per_portal(owner: httpx.Client, second_portal: Portal) -> None:
    owner.post("/_folio/snapshot", json={"name": "mine"})
    with second_portal.client() as second:
        assert second.post("/_folio/restore", json={"name": "mine"}).status_code == 404
        assert second.get("/_folio/snapshots").json() == {"snapshots": []}


def test_content_a_snapshot_refers_to_survives_the_orphan_sweep(
    tmp_path: Path,
) -> None:
    server = FolioServer(tmp_path / "data", env={"FOLIO_EMULATOR": "true"})
    server.start()
    try:
        # The server's own portal, so that a restart finds the single portal.
        assert server.owner_key is not None
        emulator = Emulator(server.url, lambda: None, None)
        portal = Portal(emulator, "default", "", "", "", server.owner_key)
        with emulator:
            with portal.client() as owner:
                file = _upload(owner, "precious.txt", b"keep me")
                owner.post("/_folio/snapshot", json={"name": "before"})
                _delete_for_good(owner, file["id"])
        # The sweep of orphaned content runs at every start.
        server.stop()
        server.start()
        with portal.client() as owner:
            owner.post("/_folio/restore", json={"name": "before"})
            assert _download(owner, file["id"]).content == b"keep me"
            # Without a snapshot naming it, deleted content is swept away.
            owner.post("/_folio/reset")
            gone = _upload(owner, "gone.txt", b"bye")
            _delete_for_good(owner, gone["id"])
        content = list((tmp_path / "data" / "content" / "objects").rglob("*"))
        stored = {path.read_bytes() for path in content if path.is_file()}
        assert b"keep me" in stored
        assert b"bye" not in stored
    finally:
        server.stop()


def test_seed_from_json_creates_users_folders_and_files(
    portal: Portal, owner: httpx.Client
) -> None:
    answer = owner.post(
        "/_folio/seed",
        json={
            "users": [
                {"email": "ann@example.com", "password": "pw", "type": "User"},
                {"email": "gus@example.com", "type": "Guest"},
            ],
            "folders": ["Projects/Empty"],
            "files": [
                {"path": "Projects/plan.txt", "content": "the plan"},
                {"path": "logo.png", "base64": base64.b64encode(b"\x89PNG").decode()},
                "Projects/Budget.xlsx",
                {"path": "Ann's.txt", "content": "hers", "user": "ann@example.com"},
            ],
        },
    )
    assert answer.status_code == 200
    created = answer.json()
    assert [u["email"] for u in created["users"]] == [
        "ann@example.com",
        "gus@example.com",
    ]
    assert [f["path"] for f in created["folders"]] == ["Projects", "Projects/Empty"]
    assert _titles(owner) == ["Projects", "logo.png"]
    projects = next(f for f in created["folders"] if f["path"] == "Projects")
    assert _titles(owner, str(projects["id"])) == ["Empty", "Budget.xlsx", "plan.txt"]
    plan = next(f for f in created["files"] if f["path"] == "Projects/plan.txt")
    assert _download(owner, plan["id"]).content == b"the plan"
    budget = next(f for f in created["files"] if f["title"] == "Budget.xlsx")
    assert (
        owner.get(f"/api/2.0/files/file/{budget['id']}").json()["response"][
            "pureContentLength"
        ]
        > 0
    )

    with portal.client(anonymous=True) as anonymous:
        token = anonymous.post(
            "/api/2.0/authentication",
            json={"userName": "ann@example.com", "password": "pw"},
        ).json()["response"]["token"]
    with portal.client(anonymous=True, headers={"Authorization": token}) as ann:
        assert _titles(ann) == ["Ann's.txt"]


def test_seed_from_a_folder_on_disk(owner: httpx.Client, tmp_path: Path) -> None:
    (tmp_path / "tree" / "docs" / "deep").mkdir(parents=True)
    (tmp_path / "tree" / "readme.md").write_text("# hello")
    (tmp_path / "tree" / "docs" / "a.txt").write_bytes(b"A")
    (tmp_path / "tree" / "docs" / "deep" / "b.txt").write_bytes(b"B")

    answer = owner.post("/_folio/seed", json={"directory": str(tmp_path / "tree")})
    assert answer.status_code == 200
    created = answer.json()
    assert sorted(f["path"] for f in created["files"]) == [
        "docs/a.txt",
        "docs/deep/b.txt",
        "readme.md",
    ]
    assert _titles(owner) == ["docs", "readme.md"]
    deep = next(f for f in created["files"] if f["path"] == "docs/deep/b.txt")
    assert _download(owner, deep["id"]).content == b"B"
    folders = owner.get("/api/2.0/files/@my").json()["response"]["current"]
    assert (folders["filesCount"], folders["foldersCount"]) == (3, 2)


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"users": [{"type": "User"}]}, id="user-without-email"),
        pytest.param({"users": [{"email": "a@b.c", "type": "Boss"}]}, id="bad-type"),
        pytest.param({"folders": ["../up"]}, id="path-climbs-out"),
        pytest.param({"files": [{"path": "x.bin", "base64": "%%%"}]}, id="bad-base64"),
        pytest.param({"files": "not-a-list"}, id="files-not-a-list"),
        pytest.param({"directory": "/no/such/folder"}, id="missing-directory"),
    ],
)
def test_malformed_seed_is_refused_with_400_and_changes_nothing(
    owner: httpx.Client, spec: dict[str, Any]
) -> None:
    answer = owner.post("/_folio/seed", json={"folders": ["Should-Not-Exist"], **spec})
    assert answer.status_code == 400
    assert answer.json()["status"] == 1
    assert _titles(owner) == []
