"""Uploads and downloads: one request or a chunked session, resumable both ways.

An upload no larger than the server's chunk size goes in one request. A larger
one opens a chunked session and sends its chunks in parallel (DocSpace numbers
them, so a chunk sent twice simply replaces itself), then finalizes. What the
server has confirmed is kept in an `UploadState`; a broken upload raises
`UploadInterrupted` carrying it, and `upload(..., resume=state)` sends only the
rest.

A download pins the file's version, so that the bytes cannot change under it,
and writes to a partial file beside the destination. After a broken connection
it asks for the rest with a Range request; a later call finds the partial file
and does the same.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import httpx

from folio.client._errors import (
    DownloadInterrupted,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
    TransportError,
    UploadInterrupted,
    error_from_response,
    retry_after,
)
from folio.client._models import File, parse_date
from folio.client._steps import Parallel, Plan, Stream
from folio.client._wire import describe, payload

if TYPE_CHECKING:
    from folio.client._core import Core, FileRef, FolderRef

__all__ = [
    "Checkpoint",
    "DEFAULT_CHUNK_SIZE",
    "DownloadState",
    "Progress",
    "UploadSource",
    "UploadState",
]

#: DocSpace's default chunk size, used when a server does not say its own.
DEFAULT_CHUNK_SIZE = 10 * 1024 * 1024

#: Called with (bytes done, bytes in all) as a transfer advances. Parallel chunk
#: uploads of the blocking client call it from worker threads, one at a time.
Progress = Callable[[int, int], None]

#: Called with the state of a chunked upload whenever it advances, to keep it
#: somewhere that outlives the process (a file, say) for a later resume.
Checkpoint = Callable[["UploadState"], None]

#: What `upload` takes: a path, bytes, or a binary file object.
UploadSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)
_UNSATISFIED = re.compile(r"bytes\s+\*/(\d+)", re.IGNORECASE)

# Failures after which a transfer can be resumed: the bytes already confirmed
# stay valid. Anything else (no permission, no quota) would fail again.
_RESUMABLE = (TransportError, RateLimited, ServerError)


# Uploads


@dataclasses.dataclass
class UploadState:
    """How far a chunked upload got; serialisable with `to_json`/`from_json`."""

    folder_id: int
    session_id: str
    title: str
    size: int
    chunk_size: int
    create_new: bool = False
    #: Chunk numbers (from 1) the server has confirmed.
    done: set[int] = dataclasses.field(default_factory=set)
    #: The source file and its modification time, to refuse resuming another.
    source: str | None = None
    modified_ns: int | None = None
    #: When the server opened the session, by its clock.
    created: datetime | None = None

    def __post_init__(self) -> None:
        self._lock = threading.RLock()

    @property
    def chunks(self) -> int:
        return max(1, -(-self.size // self.chunk_size))

    @property
    def remaining(self) -> list[int]:
        return [n for n in range(1, self.chunks + 1) if n not in self.done]

    def chunk_bounds(self, number: int) -> tuple[int, int]:
        start = (number - 1) * self.chunk_size
        return start, min(start + self.chunk_size, self.size)

    @property
    def bytes_done(self) -> int:
        return sum(end - start for start, end in map(self.chunk_bounds, self.done))

    def confirm(self, number: int, checkpoint: Checkpoint | None = None) -> None:
        """Record a chunk the server accepted, and let `checkpoint` keep the state."""
        with self._lock:
            self.done.add(number)
            if checkpoint is not None:
                checkpoint(self)

    def to_json(self) -> str:
        """The state as JSON, to keep on disk until the upload is resumed."""
        with self._lock:
            done = sorted(self.done)
        return json.dumps(
            {
                "folderId": self.folder_id,
                "sessionId": self.session_id,
                "title": self.title,
                "size": self.size,
                "chunkSize": self.chunk_size,
                "createNew": self.create_new,
                "done": done,
                "source": self.source,
                "modifiedNs": self.modified_ns,
                "created": self.created.isoformat() if self.created else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> UploadState:
        data = json.loads(text)
        return cls(
            folder_id=int(data["folderId"]),
            session_id=str(data["sessionId"]),
            title=str(data["title"]),
            size=int(data["size"]),
            chunk_size=int(data["chunkSize"]),
            create_new=bool(data.get("createNew", False)),
            done={int(n) for n in data.get("done", [])},
            source=data.get("source"),
            modified_ns=data.get("modifiedNs"),
            created=parse_date(data.get("created")),
        )


class _Source:
    """Random access to what is being uploaded, safe to read from several threads."""

    def __init__(
        self,
        stream: IO[bytes],
        start: int,
        size: int,
        *,
        path: str | None = None,
        modified_ns: int | None = None,
        owned: bool = False,
    ) -> None:
        self._stream = stream
        self._start = start
        self.size = size
        self.path = path
        self.modified_ns = modified_ns
        self._owned = owned
        self._lock = threading.Lock()

    def read(self, offset: int, length: int) -> bytes:
        with self._lock:
            self._stream.seek(self._start + offset)
            data = self._stream.read(length)
        if len(data) != length:
            raise ValueError("The upload source ended early; was it changed?")
        return data

    def close(self) -> None:
        if self._owned:
            self._stream.close()


def open_source(source: UploadSource, size: int | None) -> tuple[_Source, str | None]:
    """Wrap what `upload` was given; return it and the title it suggests."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return _Source(io.BytesIO(data), 0, len(data), owned=True), None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        stat = path.stat()
        stream = path.open("rb")
        return (
            _Source(
                stream,
                0,
                stat.st_size,
                path=str(path.resolve()),
                modified_ns=stat.st_mtime_ns,
                owned=True,
            ),
            path.name,
        )
    name = getattr(source, "name", None)
    title = Path(name).name if isinstance(name, str) and name else None
    try:
        start = source.tell()
        end = source.seek(0, os.SEEK_END)
        source.seek(start)
    except (AttributeError, OSError):
        # A pipe or a socket: keep a copy on disk, so that chunks can be re-read
        # and memory does not grow with the size.
        spool = tempfile.TemporaryFile()
        shutil.copyfileobj(source, spool)
        end = spool.tell()
        return _Source(spool, 0, end, owned=True), title
    if size is not None:
        end = min(end, start + size)
    return _Source(source, start, end - start), title


