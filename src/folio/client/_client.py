"""`Folio` and `AsyncFolio`: the same plans, run by a blocking or an async driver."""

from __future__ import annotations

import asyncio
import builtins
import concurrent.futures
import io
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, TypeVar

import httpx

from folio.client import _transfer
from folio.client._core import Conflict, Core, FileRef, FolderRef, ItemRef
from folio.client._models import (
    ApiKey,
    AuthToken,
    File,
    Folder,
    Listing,
    Operation,
    Profile,
    Version,
)
from folio.client._retry import Retry
from folio.client._steps import Parallel, Plan, Send, Sleep, Step, Stream
from folio.client._transfer import Checkpoint, Progress, UploadSource, UploadState

__all__ = ["AsyncFolio", "Folio"]

T = TypeVar("T")

PathLike = str | os.PathLike[str]


def _closed() -> RuntimeError:
    return RuntimeError("The client has been closed")


class Folio:
    """A blocking client for Folio and any DocSpace-compatible server.

    Give the server's URL and one kind of credentials: an API key (`sk-…`), a
    session token, or an e-mail and password (the client logs in on first use).
    Use it as a context manager, or call `close()` when done::

        with Folio("https://docs.example.com", api_key="sk-…") as folio:
            for entry in folio.entries():
                print(entry.title)

    Every failure raises a `ClientError`; nothing answers None.
    """

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        retry: Retry | int | None = None,
        parallel: int = 4,
        timeout: float | httpx.Timeout = 60.0,
        transport: httpx.BaseTransport | None = None,
        verify: bool | str = True,
    ) -> None:
        self._core = Core(
            url,
            api_key,
            token=token,
            email=email,
            password=password,
            retry=retry,
            parallel=parallel,
            timeout=timeout,
        )
        self._http = httpx.Client(
            transport=transport,
            verify=verify,
            timeout=self._core.timeout,
            follow_redirects=True,
            limits=httpx.Limits(max_connections=max(parallel, 10) + 2),
        )
        self._is_closed = False

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._core.url

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    # Lifecycle

    def close(self) -> None:
        """Close the connections; calling it again does nothing."""
        if not self._is_closed:
            self._is_closed = True
            self._http.close()

    def __enter__(self) -> Folio:
        if self._is_closed:
            raise _closed()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # The driver

    def _run(self, plan: Plan[T]) -> T:
        if self._is_closed:
            plan.close()
            raise _closed()
        value: Any = None
        error: Exception | None = None
        try:
            while True:
                try:
                    if error is not None:
                        step = plan.throw(error)
                    else:
                        step = plan.send(value)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = self._take(step)
                except Exception as exc:
                    error = exc
        finally:
            plan.close()

    def _take(self, step: Step) -> Any:
        if isinstance(step, Send):
            return self._http.send(step.request)
        if isinstance(step, Stream):
            response = self._http.send(step.request, stream=True)
            try:
                if step.accept(response):
                    for data in response.iter_bytes():
                        step.write(data)
                else:
                    response.read()
            finally:
                response.close()
            return response
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, Parallel):
            return self._parallel(step)
        raise TypeError(f"Unknown step {step!r}")

    def _parallel(self, step: Parallel) -> builtins.list[Any]:
        if step.limit <= 1 or len(step.plans) <= 1:
            results = []
            for index, plan in enumerate(step.plans):
                try:
                    results.append(self._run(plan))
                except BaseException:
                    for rest in step.plans[index + 1 :]:
                        rest.close()
                    raise
            return results
        workers = min(step.limit, len(step.plans))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            futures = [pool.submit(self._run, plan) for plan in step.plans]
            try:
                concurrent.futures.wait(
                    futures, return_when=concurrent.futures.FIRST_EXCEPTION
                )
            finally:
                for future, plan in zip(futures, step.plans, strict=True):
                    if future.cancel():
                        plan.close()
        for future in futures:
            if not future.cancelled() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
        return [future.result() for future in futures]

    # Account

    def authenticate(self) -> AuthToken:
        """Log in with the client's e-mail and password; return the session token."""
        return self._run(self._core.authenticate())

    def me(self) -> Profile:
        """Return the caller's own profile (people/@self)."""
        return self._run(self._core.me())

    def create_api_key(
        self,
        name: str,
        *,
        permissions: builtins.list[str] | None = None,
        expires_in_days: int | None = None,
    ) -> ApiKey:
        """Create an API key for the caller; its `key` is shown only this once."""
        return self._run(
            self._core.create_api_key(
                name, permissions=permissions, expires_in_days=expires_in_days
            )
        )

    # Reading

    def my_documents(self, **filters: Any) -> Listing:
        """Return the first page of My documents (filters as for `list`)."""
        return self._run(self._core.list("@my", **filters))

    def list(self, folder: FolderRef = "@my", **filters: Any) -> Listing:
        """Return one page of a folder: folders first, then files.

        Filters: `start`, `count` (1–100), `sort_by` (DocSpace's SortedByType
        name, such as "AZ" or "DateAndTime"; DocSpace remembers it as the user's
        default), `descending`, `filter_type` (FilterType code), `search`,
        `extension`, `subfolders`; other keywords are sent as query parameters.
        """
        return self._run(self._core.list(folder, **filters))

    def pages(self, folder: FolderRef = "@my", **filters: Any) -> Iterator[Listing]:
        """Yield every page of a folder, one request each."""
        start: int | None = filters.pop("start", 0)
        while start is not None:
            page = self.list(folder, start=start, **filters)
            yield page
            start = page.next_start

    def entries(
        self, folder: FolderRef = "@my", **filters: Any
    ) -> Iterator[File | Folder]:
        """Yield every entry of a folder across all pages."""
        for page in self.pages(folder, **filters):
            yield from page.entries

    def trash(self, **filters: Any) -> Listing:
        """Return the first page of Trash."""
        return self._run(self._core.list("@trash", **filters))

    def find(self, path: str, *, root: FolderRef = "@my") -> File | Folder:
        """Return the entry at a path such as "Projects/2026/report.docx"."""
        return self._run(self._core.find(path, root=root))

    def get_file(self, file: FileRef, *, version: int | None = None) -> File:
        """Return a file's information, at a given version if asked."""
        return self._run(self._core.get_file(file, version=version))

    def get_folder(self, folder: FolderRef) -> Folder:
        """Return a folder's information."""
        return self._run(self._core.get_folder(folder))

    def versions(self, file: FileRef) -> builtins.list[Version]:
        """Return the stored versions of a file."""
        return self._run(self._core.versions(file))

    def operations(self) -> builtins.list[Operation]:
        """Return the caller's file operations that are running or just finished."""
        return self._run(self._core.operations())

    def chunk_size(self) -> int:
        """Return the server's chunk size for chunked uploads."""
        return self._run(self._core.chunk_size())

    # Transfers

    def upload(
        self,
        source: UploadSource,
        folder: FolderRef = "@my",
        *,
        title: str | None = None,
        create_new: bool = False,
        chunked: bool | None = None,
        chunk_size: int | None = None,
        parallel: int | None = None,
        progress: Progress | None = None,
        resume: UploadState | None = None,
        checkpoint: Checkpoint | None = None,
        size: int | None = None,
    ) -> File:
        """Upload a path, bytes or a binary stream into a folder; return the file.

        Up to the server's chunk size the file goes in one request; beyond, in a
        chunked session whose chunks go `parallel` at a time. A same-titled file
        gets a new version, as in DocSpace, unless `create_new` asks for a
        numbered copy. If the upload breaks, `UploadInterrupted.state` resumes it
        (`resume=`); `checkpoint` is called with that state as it advances.
        `progress(done, total)` follows the bytes.
        """
        return self._run(
            _transfer.upload(
                self._core,
                source,
                folder,
                title=title,
                create_new=create_new,
                chunked=chunked,
                chunk_size=chunk_size,
                parallel=parallel,
                progress=progress,
                resume=resume,
                checkpoint=checkpoint,
                size=size,
            )
        )

    def download(
        self,
        file: FileRef,
        dest: PathLike | None = None,
        *,
        version: int | None = None,
        progress: Progress | None = None,
    ) -> Path:
        """Download a file to `dest` (a path or a folder; default: its title here).

        The bytes stream to a hidden partial file next to `dest`, which becomes
        `dest` once complete; a broken connection resumes with a Range request,
        and so does a later call after `DownloadInterrupted`.
        """
        return self._run(
            _transfer.download(
                self._core, file, dest, version=version, progress=progress
            )
        )

    def download_to(
        self,
        file: FileRef,
        stream: BinaryIO,
        *,
        version: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Download a file into an open binary stream; return the bytes written."""
        return self._run(
            _transfer.download_to(
                self._core, file, stream, version=version, progress=progress
            )
        )

    def read(self, file: FileRef, *, version: int | None = None) -> bytes:
        """Return a file's content (meant for small files)."""
        buffer = io.BytesIO()
        self.download_to(file, buffer, version=version)
        return buffer.getvalue()

    # Writing

    def create(
        self, title: str, folder: FolderRef = "@my", *, keep_extension: bool = False
    ) -> File:
        """Create a new document from DocSpace's blank of its kind ("Plan.docx")."""
        return self._run(
            self._core.create(title, folder, keep_extension=keep_extension)
        )

    def mkdir(self, title: str, folder: FolderRef = "@my") -> Folder:
        """Create a folder."""
        return self._run(self._core.mkdir(title, folder))

    def delete(
        self,
        *items: ItemRef,
        folders: Iterable[int | Folder] = (),
        immediately: bool = False,
        wait: bool = True,
    ) -> Operation:
        """Move items to Trash, or delete them for good with `immediately`.

        Items already in Trash are deleted for good. Bare ids name files; pass
        folder ids as `folders=`. Waits for the operation unless `wait` is False.
        """
        return self._run(
            self._core.delete(
                items, folders=folders, immediately=immediately, wait=wait
            )
        )

    def move(
        self,
        *items: ItemRef,
        to: FolderRef,
        folders: Iterable[int | Folder] = (),
        conflict: Conflict | None = None,
        wait: bool = True,
    ) -> Operation:
        """Move items into a folder; `conflict`: "skip", "overwrite" or "duplicate"."""
        return self._run(
            self._core.transfer(
                "move", items, to, folders=folders, conflict=conflict, wait=wait
            )
        )

    def copy(
        self,
        *items: ItemRef,
        to: FolderRef,
        folders: Iterable[int | Folder] = (),
        conflict: Conflict | None = None,
        wait: bool = True,
    ) -> Operation:
        """Copy items into a folder."""
        return self._run(
            self._core.transfer(
                "copy", items, to, folders=folders, conflict=conflict, wait=wait
            )
        )

    def duplicate(
        self,
        *items: ItemRef,
        folders: Iterable[int | Folder] = (),
        wait: bool = True,
    ) -> Operation:
        """Copy items in place, next to themselves."""
        return self._run(self._core.duplicate(items, folders=folders, wait=wait))

    def restore(
        self,
        *items: ItemRef,
        folders: Iterable[int | Folder] = (),
        to: FolderRef | None = None,
        wait: bool = True,
    ) -> builtins.list[Operation]:
        """Move items out of Trash, back where they came from unless `to` says."""
        return self._run(self._core.restore(items, folders=folders, to=to, wait=wait))

    def empty_trash(self, *, wait: bool = True) -> Operation:
        """Delete everything in Trash for good."""
        return self._run(self._core.empty_trash(wait=wait))

    def wait(
        self, operation: Operation | str, *, timeout: float = 600.0, check: bool = True
    ) -> Operation:
        """Wait for a file operation; raise OperationFailed if it reports an error."""
        return self._run(self._core.wait(operation, timeout=timeout, check=check))


class AsyncFolio:
    """The asyncio twin of `Folio`: the same methods, to be awaited.

    Chunks of an upload go in parallel as tasks::

        async with AsyncFolio(url, api_key=key) as folio:
            file = await folio.upload("video.mp4", folder=folder)
    """

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        retry: Retry | int | None = None,
        parallel: int = 4,
        timeout: float | httpx.Timeout = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | str = True,
    ) -> None:
        self._core = Core(
            url,
            api_key,
            token=token,
            email=email,
            password=password,
            retry=retry,
            parallel=parallel,
            timeout=timeout,
        )
        self._http = httpx.AsyncClient(
            transport=transport,
            verify=verify,
            timeout=self._core.timeout,
            follow_redirects=True,
            limits=httpx.Limits(max_connections=max(parallel, 10) + 2),
        )
        self._is_closed = False

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._core.url

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    async def aclose(self) -> None:
        """Close the connections; calling it again does nothing."""
        if not self._is_closed:
            self._is_closed = True
            await self._http.aclose()

    async def __aenter__(self) -> AsyncFolio:
        if self._is_closed:
            raise _closed()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self, plan: Plan[T]) -> T:
        if self._is_closed:
            plan.close()
            raise _closed()
        value: Any = None
        error: Exception | None = None
        try:
            while True:
                try:
                    if error is not None:
                        step = plan.throw(error)
                    else:
                        step = plan.send(value)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = await self._take(step)
                except Exception as exc:
                    error = exc
        finally:
            plan.close()

    async def _take(self, step: Step) -> Any:
        if isinstance(step, Send):
            return await self._http.send(step.request)
        if isinstance(step, Stream):
            response = await self._http.send(step.request, stream=True)
            try:
                if step.accept(response):
                    async for data in response.aiter_bytes():
                        step.write(data)
                else:
                    await response.aread()
            finally:
                await response.aclose()
            return response
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, Parallel):
            return await self._parallel(step)
        raise TypeError(f"Unknown step {step!r}")

    async def _parallel(self, step: Parallel) -> builtins.list[Any]:
        gate = asyncio.Semaphore(max(step.limit, 1))

        async def limited(plan: Plan[Any]) -> Any:
            async with gate:
                return await self._run(plan)

        tasks = [asyncio.create_task(limited(plan)) for plan in step.plans]
        if not tasks:
            return []
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            unfinished = [task for task in tasks if not task.done()]
            for task in unfinished:
                task.cancel()
            if unfinished:
                await asyncio.wait(unfinished)
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        return [task.result() for task in tasks]

    # Account

    async def authenticate(self) -> AuthToken:
        """Log in with the client's e-mail and password; return the session token."""
        return await self._run(self._core.authenticate())

    async def me(self) -> Profile:
        """Return the caller's own profile (people/@self)."""
        return await self._run(self._core.me())

    async def create_api_key(
        self,
        name: str,
        *,
        permissions: builtins.list[str] | None = None,
        expires_in_days: int | None = None,
    ) -> ApiKey:
        """Create an API key for the caller; its `key` is shown only this once."""
        return await self._run(
            self._core.create_api_key(
                name, permissions=permissions, expires_in_days=expires_in_days
            )
        )

    # Reading

    async def my_documents(self, **filters: Any) -> Listing:
        """Return the first page of My documents (filters as for `list`)."""
        return await self._run(self._core.list("@my", **filters))

    async def list(self, folder: FolderRef = "@my", **filters: Any) -> Listing:
        """Return one page of a folder (see `Folio.list` for the filters)."""
        return await self._run(self._core.list(folder, **filters))

    async def pages(
        self, folder: FolderRef = "@my", **filters: Any
    ) -> AsyncIterator[Listing]:
        """Yield every page of a folder, one request each."""
        start: int | None = filters.pop("start", 0)
        while start is not None:
            page = await self.list(folder, start=start, **filters)
            yield page
            start = page.next_start

    async def entries(
        self, folder: FolderRef = "@my", **filters: Any
    ) -> AsyncIterator[File | Folder]:
        """Yield every entry of a folder across all pages."""
        async for page in self.pages(folder, **filters):
            for entry in page.entries:
                yield entry

    async def trash(self, **filters: Any) -> Listing:
        """Return the first page of Trash."""
        return await self._run(self._core.list("@trash", **filters))

    async def find(self, path: str, *, root: FolderRef = "@my") -> File | Folder:
        """Return the entry at a path such as "Projects/2026/report.docx"."""
        return await self._run(self._core.find(path, root=root))

    async def get_file(self, file: FileRef, *, version: int | None = None) -> File:
        """Return a file's information, at a given version if asked."""
        return await self._run(self._core.get_file(file, version=version))

    async def get_folder(self, folder: FolderRef) -> Folder:
        """Return a folder's information."""
        return await self._run(self._core.get_folder(folder))

    async def versions(self, file: FileRef) -> builtins.list[Version]:
        """Return the stored versions of a file."""
        return await self._run(self._core.versions(file))

    async def operations(self) -> builtins.list[Operation]:
        """Return the caller's file operations that are running or just finished."""
        return await self._run(self._core.operations())

    async def chunk_size(self) -> int:
        """Return the server's chunk size for chunked uploads."""
        return await self._run(self._core.chunk_size())

    # Transfers

    async def upload(
        self,
        source: UploadSource,
        folder: FolderRef = "@my",
        *,
        title: str | None = None,
        create_new: bool = False,
        chunked: bool | None = None,
        chunk_size: int | None = None,
        parallel: int | None = None,
        progress: Progress | None = None,
        resume: UploadState | None = None,
        checkpoint: Checkpoint | None = None,
        size: int | None = None,
    ) -> File:
        """Upload a path, bytes or a binary stream (see `Folio.upload`)."""
        return await self._run(
            _transfer.upload(
                self._core,
                source,
                folder,
                title=title,
                create_new=create_new,
                chunked=chunked,
                chunk_size=chunk_size,
                parallel=parallel,
                progress=progress,
                resume=resume,
                checkpoint=checkpoint,
                size=size,
            )
        )

    async def download(
        self,
        file: FileRef,
        dest: PathLike | None = None,
        *,
        version: int | None = None,
        progress: Progress | None = None,
    ) -> Path:
        """Download a file to `dest`, resuming as needed (see `Folio.download`)."""
        return await self._run(
            _transfer.download(
                self._core, file, dest, version=version, progress=progress
            )
        )

    async def download_to(
        self,
        file: FileRef,
        stream: BinaryIO,
        *,
        version: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Download a file into an open binary stream; return the bytes written."""
        return await self._run(
            _transfer.download_to(
                self._core, file, stream, version=version, progress=progress
            )
        )

    async def read(self, file: FileRef, *, version: int | None = None) -> bytes:
        """Return a file's content (meant for small files)."""
        buffer = io.BytesIO()
        await self.download_to(file, buffer, version=version)
        return buffer.getvalue()

    # Writing

    async def create(
        self, title: str, folder: FolderRef = "@my", *, keep_extension: bool = False
    ) -> File:
        """Create a new document from DocSpace's blank of its kind."""
        return await self._run(
            self._core.create(title, folder, keep_extension=keep_extension)
        )

    async def mkdir(self, title: str, folder: FolderRef = "@my") -> Folder:
        """Create a folder."""
        return await self._run(self._core.mkdir(title, folder))

    async def delete(
        self,
        *items: ItemRef,
        folders: Iterable[int | Folder] = (),
        immediately: bool = False,
        wait: bool = True,
    ) -> Operation:
        """Move items to Trash, or delete them for good (see `Folio.delete`)."""
        return await self._run(
            self._core.delete(
                items, folders=folders, immediately=immediately, wait=wait
            )
        )

    async def move(
        self,
        *items: ItemRef,
        to: FolderRef,
        folders: Iterable[int | Folder] = (),
        conflict: Conflict | None = None,
        wait: bool = True,
    ) -> Operation:
        """Move items into a folder."""
        return await self._run(
            self._core.transfer(
                "move", items, to, folders=folders, conflict=conflict, wait=wait
            )
        )

    async def copy(
        self,
        *items: ItemRef,
        to: FolderRef,
        folders: Iterable[int | Folder] = (),
        conflict: Conflict | None = None,
        wait: bool = True,
    ) -> Operation:
        """Copy items into a folder."""
        return await self._run(
            self._core.transfer(
                "copy", items, to, folders=folders, conflict=conflict, wait=wait
            )
        )

    async def duplicate(
        self,
        *items: ItemRef,
        folders: Iterable[int | Folder] = (),
        wait: bool = True,
    ) -> Operation:
        """Copy items in place, next to themselves."""
        return await self._run(self._core.duplicate(items, folders=folders, wait=wait))

    async def restore(
        self,
        *items: ItemRef,
        folders: Iterable[int | Folder] = (),
        to: FolderRef | None = None,
        wait: bool = True,
    ) -> builtins.list[Operation]:
        """Move items out of Trash, back where they came from unless `to` says."""
        return await self._run(
            self._core.restore(items, folders=folders, to=to, wait=wait)
        )

    async def empty_trash(self, *, wait: bool = True) -> Operation:
        """Delete everything in Trash for good."""
        return await self._run(self._core.empty_trash(wait=wait))

    async def wait(
        self, operation: Operation | str, *, timeout: float = 600.0, check: bool = True
    ) -> Operation:
        """Wait for a file operation; raise OperationFailed if it reports an error."""
        return await self._run(self._core.wait(operation, timeout=timeout, check=check))
