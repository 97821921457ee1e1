"""The one implementation behind `Folio` and `AsyncFolio`.

Each public method is a plan (see `_steps`): it builds requests, yields them to
the driver, retries, unwraps DocSpace's envelope and maps errors. Nothing here
does I/O by itself, so the sync and async clients cannot drift apart.
"""

from __future__ import annotations

import json as jsonlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import httpx

from folio.client import _transfer
from folio.client._errors import (
    AmbiguousName,
    NotFound,
    OperationFailed,
    OperationTimeout,
    ProtocolError,
    TransportError,
    error_from_response,
    retry_after,
)
from folio.client._models import (
    ApiKey,
    AuthToken,
    File,
    Folder,
    Listing,
    Operation,
    OperationType,
    Profile,
    Version,
)
from folio.client._retry import Retry
from folio.client._steps import Plan, Send, Sleep
from folio.client._wire import describe, payload, query

__all__ = ["Core", "FileRef", "FolderRef", "ItemRef"]

log = logging.getLogger(__name__)

USER_AGENT = "folio-client/0.1"

#: A folder: its id, "@my" or "@trash", or a Folder or Listing already fetched.
FolderRef = int | str | Folder | Listing
#: A file: its id or a File already fetched.
FileRef = int | File
#: Files and folders for operations on several items; a bare id names a file.
ItemRef = int | File | Folder

Conflict = Literal["skip", "overwrite", "duplicate"]
_CONFLICTS = {"skip": "Skip", "overwrite": "Overwrite", "duplicate": "Duplicate"}

_NO_BODY = object()

# How often to ask about a running operation: quickly at first, then every second.
_POLL_FIRST, _POLL_GROWTH, _POLL_MAX = 0.05, 1.5, 1.0