class _Meter:
    """Adds up bytes in flight and done, and reports them to a Progress callback."""

    def __init__(self, callback: Progress | None, total: int, done: int = 0) -> None:
        self._callback = callback
        self.total = total
        self._done = done
        self._moving: dict[int, int] = {}
        self._lock = threading.Lock()
        self._last = -1

    def _report(self) -> None:
        value = self._done + sum(self._moving.values())
        if self._callback is not None and value != self._last:
            self._last = value
            self._callback(value, self.total)

    def reset(self, done: int = 0) -> None:
        with self._lock:
            self._done, self._moving = done, {}
            self._report()

    def moving(self, key: int, sent: int) -> None:
        with self._lock:
            self._moving[key] = sent
            self._report()

    def landed(self, key: int, size: int) -> None:
        with self._lock:
            self._moving.pop(key, None)
            self._done += size
            self._report()

    def dropped(self, key: int) -> None:
        with self._lock:
            self._moving.pop(key, None)
            self._report()

    def add(self, size: int) -> None:
        with self._lock:
            self._done += size
            self._report()


class _Reader(io.BytesIO):
    """Bytes for a multipart part, telling the meter how far httpx has read."""

    def __init__(self, data: bytes, on_read: Callable[[int], None]) -> None:
        super().__init__(data)
        self._on_read = on_read

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self._on_read(self.tell())
        return chunk


