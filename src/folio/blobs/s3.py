"""Content in any S3-compatible object store (AWS S3, MinIO, Ceph, moto, …).

The storage URL names the bucket, a key prefix and where to reach the store:
`s3://bucket/prefix?endpoint=http://host:9000&region=us-east-1`. Credentials come
from the standard AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or a
profile or role), as every AWS tool reads them.

Layout under the prefix: `objects/<key>` for committed content, `uploads/<id>/<n>`
for the small chunks of upload sessions (see `S3BlobStore.write_part`). Content
becomes visible only when S3 acknowledges it (a PUT, or the completion of a
multipart upload), so a crash leaves no partial object, only an unfinished
multipart upload, which `clear_temporary` aborts once it is old.

boto3 blocks, so every call to it runs in a worker thread; bodies are streamed in
pieces, never held whole.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import tempfile
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.config
import botocore.exceptions
from anyio import to_thread

from folio.domain.entries import StoredBlob
from folio.services.ports import UploadPart

__all__ = ["S3BlobStore", "S3Location", "StorageError"]

log = logging.getLogger(__name__)

T = TypeVar("T")

MIB = 1024 * 1024
# S3 refuses multipart parts under 5 MiB, except the last part of an upload.
MIN_PART = 5 * MIB
# The part size of our own multipart uploads; it grows for very large content so
# that S3's limit of 10,000 parts is never reached (see `_part_size`).
PART_SIZE = 8 * MIB
MAX_PARTS = 10_000
_READ_SIZE = MIB
# A chunk of an upload session is spooled to memory up to this size, then to disk,
# because S3 needs a part's length before the first byte is sent.
_SPOOL_IN_MEMORY = 16 * MIB
_SMALL = "small:"
_DELETE_BATCH = 1000


class StorageError(OSError):
    """The object store refused a request or could not be reached."""


def _part_size(number: int) -> int:
    """The size of part `number` (from 1): 8 MiB, then 8 MiB more per 1,000 parts."""
    return PART_SIZE * (1 + (number - 1) // 1000)


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


@dataclasses.dataclass(frozen=True)
class S3Location:
    """Where the store is: parsed from an `s3://` storage URL."""

    bucket: str
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None
    #: The endpoint clients reach the store at, for pre-signed URLs, if not the same.
    public_endpoint: str | None = None
    #: "path" (bucket in the path, as MinIO and most self-hosted stores want) or
    #: "virtual" (bucket in the host name); the default is path with an endpoint.
    addressing: str | None = None

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"Not an S3 storage URL (s3://bucket/prefix): {url}")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region", "public_endpoint", "addressing"}
        if unknown:
            raise ValueError(f"Unknown S3 storage URL options: {sorted(unknown)}")
        prefix = parts.path.strip("/")
        return cls(
            bucket=parts.netloc,
            prefix=f"{prefix}/" if prefix else "",
            endpoint=query.get("endpoint"),
            region=query.get("region"),
            public_endpoint=query.get("public_endpoint"),
            addressing=query.get("addressing"),
        )


@dataclasses.dataclass(frozen=True)
class _Handle:
    """An upload session's multipart upload: `<id>.<size>.<S3 upload id>`."""

    id: str
    size: int
    upload_id: str

    def __str__(self) -> str:
        return f"{self.id}.{self.size}.{self.upload_id}"

    @classmethod
    def parse(cls, handle: str) -> _Handle | None:
        parts = handle.split(".", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])


