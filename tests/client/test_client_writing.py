"""Writing with the client: uploads, new documents, deletion, Trash, operations."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from folio.client import FileType, Folio, OperationStatus, OperationType


def test_upload_a_path_stores_its_bytes_under_its_name(
    folio: Folio, tmp_path: Path
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7 not really")

    file = folio.upload(path)

    assert (file.title, file.size, file.file_type) == (
        "report.pdf",
        19,
        FileType.PDF,
    )
    assert folio.read(file) == b"%PDF-1.7 not really"
    assert [f.id for f in folio.my_documents().files] == [file.id]


def test_upload_a_stream_or_bytes_needs_or_takes_a_title(folio: Folio) -> None:
    from_stream = folio.upload(io.BytesIO(b"stream bytes"), title="stream.txt")
    from_bytes = folio.upload(b"plain bytes", title="bytes.txt")

    assert folio.read(from_stream) == b"stream bytes"
    assert folio.read(from_bytes) == b"plain bytes"
    with pytest.raises(ValueError, match="title is needed"):
        folio.upload(b"nameless")


def test_upload_of_an_unseekable_stream_is_spooled(folio: Folio) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(b"from a pipe" * 100)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

        def seekable(self) -> bool:
            return False

        def tell(self) -> int:
            raise OSError("not seekable")

    file = folio.upload(io.BufferedReader(Pipe()), title="piped.txt")

    assert folio.read(file) == b"from a pipe" * 100


def test_upload_reports_progress_up_to_the_size(folio: Folio) -> None:
    seen: list[tuple[int, int]] = []

    folio.upload(b"z" * 200_000, title="big.bin", progress=lambda *p: seen.append(p))

    assert seen[-1] == (200_000, 200_000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_upload_of_a_taken_title_adds_a_version(folio: Folio) -> None:
    first = folio.upload(b"one", title="draft.txt")
    second = folio.upload(b"two", title="draft.txt")
    copy = folio.upload(b"three", title="draft.txt", create_new=True)

    assert (second.id, second.version) == (first.id, 2)
    assert copy.id != first.id and copy.title == "draft (1).txt"
    assert folio.read(first) == b"two"


def test_create_makes_a_blank_document_of_the_titles_kind(folio: Folio) -> None:
    document = folio.create("Plan")
    sheet = folio.create("Budget.xlsx")
    empty = folio.create("notes.md", keep_extension=True)

    assert (document.title, document.file_type) == ("Plan.docx", FileType.DOCUMENT)
    assert document.size > 0 and document.comment == "Created"
    assert sheet.file_type == FileType.SPREADSHEET
    assert (empty.title, empty.size) == ("notes.md", 0)


def test_delete_moves_a_file_to_trash_and_waits(folio: Folio) -> None:
    file = folio.upload(b"bye", title="old.txt")
    home = folio.my_documents().folder

    operation = folio.delete(file)
    trash = folio.trash()

    assert operation.type is OperationType.DELETE
    assert (operation.finished, operation.progress, operation.error) == (True, 100, "")
    assert operation.processed == 1
    assert folio.my_documents().total == 0
    assert [(f.id, f.origin_id) for f in trash.files] == [(file.id, home.id)]
    assert trash.folder.root_folder_type == 3


def test_delete_immediately_removes_a_file_for_good(folio: Folio) -> None:
    file = folio.upload(b"bye", title="secret.txt")

    folio.delete(file.id, immediately=True)

    assert folio.my_documents().total == 0
    assert folio.trash().total == 0


def test_delete_of_a_file_in_trash_removes_it_for_good(folio: Folio) -> None:
    file = folio.upload(b"bye", title="twice.txt")
    folio.delete(file)

    folio.delete(file)

    assert folio.trash().total == 0


def test_delete_without_waiting_returns_the_started_operation(folio: Folio) -> None:
    file = folio.upload(b"bye", title="later.txt")

    started = folio.delete(file, wait=False)
    finished = folio.wait(started)

    assert started.type is OperationType.DELETE
    assert finished.id == started.id and finished.finished
    assert finished.status in (OperationStatus.COMPLETED, None)


def test_wait_on_an_operation_no_longer_listed_returns_it_finished(
    folio: Folio,
) -> None:
    file = folio.upload(b"bye", title="reported.txt")
    operation = folio.delete(file)

    # The finished delete was reported once already; now it is not listed.
    again = folio.wait(operation.id)

    assert again.id == operation.id and again.finished
    assert all(op.id != operation.id for op in folio.operations())
