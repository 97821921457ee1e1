"""Random sequences of uploads, versions, moves, copies, deletes, restores and
Trash emptying; after every step the space must add up.

After each step: the user's used space equals the bytes their versions hold on
disk, no content on disk is left without a version, and every file the model
knows (every listed file among them) downloads to the bytes last written to it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from space_helpers import (
    Json,
    create_folder,
    download,
    listing,
    my_id,
    run_operation,
    stored_state,
    upload,
    used_space,
)

import helpers
from helpers import Deployment, FolioServer

TITLES = ["a.txt", "b.txt", "c.bin"]
RESOLUTIONS = ["Skip", "Overwrite", "Duplicate"]
contents = st.binary(min_size=0, max_size=64)


class SpaceMachine(RuleBasedStateMachine):
    """One user's space, driven over HTTP, against a model of file contents."""

    server: FolioServer

    def __init__(self) -> None:
        super().__init__()
        self.person: helpers.TestUser = self.server.new_user()
        self.client = self.server.client(self.person.key)
        self.root = my_id(self.client)
        # file id -> the content of each of its versions, oldest first
        self.versions: dict[int, list[bytes]] = {}

    def teardown(self) -> None:
        self.client.close()

    # What is there now, as the server lists it

    def _live(self, filter_type: int) -> list[Json]:
        """Everything of one kind below My documents (filters search subfolders)."""
        found = listing(self.client, self.root, filterType=filter_type, count=100)
        return list(found["files"] if filter_type == 1 else found["folders"])

    def _live_folders(self) -> list[int]:
        return [self.root] + [folder["id"] for folder in self._live(2)]

    def _children(self, folder: int) -> list[Json]:
        found = listing(self.client, folder, count=100)
        return list(found["folders"] + found["files"])

    def _files_below(self, folder: int) -> dict[str, int]:
        """Files below a live folder by their path of titles."""
        paths: dict[str, int] = {}
        for child in self._children(folder):
            if child["fileEntryType"] == 1:
                for path, file_id in self._files_below(child["id"]).items():
                    paths[f"{child['title']}/{path}"] = file_id
            else:
                paths[child["title"]] = child["id"]
        return paths

    def _same_title(self, folder: int, title: str, kind: int) -> Json | None:
        for child in self._children(folder):
            if (
                child["fileEntryType"] == kind
                and child["title"].casefold() == title.casefold()
            ):
                return child
        return None

    def _set(self, file_id: int, content: bytes) -> None:
        self.versions.setdefault(file_id, []).append(content)

    # Rules

    @initialize(first=contents, second=contents, third=contents)
    def start(self, first: bytes, second: bytes, third: bytes) -> None:
        """Begin with something to work on: a folder, files, a second version."""
        folder = create_folder(self.client, self.root, "One")["id"]
        for where, title, content in (
            (self.root, "a.txt", first),
            (self.root, "a.txt", second),
            (folder, "b.txt", third),
            (folder, "c.bin", first),
        ):
            uploaded = upload(self.client, where, title, content)
            self._set(uploaded["id"], content)

    @rule(data=st.data(), title=st.sampled_from(TITLES), content=contents)
    def upload_file(self, data: st.DataObject, title: str, content: bytes) -> None:
        folder = data.draw(st.sampled_from(self._live_folders()), label="folder")
        uploaded = upload(self.client, folder, title, content)
        if uploaded["version"] == 1:
            self.versions[uploaded["id"]] = []
        self._set(uploaded["id"], content)

    @rule(data=st.data(), title=st.sampled_from(["One", "Two", "Three"]))
    def make_folder(self, data: st.DataObject, title: str) -> None:
        parent = data.draw(st.sampled_from(self._live_folders()), label="parent")
        create_folder(self.client, parent, title)

    @precondition(lambda self: bool(self.versions))
    @rule(data=st.data())
    def restore_version(self, data: st.DataObject) -> None:
        files = self._live(1)
        if not files:
            return
        file = data.draw(st.sampled_from(files), label="file")
        history = self.versions[file["id"]]
        wanted = data.draw(st.integers(1, len(history) + 1), label="version")
        answer = self.client.put(
            f"/api/2.0/files/file/{file['id']}", json={"lastVersion": wanted}
        )
        if wanted == len(history):
            assert answer.status_code == 400
            return
        assert answer.status_code == 200, answer.text
        self._set(file["id"], history[min(wanted, len(history)) - 1])

    @rule(data=st.data(), copy=st.booleans(), resolution=st.sampled_from(RESOLUTIONS))
    def move_or_copy_file(
        self, data: st.DataObject, copy: bool, resolution: str
    ) -> None:
        files = self._live(1)
        if not files:
            return
        file = data.draw(st.sampled_from(files), label="file")
        dest = data.draw(st.sampled_from(self._live_folders()), label="dest")
        clash = None
        if resolution != "Duplicate":
            clash = self._same_title(dest, file["title"], 2)
        done = run_operation(
            self.client,
            "PUT",
            f"/api/2.0/files/fileops/{'copy' if copy else 'move'}",
            {
                "fileIds": [file["id"]],
                "destFolderId": dest,
                "conflictResolveType": resolution,
            },
        )
        assert done["error"] == ""
        source = self.versions[file["id"]][-1]
        if clash is None:
            if copy:
                (made,) = done["files"]
                self.versions[made["id"]] = [source]
        elif resolution == "Overwrite":
            self._set(clash["id"], source)
            if not copy and clash["id"] != file["id"] and file["folderId"] != dest:
                del self.versions[file["id"]]

    @rule(data=st.data(), copy=st.booleans())
    def move_or_copy_folder(self, data: st.DataObject, copy: bool) -> None:
        folders = self._live(2)
        if not folders:
            return
        folder = data.draw(st.sampled_from(folders), label="folder")
        dest = data.draw(st.sampled_from(self._live_folders()), label="dest")
        below = self._files_below(folder["id"])
        done = run_operation(
            self.client,
            "PUT",
            f"/api/2.0/files/fileops/{'copy' if copy else 'move'}",
            {
                "folderIds": [folder["id"]],
                "destFolderId": dest,
                "conflictResolveType": "Duplicate",
            },
        )
        if done["error"]:
            assert done["error"] == "You cannot copy the folder to its subfolder"
            return
        if copy:
            (made,) = done["folders"]
            copied = self._files_below(made["id"])
            assert copied.keys() == below.keys()
            for path, file_id in below.items():
                self.versions[copied[path]] = [self.versions[file_id][-1]]

    @rule(data=st.data(), immediately=st.booleans(), folder=st.booleans())
    def delete(self, data: st.DataObject, immediately: bool, folder: bool) -> None:
        items = self._live(2 if folder else 1)
        if not items:
            return
        item = data.draw(st.sampled_from(items), label="item")
        gone = list(self._files_below(item["id"]).values()) if folder else [item["id"]]
        key = "folderIds" if folder else "fileIds"
        done = run_operation(
            self.client,
            "PUT",
            "/api/2.0/files/fileops/delete",
            {key: [item["id"]], "immediately": immediately},
        )
        assert not done["error"]
        if immediately:
            for file_id in gone:
                del self.versions[file_id]

    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        trash = listing(self.client, "@trash", count=100)
        items = trash["files"] + trash["folders"]
        if not items:
            return
        item = data.draw(st.sampled_from(items), label="item")
        key = "folderIds" if item["fileEntryType"] == 1 else "fileIds"
        done = run_operation(
            self.client,
            "PUT",
            "/api/2.0/files/fileops/move",
            {key: [item["id"]], "destFolderId": item["originId"]},
        )
        assert done["error"] == ""

    @rule()
    def empty_trash(self) -> None:
        in_trash = [
            file_id
            for file_id in self.versions
            if self.client.get(f"/api/2.0/files/file/{file_id}").json()["response"][
                "rootFolderType"
            ]
            == 3
        ]
        run_operation(self.client, "PUT", "/api/2.0/files/fileops/emptytrash")
        for file_id in in_trash:
            del self.versions[file_id]

    # What must hold after every step

    @invariant()
    def space_adds_up(self) -> None:
        size, referenced, on_disk = stored_state(self.server, self.person.user_id)
        assert used_space(self.client) == size
        assert on_disk <= referenced, "content without a version"

    @invariant()
    def every_file_reads_as_last_written(self) -> None:
        listed = {file["id"] for file in self._live(1)}
        listed |= {
            file["id"] for file in listing(self.client, "@trash", count=100)["files"]
        }
        assert listed <= self.versions.keys(), "a file the model does not know of"
        for file_id, history in self.versions.items():
            assert download(self.client, file_id) == history[-1]
            info: Any = self.client.get(f"/api/2.0/files/file/{file_id}").json()
            assert info["response"]["version"] == len(history)


def test_random_sequences_keep_the_space_consistent(
    server: FolioServer, deployment: Deployment
) -> None:
    SpaceMachine.server = server
    # Each check reads every stored byte back; over S3 that costs seconds a step,
    # so the scale-out run tries fewer sequences of the same length.
    examples = 15 if deployment.name == "embedded" else 4
    run_state_machine_as_test(
        SpaceMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