class S3Writer:
    """Content streamed into S3: one PUT when it is small, else a multipart upload.

    One part is sent while the next one fills, so receiving and sending overlap;
    at most two parts (16 MiB) are held in memory. Nothing is visible before
    `commit`.
    """

    def __init__(self, store: S3BlobStore) -> None:
        self._store = store
        self.key = uuid.uuid4().hex
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self._size = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._next_number = 1
        self._sending: asyncio.Task[dict[str, Any]] | None = None
        self._done = False

    @property
    def size(self) -> int:
        return self._size

    async def write(self, data: bytes) -> None:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        self._hash.update(data)
        self._buffer += data
        self._size += len(data)
        while len(self._buffer) >= _part_size(self._next_number):
            size = _part_size(self._next_number)
            part, self._buffer = bytes(self._buffer[:size]), self._buffer[size:]
            await self._send_part(part)

    async def _send_part(self, part: bytes) -> None:
        """Start sending a part, once the part before it has arrived."""
        store = self._store
        if self._upload_id is None:
            self._upload_id = await store.call(
                lambda: store.client.create_multipart_upload(
                    Bucket=store.bucket, Key=store.object_key(self.key)
                )["UploadId"]
            )
        await self._settle()
        number, self._next_number = self._next_number, self._next_number + 1
        upload_id = self._upload_id

        async def send() -> dict[str, Any]:
            answer = await store.call(
                lambda: store.client.upload_part(
                    Bucket=store.bucket,
                    Key=store.object_key(self.key),
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=part,
                )
            )
            return {"PartNumber": number, "ETag": answer["ETag"]}

        self._sending = asyncio.create_task(send())

    async def _settle(self) -> None:
        """Wait for the part being sent, if any; raise if sending it failed."""
        if self._sending is not None:
            sending, self._sending = self._sending, None
            self._parts.append(await sending)

    async def commit(self) -> StoredBlob:
        if self._done:
            raise RuntimeError("This content was already committed or aborted")
        store = self._store
        try:
            if self._upload_id is None:
                body = bytes(self._buffer)
                await store.call(
                    lambda: store.client.put_object(
                        Bucket=store.bucket, Key=store.object_key(self.key), Body=body
                    )
                )
            else:
                if self._buffer:
                    await self._send_part(bytes(self._buffer))
                await self._settle()
                upload_id, parts = self._upload_id, list(self._parts)
                await store.call(
                    lambda: store.client.complete_multipart_upload(
                        Bucket=store.bucket,
                        Key=store.object_key(self.key),
                        UploadId=upload_id,
                        MultipartUpload={"Parts": parts},
                    )
                )
        except BaseException:
            await self.abort()
            raise
        self._done = True
        self._buffer = bytearray()
        return StoredBlob(self.key, self._size, self._hash.hexdigest())

    async def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._buffer = bytearray()
        if self._sending is not None:
            sending, self._sending = self._sending, None
            sending.cancel()
            # Whatever became of the part, the upload goes; only our own
            # cancellation may interrupt the wait.
            await asyncio.gather(sending, return_exceptions=True)
        if self._upload_id is not None:
            await self._store.abort_multipart(
                self._store.object_key(self.key), self._upload_id
            )