def upload(
    core: Core,
    source: UploadSource,
    folder: FolderRef,
    *,
    title: str | None,
    create_new: bool,
    chunked: bool | None,
    chunk_size: int | None,
    parallel: int | None,
    progress: Progress | None,
    resume: UploadState | None,
    checkpoint: Checkpoint | None,
    size: int | None,
) -> Plan[File]:
    """Upload in one request or a chunked session, as the size asks."""
    src, suggested = open_source(source, size)
    try:
        name = title or (resume.title if resume else None) or suggested
        if not name:
            raise ValueError("A title is needed to upload bytes or a stream")
        if resume is not None:
            _check_resume(resume, src)
            return (
                yield from _chunked(
                    core, src, resume, progress, parallel or core.parallel, checkpoint
                )
            )
        limit = chunk_size or (yield from core.chunk_size())
        if chunked is False or (chunked is None and src.size <= limit):
            return (yield from _single(core, src, folder, name, create_new, progress))
        folder_id = yield from core.folder_id(folder)
        state = yield from _open_session(core, src, folder_id, name, limit, create_new)
        if checkpoint is not None:
            checkpoint(state)
        return (
            yield from _chunked(
                core, src, state, progress, parallel or core.parallel, checkpoint
            )
        )
    finally:
        src.close()


def _check_resume(state: UploadState, src: _Source) -> None:
    if state.size != src.size:
        raise ValueError(
            f"Cannot resume: the upload was of {state.size} bytes, "
            f"the source now has {src.size}"
        )
    if (
        state.source is not None
        and src.path is not None
        and (state.source, state.modified_ns) != (src.path, src.modified_ns)
    ):
        raise ValueError("Cannot resume: the source file changed since the upload")


def _single(
    core: Core,
    src: _Source,
    folder: FolderRef,
    title: str,
    create_new: bool,
    progress: Progress | None,
) -> Plan[File]:
    data = src.read(0, src.size)
    meter = _Meter(progress, src.size)
    segment = core.folder_segment(folder)

    def files() -> dict[str, Any]:
        return {"file": (title, _Reader(data, lambda sent: meter.moving(0, sent)))}

    response = yield from core.call(
        "POST",
        f"/api/2.0/files/{segment}/upload",
        params={"createNewIfExist": create_new},
        files=files,
    )
    meter.landed(0, src.size)
    found = payload(response)
    # DocSpace answers with an array of one file; insert-style servers with one.
    if isinstance(found, list) and found:
        found = found[0]
    return File.from_wire(found)


def _open_session(
    core: Core,
    src: _Source,
    folder_id: int,
    title: str,
    chunk_size: int,
    create_new: bool,
) -> Plan[UploadState]:
    data = yield from core.api(
        "POST",
        f"/api/2.0/files/{folder_id}/session",
        json={"fileName": title, "fileSize": src.size, "createNewIfExist": create_new},
    )
    if (
        isinstance(data, dict)
        and "id" not in data
        and isinstance(data.get("data"), dict)
    ):
        data = data["data"]
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ProtocolError("The server did not return an upload session")
    return UploadState(
        folder_id=folder_id,
        session_id=data["id"],
        title=title,
        size=src.size,
        chunk_size=chunk_size,
        create_new=create_new,
        source=src.path,
        modified_ns=src.modified_ns,
        created=parse_date(data.get("created")),
    )


def _chunked(
    core: Core,
    src: _Source,
    state: UploadState,
    progress: Progress | None,
    parallel: int,
    checkpoint: Checkpoint | None,
) -> Plan[File]:
    meter = _Meter(progress, src.size, state.bytes_done)
    meter.reset(state.bytes_done)
    started_over = False
    while True:
        try:
            yield Parallel(
                [
                    _send_chunk(core, src, state, n, meter, checkpoint)
                    for n in state.remaining
                ],
                limit=parallel,
            )
            return (yield from _finalize(core, state))
        except NotFound:
            # The session is gone: it expired, the server lost it, or (after a
            # broken finalize) it already became the file.
            if not state.remaining:
                found = yield from _find_finalized(core, state)
                if found is not None:
                    return found
            if started_over:
                raise
            started_over = True
            state = yield from _open_session(
                core, src, state.folder_id, state.title, state.chunk_size,
                state.create_new,
            )  # fmt: skip
            if checkpoint is not None:
                checkpoint(state)
            meter.reset()
        except _RESUMABLE as exc:
            sent = len(state.done)
            raise UploadInterrupted(
                f"The upload of {state.title} stopped after {sent} of "
                f"{state.chunks} chunks: {exc.message}",
                state=state,
            ) from exc


