"""Folders and file operations: mkdir, paths, move, copy, restore, versions."""

from __future__ import annotations

import pytest

from folio.client import File, Folder, Folio, NotFound, OperationType


def test_mkdir_creates_a_folder_that_get_folder_and_find_see(folio: Folio) -> None:
    projects = folio.mkdir("Projects")
    year = folio.mkdir("2026", projects)
    report = folio.upload(b"r", year, title="report.txt")

    assert (projects.parent_id, projects.title) == (
        folio.my_documents().folder.id,
        "Projects",
    )
    assert folio.get_folder(year.id).parent_id == projects.id
    assert folio.find("Projects/2026/report.txt").id == report.id
    assert isinstance(folio.find("/Projects/2026/"), Folder)
    assert folio.get_folder(projects).files_count == 1


def test_move_and_copy_wait_for_their_operations(folio: Folio) -> None:
    target = folio.mkdir("Target")
    moved = folio.upload(b"m", title="moved.txt")
    copied = folio.upload(b"c", title="copied.txt")

    move = folio.move(moved, to=target)
    copy = folio.copy(copied, to=target)

    assert (move.type, move.finished, move.error) == (OperationType.MOVE, True, "")
    assert copy.type is OperationType.COPY and copy.finished
    inside = sorted(f.title for f in folio.list(target).files)
    assert inside == ["copied.txt", "moved.txt"]
    assert [f.title for f in folio.my_documents().files] == ["copied.txt"]


def test_move_without_waiting_then_wait(folio: Folio) -> None:
    target = folio.mkdir("Later")
    file = folio.upload(b"x", title="later.txt")

    started = folio.move(file, to=target, wait=False)
    done = folio.wait(started)

    assert done.id == started.id and done.finished
    assert folio.find("Later/later.txt").id == file.id


def test_copy_onto_a_taken_name_follows_the_conflict_choice(folio: Folio) -> None:
    target = folio.mkdir("Clash")
    folio.upload(b"old", target, title="same.txt")
    source = folio.upload(b"new", title="same.txt")

    folio.copy(source, to=target, conflict="duplicate")

    titles = sorted(f.title for f in folio.list(target).files)
    assert titles == ["same (1).txt", "same.txt"]


def test_duplicate_copies_in_place(folio: Folio) -> None:
    file = folio.upload(b"d", title="twin.txt")

    operation = folio.duplicate(file)

    assert operation.type is OperationType.DUPLICATE
    assert sorted(f.title for f in folio.my_documents().files) == [
        "twin (1).txt",
        "twin.txt",
    ]


def test_delete_a_folder_and_files_together(folio: Folio) -> None:
    folder = folio.mkdir("Old")
    folio.upload(b"x", folder, title="inner.txt")
    file = folio.upload(b"y", title="loose.txt")

    folio.delete(file, folder)

    trash = folio.trash()
    assert [f.title for f in trash.folders] == ["Old"]
    assert [f.title for f in trash.files] == ["loose.txt"]
    assert folio.my_documents().total == 0


def test_restore_moves_items_back_where_they_came_from(folio: Folio) -> None:
    folder = folio.mkdir("Keep")
    inner = folio.upload(b"i", folder, title="inner.txt")
    top = folio.upload(b"t", title="top.txt")
    folio.delete(inner)
    folio.delete(top)

    operations = folio.restore(*folio.trash().entries)

    assert all(op.type is OperationType.MOVE for op in operations)
    assert folio.find("Keep/inner.txt").id == inner.id
    assert folio.find("top.txt").id == top.id
    assert folio.trash().total == 0


def test_restore_by_id_to_a_chosen_folder(folio: Folio) -> None:
    elsewhere = folio.mkdir("Elsewhere")
    file = folio.upload(b"x", title="moved-back.txt")
    folio.delete(file)

    folio.restore(file.id, to=elsewhere)

    assert folio.find("Elsewhere/moved-back.txt").id == file.id


def test_empty_trash_deletes_everything_there(folio: Folio) -> None:
    for title in ("a.txt", "b.txt"):
        folio.delete(folio.upload(b"x", title=title))
    folio.delete(folio.mkdir("Gone"))

    operation = folio.empty_trash()

    assert operation.type is OperationType.DELETE and operation.finished
    assert folio.trash().total == 0


def test_versions_lists_each_stored_version(folio: Folio) -> None:
    for content in (b"one", b"two!", b"three"):
        file = folio.upload(content, title="history.txt")

    history = sorted(folio.versions(file), key=lambda v: v.version)

    assert [(v.version, v.size) for v in history] == [(1, 3), (2, 4), (3, 5)]
    assert all(v.file_id == file.id and v.title == "history.txt" for v in history)
    assert history[0].comment


def test_get_folder_of_an_unknown_id_raises_not_found(folio: Folio) -> None:
    with pytest.raises(NotFound, match="The required folder was not found"):
        folio.get_folder(999999999)


def test_chunk_size_comes_from_the_servers_settings(folio: Folio) -> None:
    assert folio.chunk_size() == 10 * 1024 * 1024


def test_find_nested_folder_then_list_by_object(folio: Folio) -> None:
    a = folio.mkdir("A")
    b = folio.mkdir("B", a)
    folio.upload(b"x", b, title="deep.txt")

    found = folio.find("A/B")

    assert isinstance(found, Folder) and found.id == b.id
    (deep,) = folio.list(found).files
    assert isinstance(deep, File) and deep.title == "deep.txt"
