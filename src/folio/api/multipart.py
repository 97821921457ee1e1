"""Reading a multipart upload as a stream: the file part goes straight to storage.

Starlette's own form parser spools files to temporary files first; an upload here
is parsed as it arrives and its file part written into a BlobWriter, hashing on
the way, so memory stays flat and the content is written once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from folio.domain.entries import StoredBlob
from folio.errors import FileTooLarge, InvalidRequest, UnsupportedMediaType
from folio.services.ports import BlobStore, BlobWriter

__all__ = ["FilePart", "MultipartUpload", "is_multipart", "receive_multipart"]

_FILE = object()

# Form fields are small (titles, flags); a larger one is a malformed request.
_MAX_FIELD = 64 * 1024


@dataclasses.dataclass
class MultipartUpload:
    """The outcome of reading a multipart body."""

    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The name of the form part the file came in, and the file name it carried.
    file_part: str | None = None
    filename: str | None = None
    blob: StoredBlob | None = None


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


def _filename(disposition: dict[bytes, bytes]) -> str | None:
    """The part's file name, preferring RFC 5987's filename* when present."""
    extended = disposition.get(b"filename*")
    if extended:
        charset, _, rest = extended.decode("latin-1").partition("'")
        _, _, encoded = rest.partition("'")
        return unquote(encoded, encoding=charset or "utf-8", errors="replace")
    plain = disposition.get(b"filename")
    if plain is None:
        return None
    return plain.decode("utf-8", errors="replace")


async def receive_multipart(
    request: Request,
    store: BlobStore,
    *,
    accept_file: Callable[[str], bool],
    max_size: int,
) -> MultipartUpload:
    """Parse the body; the first accepted file part is stored, other files skipped.

    On any error the partial content is discarded, and nothing is left behind.
    """
    content_type, options = parse_options_header(request.headers["content-type"])
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType()
    events: list[tuple[str, Any]] = []
    header_name = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}

    def on_header_end() -> None:
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        events.append(("headers", dict(headers)))
        headers.clear()

    callbacks = {
        "on_header_field": lambda data, start, end: header_name.extend(data[start:end]),
        "on_header_value": lambda data, start, end: header_value.extend(
            data[start:end]
        ),
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": lambda data, start, end: events.append(
            ("data", bytes(data[start:end]))
        ),
        "on_part_end": lambda: events.append(("end", None)),
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    upload = MultipartUpload()
    writer: BlobWriter | None = None
    # Where the current part goes: the file (_FILE), a field by name, or nowhere.
    target: object = None
    field_value = bytearray()
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for kind, value in events:
                if kind == "headers":
                    disposition = value.get(b"content-disposition", b"")
                    _, params = parse_options_header(disposition)
                    name = params.get(b"name", b"").decode("utf-8", errors="replace")
                    filename = _filename(params)
                    if filename is not None:
                        if upload.file_part is None and accept_file(name):
                            upload.file_part, upload.filename = name, filename
                            writer = store.writer()
                            target = _FILE
                        else:
                            target = None
                    else:
                        target = name
                        field_value.clear()
                elif kind == "data" and target is _FILE:
                    assert writer is not None
                    await writer.write(value)
                    if writer.size > max_size:
                        raise FileTooLarge(max_size)
                elif kind == "data" and isinstance(target, str):
                    field_value.extend(value)
                    if len(field_value) > _MAX_FIELD:
                        raise InvalidRequest(f"The form field {target} is too large")
                elif kind == "end":
                    if target is _FILE:
                        assert writer is not None
                        upload.blob = await writer.commit()
                    elif isinstance(target, str):
                        upload.fields[target.lower()] = field_value.decode(
                            "utf-8", errors="replace"
                        )
                    target = None
            events.clear()
        parser.finalize()
    except BaseException:
        if writer is not None:
            await writer.abort()
        if upload.blob is not None:
            await store.delete([upload.blob.key])
        raise
    if writer is not None and upload.blob is None:
        # The body ended inside the file part: a truncated request.
        await writer.abort()
        raise InvalidRequest("The multipart body ended before the file did")
    return upload


class FilePart:
    """The bytes of one file in a request body, as an async iterable read once.

    A multipart body gives its first file part that `accept_file` takes (other
    parts are skipped); any other body is taken whole, as raw content. A body
    without such a part, or one that ends inside it, raises InvalidRequest once
    read to its end, so a truncated chunk is never taken for a whole one.
    """

    def __init__(
        self,
        request: Request,
        *,
        accept_file: Callable[[str], bool],
        missing: str = "The request carries no file",
    ) -> None:
        self._request = request
        self._accept = accept_file
        self._missing = missing
        self.found = False
        self.filename: str | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        if is_multipart(self._request):
            return self._multipart()
        return self._raw()

    async def _raw(self) -> AsyncIterator[bytes]:
        self.found = True
        async for chunk in self._request.stream():
            if chunk:
                yield chunk

    async def _multipart(self) -> AsyncIterator[bytes]:
        content_type, options = parse_options_header(
            self._request.headers["content-type"]
        )
        boundary = options.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise UnsupportedMediaType()
        pieces: list[bytes] = []
        state = {"target": False, "ended": False}
        header_name = bytearray()
        header_value = bytearray()
        headers: dict[bytes, bytes] = {}

        def on_header_end() -> None:
            headers[bytes(header_name).lower()] = bytes(header_value)
            header_name.clear()
            header_value.clear()

        def on_headers_finished() -> None:
            _, params = parse_options_header(headers.get(b"content-disposition", b""))
            headers.clear()
            filename = _filename(params)
            name = params.get(b"name", b"").decode("utf-8", errors="replace")
            wanted = not self.found and filename is not None and self._accept(name)
            if wanted:
                self.found, self.filename = True, filename
            state["target"] = wanted

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if state["target"]:
                pieces.append(bytes(data[start:end]))

        def on_part_end() -> None:
            if state["target"]:
                state["target"], state["ended"] = False, True

        callbacks = {
            "on_header_field": lambda data, start, end: header_name.extend(
                data[start:end]
            ),
            "on_header_value": lambda data, start, end: header_value.extend(
                data[start:end]
            ),
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        }
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        async for chunk in self._request.stream():
            parser.write(chunk)
            if pieces:
                data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces.clear()
                yield data
        parser.finalize()
        if not self.found:
            raise InvalidRequest(self._missing)
        if not state["ended"]:
            raise InvalidRequest("The multipart body ended before the file did")