class Core:
    """Configuration and plans shared by the sync and async clients."""

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
    ) -> None:
        if not url or "://" not in url:
            raise ValueError(
                f"The server URL must start with http:// or https://: {url!r}"
            )
        given = [api_key is not None, token is not None, email is not None]
        if sum(given) > 1:
            raise ValueError("Give one of api_key, token, or email and password")
        if (email is None) != (password is None):
            raise ValueError("A password login needs both email and password")
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        self.url = url.rstrip("/")
        self._api_key = api_key
        self._token = token
        self._email = email
        self._password = password
        if isinstance(retry, int):
            retry = Retry(attempts=retry + 1)
        self.retry = retry or Retry()
        self.parallel = parallel
        self.timeout = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
        # Ids that never change for a user, fetched once.
        self._section_ids: dict[str, int] = {}
        self._chunk_size: int | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    # Requests

    def _headers(self, accept: str = "application/json") -> dict[str, str]:
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        if self._api_key is not None:
            headers["Authorization"] = f"Bearer {self._api_key}"
        elif self._token is not None:
            # A session token goes bare, which DocSpace reads as its cookie handler.
            headers["Authorization"] = self._token
        return headers

    def build(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _NO_BODY,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
    ) -> httpx.Request:
        """A request to `path` on the server, with the client's credentials."""
        all_headers = self._headers(accept)
        all_headers.update(headers or {})
        content = None
        if json is not _NO_BODY:
            content = jsonlib.dumps(json).encode()
            all_headers["Content-Type"] = "application/json"
        return httpx.Request(
            method,
            self.url + path,
            params=query(params),
            content=content,
            files=files,
            headers=all_headers,
            extensions={"timeout": self.timeout.as_dict()},
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _NO_BODY,
        files: Callable[[], Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Plan[httpx.Response]:
        """Send a request until it succeeds or the retry policy gives up.

        `files` is called for every attempt, so that each sends a fresh body.
        Returns the successful response; raises the mapped error otherwise.
        """
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "OPTIONS")
        attempt = 0
        logged_in_again = False
        while True:
            attempt += 1
            yield from self._ensure_token()
            request = self.build(
                method,
                path,
                params=params,
                json=json,
                files=files() if files else None,
                headers=headers,
            )
            try:
                response: httpx.Response = yield Send(request)
            except httpx.TransportError as exc:
                if self.retry.should_retry_error(exc, attempt, idempotent=idempotent):
                    yield from self.pause(request, attempt, None, describe(exc))
                    continue
                raise TransportError(describe(exc), request=request) from exc
            if response.is_success:
                return response
            status = response.status_code
            if status == 401 and self._password is not None and not logged_in_again:
                # The session token expired: log in again once, then repeat.
                logged_in_again = True
                self._token = None
                attempt -= 1
                continue
            if self.retry.should_retry_status(status, idempotent=idempotent):
                wait = self.retry.wait_for_status(
                    status, retry_after(response), attempt
                )
                if wait is not None:
                    yield from self.pause(request, attempt, wait, str(status))
                    continue
            raise error_from_response(response)

    def pause(
        self, request: httpx.Request, attempt: int, wait: float | None, why: str
    ) -> Plan[None]:
        seconds = self.retry.delay(attempt) if wait is None else wait
        log.info(
            "event=client.retry method=%s path=%s reason=%r attempt=%d wait=%.2f",
            request.method,
            request.url.path,
            why,
            attempt,
            seconds,
        )
        yield Sleep(seconds)

    def api(
        self,
        method: str,
        path: str,
        **options: Any,
    ) -> Plan[Any]:
        """Call the API and return the payload of DocSpace's envelope."""
        response = yield from self.call(method, path, **options)
        return payload(response)

    def _ensure_token(self) -> Plan[None]:
        if self._password is None or self._token is not None:
            return
        yield from self.authenticate()

    def authenticate(self) -> Plan[AuthToken]:
        """Log in with the e-mail and password; later requests use the token."""
        if self._email is None or self._password is None:
            raise RuntimeError("This client was not given an e-mail and password")
        request = self.build(
            "POST",
            "/api/2.0/authentication",
            json={"userName": self._email, "password": self._password},
        )
        try:
            response = yield Send(request)
        except httpx.TransportError as exc:
            raise TransportError(describe(exc), request=request) from exc
        if not response.is_success:
            raise error_from_response(response)
        found = AuthToken.from_wire(payload(response))
        self._token = found.token
        return found

    # Sections and references

    def section_id(self, section: str) -> Plan[int]:
        """The id of "@my" or "@trash", asked once per client."""
        if section not in self._section_ids:
            found = yield from self.list(section, count=1)
            self._section_ids[section] = found.folder.id
        return self._section_ids[section]

    def folder_segment(self, folder: FolderRef) -> str:
        """How a folder appears in a listing path: "@my", "@trash" or its id."""
        if isinstance(folder, Listing):
            return str(folder.folder.id)
        if isinstance(folder, Folder):
            return str(folder.id)
        if isinstance(folder, bool):
            raise TypeError("A folder is an id, '@my', '@trash' or a Folder")
        if isinstance(folder, int):
            return str(folder)
        if isinstance(folder, str):
            text = folder.strip()
            if text.lower() in ("@my", "@trash"):
                return text.lower()
            if text.isdigit():
                return text
            raise ValueError(
                f"{folder!r} is not a folder id; use find() to look up a path"
            )
        raise TypeError(f"Not a folder: {folder!r}")

    def folder_id(self, folder: FolderRef) -> Plan[int]:
        """The numeric id of a folder, asking the server for a section's."""
        segment = self.folder_segment(folder)
        if segment.startswith("@"):
            return (yield from self.section_id(segment))
        return int(segment)

    @staticmethod
    def file_id(file: FileRef) -> int:
        if isinstance(file, File):
            return file.id
        if isinstance(file, bool) or not isinstance(file, int):
            if isinstance(file, str) and file.strip().isdigit():
                return int(file)
            raise TypeError(f"Not a file: {file!r}")
        return file

    @staticmethod
    def split_items(
        items: Iterable[ItemRef], folders: Iterable[int | Folder]
    ) -> tuple[list[int], list[int]]:
        """File ids and folder ids of a mixed list; bare ids are files."""
        file_ids: list[int] = []
        folder_ids: list[int] = [f.id if isinstance(f, Folder) else f for f in folders]
        for item in items:
            if isinstance(item, Folder):
                folder_ids.append(item.id)
            else:
                file_ids.append(Core.file_id(item))
        return file_ids, folder_ids

    # Reading

    def me(self) -> Plan[Profile]:
        return Profile.from_wire((yield from self.api("GET", "/api/2.0/people/@self")))

    def list(
        self,
        folder: FolderRef = "@my",
        *,
        start: int = 0,
        count: int = 100,
        sort_by: str | None = None,
        descending: bool | None = None,
        filter_type: int | None = None,
        search: str | None = None,
        extension: str | Iterable[str] | None = None,
        subfolders: bool | None = None,
        **extra: Any,
    ) -> Plan[Listing]:
        params: dict[str, Any] = {"startIndex": start, "count": count}
        if sort_by is not None:
            params["sortBy"] = sort_by
        if descending is not None:
            params["sortOrder"] = 1 if descending else 0
        if filter_type is not None:
            params["filterType"] = int(filter_type)
        if search:
            params["filterValue"] = search
        if extension is not None:
            params["extension"] = (
                extension if isinstance(extension, str) else ",".join(extension)
            )
        if subfolders is not None:
            params["withSubFolders"] = subfolders
        params.update(extra)
        segment = self.folder_segment(folder)
        data = yield from self.api("GET", f"/api/2.0/files/{segment}", params=params)
        listing = Listing.from_wire(data)
        if segment.startswith("@"):
            self._section_ids.setdefault(segment, listing.folder.id)
        return listing

    def get_file(self, file: FileRef, *, version: int | None = None) -> Plan[File]:
        params = {"version": version} if version else None
        data = yield from self.api(
            "GET", f"/api/2.0/files/file/{self.file_id(file)}", params=params
        )
        return File.from_wire(data)

    def get_folder(self, folder: FolderRef) -> Plan[Folder]:
        folder_id = yield from self.folder_id(folder)
        data = yield from self.api("GET", f"/api/2.0/files/folder/{folder_id}")
        return Folder.from_wire(data)

    def child(self, folder: Folder, name: str) -> Plan[File | Folder]:
        """The entry titled `name` directly inside `folder`.

        The server's text filter narrows the search; titles are then compared
        exactly (or, failing that, ignoring case), and only direct children count.
        """
        exact: list[File | Folder] = []
        loose: list[File | Folder] = []
        for search in (name, None):
            start: int | None = 0
            while start is not None:
                page = yield from self.list(
                    folder, start=start, search=search, subfolders=False
                )
                for entry in page.entries:
                    parent = entry.parent_id if isinstance(entry, Folder) else (
                        entry.folder_id
                    )  # fmt: skip
                    if parent != folder.id:
                        continue
                    if entry.title == name:
                        exact.append(entry)
                    elif entry.title.casefold() == name.casefold():
                        loose.append(entry)
                start = page.next_start
            # A portal's full-text index may not find a title by substring; only
            # then is the folder read whole.
            if exact or loose:
                break
        found = exact or loose
        if not found:
            raise NotFound(f"There is no '{name}' in {folder.title}", status=404)
        if len(found) > 1:
            raise AmbiguousName(
                f"{len(found)} items in {folder.title} are named '{name}'; "
                f"name one by id ({', '.join(str(e.id) for e in found)})",
                ids=[e.id for e in found],
            )
        return found[0]

    def find(self, path: str, *, root: FolderRef = "@my") -> Plan[File | Folder]:
        """Look up "Projects/2026/report.docx" under `root` (My documents).

        A path may start with "@my/" or "@trash/" to choose the section.
        """
        parts = [part for part in path.replace("\\", "/").split("/") if part]
        if parts and parts[0].lower() in ("@my", "@trash"):
            root = parts.pop(0).lower()
        listing = yield from self.list(root, count=1)
        current: File | Folder = listing.folder
        walked: list[str] = []
        for part in parts:
            if not isinstance(current, Folder):
                raise NotFound(
                    f"'{'/'.join(walked)}' is a file, not a folder", status=404
                )
            current = yield from self.child(current, part)
            walked.append(part)
        return current

    def versions(self, file: FileRef) -> Plan[list[Version]]:
        data = yield from self.api(
            "GET", f"/api/2.0/files/file/{self.file_id(file)}/history"
        )
        if not isinstance(data, list):
            raise ProtocolError("The server's version history is not a list")
        return [Version.from_wire(item) for item in data]

    def operations(self) -> Plan[list[Operation]]:
        data = yield from self.api("GET", "/api/2.0/files/fileops")
        return [Operation.from_wire(item) for item in data or []]

    def chunk_size(self) -> Plan[int]:
        """The server's chunk size for chunked uploads (DocSpace: 10 MiB)."""
        if self._chunk_size is None:
            try:
                data = yield from self.api("GET", "/api/2.0/files/settings")
                size = data.get("chunkUploadSize") if isinstance(data, dict) else None
            except (NotFound, ProtocolError):
                size = None
            self._chunk_size = size if isinstance(size, int) and size > 0 else (
                _transfer.DEFAULT_CHUNK_SIZE
            )  # fmt: skip
        return self._chunk_size

    # Writing

    def create(
        self, title: str, folder: FolderRef = "@my", *, keep_extension: bool = False
    ) -> Plan[File]:
        body: dict[str, Any] = {"title": title}
        if keep_extension:
            body["enableExternalExt"] = True
        segment = self.folder_segment(folder)
        data = yield from self.api("POST", f"/api/2.0/files/{segment}/file", json=body)
        return File.from_wire(data)

    def mkdir(self, title: str, folder: FolderRef = "@my") -> Plan[Folder]:
        parent = yield from self.folder_id(folder)
        data = yield from self.api(
            "POST", f"/api/2.0/files/folder/{parent}", json={"title": title}
        )
        return Folder.from_wire(data)

    def create_api_key(
        self,
        name: str,
        *,
        permissions: list[str] | None = None,
        expires_in_days: int | None = None,
    ) -> Plan[ApiKey]:
        body: dict[str, Any] = {"name": name}
        if permissions is not None:
            body["permissions"] = permissions
        if expires_in_days is not None:
            body["expiresInDays"] = expires_in_days
        data = yield from self.api("POST", "/api/2.0/keys", json=body)
        return ApiKey.from_wire(data)

    # File operations

    def _started(self, data: Any, kind: OperationType) -> Operation:
        if not isinstance(data, list) or not data:
            raise ProtocolError("The server did not report the operation it started")
        operations = [Operation.from_wire(item) for item in data]
        # The new operation comes first; others of its kind may follow.
        return next((op for op in operations if op.type == kind), operations[0])

    def _finish(self, operation: Operation, wait: bool) -> Plan[Operation]:
        if not wait:
            return operation
        return (yield from self.wait(operation))

    def delete(
        self,
        items: Iterable[ItemRef],
        *,
        folders: Iterable[int | Folder] = (),
        immediately: bool = False,
        wait: bool = True,
    ) -> Plan[Operation]:
        file_ids, folder_ids = self.split_items(items, folders)
        body = {"deleteAfter": False, "immediately": immediately}
        if len(file_ids) + len(folder_ids) == 0:
            raise ValueError("Nothing to delete")
        if len(file_ids) == 1 and not folder_ids:
            data = yield from self.api(
                "DELETE",
                f"/api/2.0/files/file/{file_ids[0]}",
                json=body,
                params={"returnSingleOperation": True},
            )
        elif len(folder_ids) == 1 and not file_ids:
            data = yield from self.api(
                "DELETE", f"/api/2.0/files/folder/{folder_ids[0]}", json=body
            )
        else:
            data = yield from self.api(
                "PUT",
                "/api/2.0/files/fileops/delete",
                json={
                    **body,
                    "fileIds": file_ids,
                    "folderIds": folder_ids,
                    "returnSingleOperation": True,
                },
            )
        operation = self._started(data, OperationType.DELETE)
        return (yield from self._finish(operation, wait))

    def transfer(
        self,
        kind: Literal["move", "copy"],
        items: Iterable[ItemRef],
        to: FolderRef,
        *,
        folders: Iterable[int | Folder] = (),
        conflict: Conflict | None = None,
        wait: bool = True,
    ) -> Plan[Operation]:
        """Move or copy items into a folder."""
        file_ids, folder_ids = self.split_items(items, folders)
        destination = yield from self.folder_id(to)
        body: dict[str, Any] = {
            "fileIds": file_ids,
            "folderIds": folder_ids,
            "destFolderId": destination,
            "deleteAfter": False,
            "content": False,
            "returnSingleOperation": True,
        }
        if conflict is not None:
            if conflict not in _CONFLICTS:
                raise ValueError(f"conflict must be one of {', '.join(_CONFLICTS)}")
            body["conflictResolveType"] = _CONFLICTS[conflict]
        data = yield from self.api("PUT", f"/api/2.0/files/fileops/{kind}", json=body)
        kind_code = OperationType.MOVE if kind == "move" else OperationType.COPY
        operation = self._started(data, kind_code)
        return (yield from self._finish(operation, wait))

    def duplicate(
        self,
        items: Iterable[ItemRef],
        *,
        folders: Iterable[int | Folder] = (),
        wait: bool = True,
    ) -> Plan[Operation]:
        file_ids, folder_ids = self.split_items(items, folders)
        data = yield from self.api(
            "PUT",
            "/api/2.0/files/fileops/duplicate",
            json={"fileIds": file_ids, "folderIds": folder_ids},
        )
        operation = self._started(data, OperationType.DUPLICATE)
        return (yield from self._finish(operation, wait))

    def restore(
        self,
        items: Iterable[ItemRef],
        *,
        folders: Iterable[int | Folder] = (),
        to: FolderRef | None = None,
        wait: bool = True,
    ) -> Plan[list[Operation]]:
        """Move items out of Trash: to `to`, or each back where it came from.

        DocSpace has no restore endpoint; a restore is a move out of Trash to the
        item's `originId`. Items whose origin is gone go to My documents.
        """
        entries: list[File | Folder] = []
        for item in items:
            if isinstance(item, File | Folder):
                entries.append(item)
            else:
                entries.append((yield from self.get_file(item)))
        for folder in folders:
            entries.append(
                folder if isinstance(folder, Folder) else (
                    yield from self.get_folder(folder)
                )
            )  # fmt: skip
        if not entries:
            raise ValueError("Nothing to restore")
        groups: dict[int, list[File | Folder]] = {}
        fallback = None
        for entry in entries:
            if to is not None:
                destination = yield from self.folder_id(to)
            elif entry.origin_id:
                destination = entry.origin_id
            else:
                if fallback is None:
                    fallback = yield from self.section_id("@my")
                destination = fallback
            groups.setdefault(destination, []).append(entry)
        done = []
        for destination, group in groups.items():
            done.append(
                (
                    yield from self.transfer(
                        "move",
                        [e for e in group if not isinstance(e, Folder)],
                        destination,
                        folders=[e for e in group if isinstance(e, Folder)],
                        wait=wait,
                    )
                )
            )
        return done

    def empty_trash(self, *, wait: bool = True) -> Plan[Operation]:
        data = yield from self.api(
            "PUT", "/api/2.0/files/fileops/emptytrash", params={"single": True}
        )
        operation = self._started(data, OperationType.DELETE)
        return (yield from self._finish(operation, wait))

    def wait(
        self,
        operation: Operation | str,
        *,
        timeout: float = 600.0,
        check: bool = True,
    ) -> Plan[Operation]:
        """Poll until the operation finishes; raise OperationFailed on its error.

        An operation that is no longer listed has finished and been reported
        already (DocSpace reports a finished operation once): the last state seen
        is returned, marked finished.
        """
        last = (
            operation
            if isinstance(operation, Operation)
            else Operation.from_wire({"id": operation, "Operation": 0})
        )
        waited = 0.0
        pause = _POLL_FIRST
        while not last.finished:
            data = yield from self.api(
                "GET", "/api/2.0/files/fileops", params={"id": last.id}
            )
            found = [
                Operation.from_wire(item)
                for item in data or []
                if isinstance(item, dict) and str(item.get("id")) == last.id
            ]
            if not found:
                raw = {**last.raw, "finished": True, "progress": 100}
                last = Operation.from_wire(raw)
                break
            last = found[0]
            if last.finished:
                break
            if waited >= timeout:
                raise OperationTimeout(last, timeout)
            yield Sleep(pause)
            waited += pause
            pause = min(pause * _POLL_GROWTH, _POLL_MAX)
        if check and last.failed:
            raise OperationFailed(last)
        return last