class S3BlobStore:
    """The BlobStore port over one bucket and prefix of an S3-compatible store."""

    def __init__(
        self,
        location: S3Location,
        *,
        client: Any = None,
        stale_upload_age: float = 7 * 24 * 3600,
    ) -> None:
        self.location = location
        self.bucket = location.bucket
        self.prefix = location.prefix
        self.stale_upload_age = stale_upload_age
        self.client = client or self._client(location.endpoint)
        self._presigner = (
            self._client(location.public_endpoint)
            if location.public_endpoint
            else self.client
        )

    @classmethod
    def from_url(cls, url: str, **options: Any) -> S3BlobStore:
        return cls(S3Location.parse(url), **options)

    def _client(self, endpoint: str | None) -> Any:
        location = self.location
        addressing = location.addressing or ("path" if endpoint else "auto")
        config = botocore.config.Config(
            region_name=location.region,
            signature_version="s3v4",
            s3={"addressing_style": addressing},
            retries={"max_attempts": 5, "mode": "standard"},
            # As many connections as worker threads may call at once.
            max_pool_connections=40,
            # Checksums only where S3 requires them: many S3-compatible stores do
            # not understand the trailing checksums newer SDKs add by default.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return boto3.session.Session().client(
            "s3", endpoint_url=endpoint, config=config
        )

    # Plumbing

    async def call(self, work: Callable[[], T]) -> T:
        """Run one blocking boto3 call in a worker thread; map its errors."""
        return await to_thread.run_sync(self._mapped, work)

    @staticmethod
    def _mapped(work: Callable[[], T]) -> T:
        try:
            return work()
        except botocore.exceptions.ClientError as exc:
            code = _error_code(exc)
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(f"No such content: {exc}") from exc
            raise StorageError(f"The object store refused: {exc}") from exc
        except botocore.exceptions.BotoCoreError as exc:
            raise StorageError(f"The object store could not be reached: {exc}") from exc

    def object_key(self, key: str) -> str:
        return f"{self.prefix}objects/{key}"

    def _chunk_key(self, upload: str, number: int) -> str:
        return f"{self.prefix}uploads/{upload}/{number:05d}"

    async def abort_multipart(self, object_key: str, upload_id: str) -> None:
        try:
            await self.call(
                lambda: self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=object_key, UploadId=upload_id
                )
            )
        except StorageError as exc:
            if _error_code(exc.__cause__ or exc) != "NoSuchUpload":
                raise

    # The BlobStore port

    def writer(self) -> S3Writer:
        return S3Writer(self)

    async def put(self, data: bytes) -> StoredBlob:
        writer = self.writer()
        await writer.write(data)
        return await writer.commit()

    async def read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        if end is not None and end <= start:
            return
        options: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if start > 0 or end is not None:
            last = "" if end is None else str(end - 1)
            options["Range"] = f"bytes={start}-{last}"
        try:
            answer = await self.call(lambda: self.client.get_object(**options))
        except StorageError as exc:
            # S3 answers 416 for a range starting at the end of the content.
            if _error_code(exc.__cause__ or exc) == "InvalidRange":
                return
            raise
        body = answer["Body"]
        try:
            while True:
                chunk = await self.call(lambda: body.read(_READ_SIZE))
                if not chunk:
                    break
                yield chunk
        finally:
            body.close()

    def local_path(self, key: str) -> Path | None:
        return None

    async def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            await self._delete_objects(
                [self.object_key(key) for key in keys[start : start + _DELETE_BATCH]]
            )

    async def _delete_objects(self, object_keys: list[str]) -> None:
        if not object_keys:
            return
        answer = await self.call(
            lambda: self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in object_keys], "Quiet": True},
            )
        )
        failed = answer.get("Errors") or []
        if failed:
            raise StorageError(f"The object store kept {len(failed)} objects: {failed}")

    async def copy(self, key: str) -> str:
        """Copy on the store's side; boto3 switches to a multipart copy past 5 GiB."""
        new_key = uuid.uuid4().hex
        source = {"Bucket": self.bucket, "Key": self.object_key(key)}
        await self.call(
            lambda: self.client.copy(source, self.bucket, self.object_key(new_key))
        )
        return new_key

    async def keys(self) -> AsyncIterator[str]:
        async for item in self._listing(f"{self.prefix}objects/"):
            yield item["Key"].removeprefix(f"{self.prefix}objects/")

    async def _listing(self, prefix: str) -> AsyncIterator[dict[str, Any]]:
        pages = iter(
            self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
        )
        while True:
            page = await self.call(lambda: next(pages, None))
            if page is None:
                return
            for item in page.get("Contents", ()):
                yield item

    async def clear_temporary(self, *, older_than: float | None = None) -> int:
        """Abort multipart uploads and drop session chunks abandoned long ago.

        Other nodes may be uploading right now, so only what is older than
        `older_than` seconds (by default the store's `stale_upload_age`) goes.
        """
        age = self.stale_upload_age if older_than is None else older_than
        cutoff = datetime.now(UTC) - timedelta(seconds=age)
        removed = 0
        pages = iter(
            self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
        )
        while True:
            page = await self.call(lambda: next(pages, None))
            if page is None:
                break
            for upload in page.get("Uploads", ()):
                if upload["Initiated"] >= cutoff:
                    continue
                # An upload session may run long; what counts is its last part.
                if await self._last_activity(upload) < cutoff:
                    await self.abort_multipart(upload["Key"], upload["UploadId"])
                    removed += 1
        stale = [
            item["Key"]
            async for item in self._listing(f"{self.prefix}uploads/")
            if item["LastModified"] < cutoff
        ]
        for start in range(0, len(stale), _DELETE_BATCH):
            await self._delete_objects(stale[start : start + _DELETE_BATCH])
        return removed + len(stale)

    async def _last_activity(self, upload: dict[str, Any]) -> datetime:
        """When a multipart upload last received a part (or began, if none)."""
        latest: datetime = upload["Initiated"]
        pages = iter(
            self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        )
        while True:
            try:
                page = await self.call(lambda: next(pages, None))
            except StorageError:
                return latest  # Completed or aborted meanwhile: nothing to do.
            if page is None:
                return latest
            for part in page.get("Parts", ()):
                latest = max(latest, part["LastModified"])

    async def ping(self) -> None:
        """Raise StorageError unless the bucket can be reached with our credentials."""
        await self.call(lambda: self.client.head_bucket(Bucket=self.bucket))

    def download_url(
        self, key: str, *, disposition: str, media_type: str, seconds: int
    ) -> str | None:
        """A pre-signed GET URL that serves the content with these headers."""
        return str(
            self._presigner.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.object_key(key),
                    "ResponseContentDisposition": disposition,
                    "ResponseContentType": media_type,
                },
                ExpiresIn=seconds,
            )
        )

    # Multipart uploads for upload sessions.
    #
    # A session is one S3 multipart upload, begun with the session, and each chunk
    # is sent on as a part of it as soon as it arrives, on whichever node it
    # arrives (the handle in the database is all a node needs). S3 refuses parts
    # under 5 MiB unless they are the last, and clients may choose small chunks, so
    # a chunk that is both small and not the end of the file is instead stored as
    # an object of its own under uploads/<id>/. Completion then takes one of two
    # roads:
    #  - every chunk is a part (the usual case, with chunks of the advertised
    #    10 MiB): S3 assembles the parts where they are;
    #  - some chunks are small objects: the parts are assembled first, then the
    #    whole content is composed anew in order, reading the assembled parts and
    #    the small chunks and writing parts of 8 MiB.
    # Either way the content is read once in order to compute its SHA-256, which
    # S3 cannot give for multipart content (its checksums there are of parts).
    # TODO: completing a large session therefore waits for one read of the whole
    # file from the store (about a second per 100-200 MB from a nearby store); a
    # node that received every chunk in order could keep their running hash.

    async def begin_upload(self, size: int) -> str:
        upload = uuid.uuid4().hex
        upload_id = await self.call(
            lambda: self.client.create_multipart_upload(
                Bucket=self.bucket, Key=self.object_key(upload)
            )["UploadId"]
        )
        return str(_Handle(upload, size, upload_id))

    async def write_part(
        self, handle: str, number: int, offset: int, data: AsyncIterable[bytes]
    ) -> UploadPart:
        found = _Handle.parse(handle)
        if found is None:
            raise ValueError(f"Not an upload handle of this store: {handle!r}")
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            size = await self._spool(data, spool)
            spool.seek(0)
            is_end = offset + size >= found.size
            if 1 <= number <= MAX_PARTS and (size >= MIN_PART or is_end):
                answer = await self.call(
                    lambda: self.client.upload_part(
                        Bucket=self.bucket,
                        Key=self.object_key(found.id),
                        UploadId=found.upload_id,
                        PartNumber=number,
                        Body=spool,
                        ContentLength=size,
                    )
                )
                return UploadPart(number, offset, size, str(answer["ETag"]))
            answer = await self.call(
                lambda: self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._chunk_key(found.id, number),
                    Body=spool,
                    ContentLength=size,
                )
            )
            return UploadPart(number, offset, size, _SMALL + str(answer["ETag"]))

    @staticmethod
    async def _spool(data: AsyncIterable[bytes], spool: IO[bytes]) -> int:
        size = 0
        pending = bytearray()
        async for piece in data:
            pending += piece
            size += len(piece)
            if len(pending) >= MIB:
                block, pending = bytes(pending), bytearray()
                await to_thread.run_sync(spool.write, block)
        if pending:
            await to_thread.run_sync(spool.write, bytes(pending))
        return size

    async def complete_upload(self, handle: str, parts: list[UploadPart]) -> StoredBlob:
        found = _Handle.parse(handle)
        if found is None:
            raise ValueError(f"Not an upload handle of this store: {handle!r}")
        ordered = sorted(parts, key=lambda part: (part.offset, part.number))
        total = sum(part.size for part in ordered)
        started = time.monotonic()
        if total == 0:
            await self.abort_upload(handle)
            return await self.put(b"")
        numbers = [part.number for part in ordered]
        direct = all(not part.etag.startswith(_SMALL) for part in ordered) and all(
            a < b for a, b in zip(numbers, numbers[1:], strict=False)
        )
        if direct:
            await self._complete_parts(found, ordered)
            digest = await self._sha256(found.id)
            key = found.id
        else:
            key, digest = await self._compose(found, ordered)
        await self._drop_chunks(found.id)
        log.info(
            "event=blob.upload_completed backend=s3 key=%s bytes=%d parts=%d "
            "direct=%s ms=%.0f",
            key,
            total,
            len(ordered),
            direct,
            1000 * (time.monotonic() - started),
        )
        return StoredBlob(key, total, digest)

    async def _complete_parts(self, found: _Handle, parts: list[UploadPart]) -> None:
        listed = [{"PartNumber": part.number, "ETag": part.etag} for part in parts]
        await self.call(
            lambda: self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.object_key(found.id),
                UploadId=found.upload_id,
                MultipartUpload={"Parts": listed},
            )
        )

    async def _sha256(self, key: str) -> str:
        def digest() -> str:
            answer = self.client.get_object(
                Bucket=self.bucket, Key=self.object_key(key)
            )
            hasher = hashlib.sha256()
            body = answer["Body"]
            try:
                for chunk in iter(lambda: body.read(_READ_SIZE), b""):
                    hasher.update(chunk)
            finally:
                body.close()
            return hasher.hexdigest()

        return await self.call(digest)

    async def _compose(
        self, found: _Handle, ordered: list[UploadPart]
    ) -> tuple[str, str]:
        """Write the content anew, in order, from assembled parts and small chunks."""
        direct = sorted(
            (part for part in ordered if not part.etag.startswith(_SMALL)),
            key=lambda part: part.number,
        )
        # Where each directly sent part lands in the object S3 assembles from them.
        position: dict[int, int] = {}
        if direct:
            await self._complete_parts(found, direct)
            at = 0
            for part in direct:
                position[part.number] = at
                at += part.size
        else:
            await self.abort_multipart(self.object_key(found.id), found.upload_id)
        writer = self.writer()
        try:
            for part in ordered:
                if part.etag.startswith(_SMALL):
                    source = self._read_object(self._chunk_key(found.id, part.number))
                else:
                    start = position[part.number]
                    source = self.read(found.id, start, start + part.size)
                async for chunk in source:
                    await writer.write(chunk)
            stored = await writer.commit()
        except BaseException:
            await writer.abort()
            raise
        finally:
            if direct:
                await self.delete([found.id])
        return stored.key, stored.sha256

    async def _read_object(self, object_key: str) -> AsyncIterator[bytes]:
        answer = await self.call(
            lambda: self.client.get_object(Bucket=self.bucket, Key=object_key)
        )
        body = answer["Body"]
        try:
            while True:
                chunk = await self.call(lambda: body.read(_READ_SIZE))
                if not chunk:
                    break
                yield chunk
        finally:
            body.close()

    async def _drop_chunks(self, upload: str) -> None:
        stale = [
            item["Key"]
            async for item in self._listing(f"{self.prefix}uploads/{upload}/")
        ]
        await self._delete_objects(stale)

    async def abort_upload(self, handle: str) -> None:
        found = _Handle.parse(handle)
        if found is None:
            return
        await self.abort_multipart(self.object_key(found.id), found.upload_id)
        await self._drop_chunks(found.id)

    async def aclose(self) -> None:
        return None