def _send_chunk(
    core: Core,
    src: _Source,
    state: UploadState,
    number: int,
    meter: _Meter,
    checkpoint: Checkpoint | None,
) -> Plan[None]:
    start, end = state.chunk_bounds(number)
    data = src.read(start, end - start)

    def files() -> dict[str, Any]:
        meter.moving(number, 0)
        reader = _Reader(data, lambda sent: meter.moving(number, sent))
        return {"file": (state.title, reader, "application/octet-stream")}

    try:
        # A chunk carries its number, so sending it again replaces it: it is
        # retried like a read.
        yield from core.call(
            "POST",
            f"/api/2.0/files/{state.folder_id}/session/{state.session_id}/upload",
            params={"chunkNumber": number},
            files=files,
            idempotent=True,
        )
    except BaseException:
        meter.dropped(number)
        raise
    state.confirm(number, checkpoint)
    meter.landed(number, end - start)


def _finalize(core: Core, state: UploadState) -> Plan[File]:
    path = f"/api/2.0/files/{state.folder_id}/session/{state.session_id}/finalize"
    try:
        data = yield from core.api("PUT", path)
    except TransportError:
        # The server may have finished the file before the connection broke; if
        # so, asking again answers 404 and the file is looked up instead.
        data = yield from core.api("PUT", path)
    return (yield from _uploaded_file(core, data))


def _uploaded_file(core: Core, data: Any) -> Plan[File]:
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if not isinstance(data, dict):
        raise ProtocolError("The server did not describe the uploaded file")
    if isinstance(data.get("file"), dict) and "id" in data["file"]:
        return File.from_wire(data["file"])
    if isinstance(data.get("id"), int) and data["id"] > 0:
        return (yield from core.get_file(data["id"]))
    raise ProtocolError("The server finished the upload without naming the file")


def _find_finalized(core: Core, state: UploadState) -> Plan[File | None]:
    """The file a finalize made, if the answer to it was lost."""
    newest: File | None = None
    start: int | None = 0
    while start is not None:
        page = yield from core.list(
            state.folder_id, start=start, search=state.title, subfolders=False
        )
        for file in page.files:
            if (
                file.title == state.title
                and file.size == state.size
                and file.folder_id == state.folder_id
                and (
                    state.created is None
                    or file.updated is None
                    or file.updated >= state.created
                )
                and (
                    newest is None
                    or (file.updated or datetime.min) > (newest.updated or datetime.min)
                )  # fmt: skip
            ):
                newest = file
        start = page.next_start
    return newest


# Downloads


@dataclasses.dataclass
class DownloadState:
    """How far a download got: the partial file is kept for the next attempt."""

    file_id: int
    version: int
    #: Bytes received so far, and in all (None until the server said).
    received: int
    size: int | None
    #: Where the bytes so far are; None when writing to a stream.
    partial: Path | None


def partial_path(target: Path, file_id: int, version: int) -> Path:
    """Where a download to `target` keeps its bytes until it is complete."""
    return target.with_name(f".{target.name}.{file_id}-v{version}.part")


def _target(dest: str | os.PathLike[str] | None, title: str) -> Path:
    safe = title.replace("/", "_").replace("\\", "_") or "download"
    if dest is None:
        return Path.cwd() / safe
    path = Path(dest)
    return path / safe if path.is_dir() else path


def download(
    core: Core,
    file: FileRef,
    dest: str | os.PathLike[str] | None,
    *,
    version: int | None,
    progress: Progress | None,
) -> Plan[Path]:
    """Download to a path; a partial file left by an earlier attempt is resumed."""
    # Asked afresh, so that a File fetched earlier still downloads the newest bytes.
    info = yield from core.get_file(file)
    pinned = version or info.version
    target = _target(dest, info.title)
    partial = partial_path(target, info.id, pinned)
    received = partial.stat().st_size if partial.exists() else 0
    state = DownloadState(info.id, pinned, received, None, partial)
    with partial.open("ab") as sink:
        yield from _fetch(core, state, sink, progress)
    os.replace(partial, target)
    return target


def download_to(
    core: Core,
    file: FileRef,
    stream: BinaryIO,
    *,
    version: int | None,
    progress: Progress | None,
) -> Plan[int]:
    """Download into an open binary stream; return the number of bytes."""
    # Asked afresh, so that a File fetched earlier still downloads the newest bytes.
    info = yield from core.get_file(file)
    state = DownloadState(info.id, version or info.version, 0, None, None)
    yield from _fetch(core, state, stream, progress)
    return state.received


class _Receiver:
    """One download attempt: checks the answer, then appends its bytes."""

    def __init__(self, state: DownloadState, sink: IO[bytes], meter: _Meter) -> None:
        self.state = state
        self.sink = sink
        self.meter = meter
        # Bytes of a whole-file answer to drop, when the server ignored the Range.
        self.skip = 0
        # The partial file already held everything (the server answered 416).
        self.complete = False

    def accept(self, response: httpx.Response) -> bool:
        state = self.state
        status = response.status_code
        if status == 206:
            # DocSpace writes the Content-Range value with a leading space.
            found = _CONTENT_RANGE.search(response.headers.get("content-range", ""))
            if found is None or int(found.group(1)) != state.received:
                raise ProtocolError(
                    "The server sent a different part of the file than asked for",
                    response=response,
                )
            if found.group(3) != "*":
                state.size = int(found.group(3))
        elif status == 200:
            length = response.headers.get("content-length")
            if length is not None and length.isdigit():
                state.size = int(length)
            self.skip = state.received
        elif status == 416:
            total = _UNSATISFIED.search(response.headers.get("content-range", ""))
            if total is not None and int(total.group(1)) == state.received:
                state.size = state.received
                self.complete = True
            elif state.partial is not None:
                raise ProtocolError(
                    f"The partial download {state.partial} is longer than the "
                    "file; delete it and download again",
                    response=response,
                )
            return False
        else:
            return False
        self.meter.total = state.size or 0
        self.meter.reset(state.received)
        return True

    def write(self, data: bytes) -> None:
        if self.skip:
            cut = min(self.skip, len(data))
            self.skip -= cut
            data = data[cut:]
        if data:
            self.sink.write(data)
            self.state.received += len(data)
            self.meter.add(len(data))


def _fetch(
    core: Core, state: DownloadState, sink: IO[bytes], progress: Progress | None
) -> Plan[None]:
    """Receive the rest of the file into `sink`, resuming after broken links."""
    meter = _Meter(progress, 0)
    attempt = 0
    while True:
        attempt += 1
        headers = {"Range": f"bytes={state.received}-"} if state.received else {}
        request = core.build(
            "GET",
            "/filehandler.ashx",
            params={
                "action": "download",
                "fileid": state.file_id,
                "version": state.version,
            },
            headers=headers,
            accept="*/*",
        )
        receiver = _Receiver(state, sink, meter)
        before = state.received
        try:
            response: httpx.Response = yield Stream(
                request, receiver.accept, receiver.write
            )
        except httpx.TransportError as exc:
            if state.received > before:
                # The link works, just not for long: the count starts again.
                attempt = 1
            if core.retry.should_retry_error(exc, attempt, idempotent=True):
                yield from core.pause(request, attempt, None, describe(exc))
                continue
            sink.flush()
            total = state.size if state.size is not None else "?"
            raise DownloadInterrupted(
                f"The download stopped at {state.received} of {total} bytes: "
                f"{describe(exc)}",
                state=state,
            ) from exc
        status = response.status_code
        if receiver.complete:
            return
        if status in (200, 206):
            short = state.size is not None and state.received < state.size
            if short and state.received > before:
                continue  # Closed early without an error: ask for the rest.
            if short:
                raise ProtocolError("The server sent less than the whole file")
            return
        if core.retry.should_retry_status(status, idempotent=True):
            wait = core.retry.wait_for_status(status, retry_after(response), attempt)
            if wait is not None:
                yield from core.pause(request, attempt, wait, str(status))
                continue
        error = error_from_response(response)
        if isinstance(error, _RESUMABLE) and state.received:
            sink.flush()
            raise DownloadInterrupted(
                f"The download stopped at {state.received} bytes: {error.message}",
                state=state,
            ) from error
        raise error
