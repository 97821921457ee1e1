"""One chain of migrations for SQLite and PostgreSQL: from empty, and from every
earlier revision with data in it, the schema arrives at what tables.py declares
and the data arrives readable by the services of today."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from folio.blobs.memory import MemoryBlobStore
from folio.config import Settings
from folio.domain.entries import OperationStatus
from folio.domain.listing import Listing
from folio.persistence.database import Database, sync_url
from folio.persistence.operations import OperationQueries
from folio.persistence.tables import Timestamp, metadata
from folio.services.space import Space

SECRET = "sk-" + "5eed" * 16
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


# What a database held at each revision: rows written as that revision's schema
# had them, with plain table constructs (never tables.py, which moves on). Every
# new revision adds a seed here, so the next one is tested against real data.


def _seed_0001(connection: sa.Connection) -> None:
    def table(name: str, *columns: str, stamps: tuple[str, ...] = ()) -> sa.TableClause:
        return sa.table(
            name,
            *(sa.column(c) for c in columns),
            *(sa.column(c, Timestamp()) for c in stamps),
        )

    connection.execute(
        table("portals", "id", "name", stamps=("created",)).insert(),
        {"id": 1, "name": "default", "created": WHEN},
    )
    connection.execute(
        table(
            "users", "id", "portal_id", "email", "email_key", "first_name",
            "last_name", "password_hash", "is_admin", "is_owner", "my_folder_id",
            "trash_folder_id", "used_space", "quota_limit", "role",
            stamps=("created",),
        ).insert(),
        {
            "id": "u-1", "portal_id": 1, "email": "old@example.com",
            "email_key": "old@example.com", "first_name": "Old", "last_name": "Data",
            "password_hash": "not-a-hash", "is_admin": False, "is_owner": False,
            "my_folder_id": 10, "trash_folder_id": 11, "used_space": 5,
            "quota_limit": -1, "role": 3, "created": WHEN,
        },
    )  # fmt: skip
    connection.execute(
        table(
            "api_keys", "id", "portal_id", "user_id", "name", "key_hash", "postfix",
            "permissions", "is_active", stamps=("created",),
        ).insert(),
        {
            "id": "k-1", "portal_id": 1, "user_id": "u-1", "name": "kept",
            "key_hash": hashlib.sha256(SECRET.encode()).hexdigest(),
            "postfix": SECRET[-4:], "permissions": "", "is_active": True,
            "created": WHEN,
        },
    )  # fmt: skip
    entries = table(
        "entries", "id", "portal_id", "owner_id", "entry_type", "parent_id",
        "root_id", "root_type", "folder_type", "path", "title", "title_key",
        "created_by", "updated_by", "file_kind", "version", "version_group", "size",
        "blob_key", "sha256", "comment", "files_count", "folders_count",
        stamps=("created", "updated"),
    )  # fmt: skip
    common = {
        "portal_id": 1, "owner_id": "u-1", "created": WHEN, "updated": WHEN,
        "created_by": "u-1", "updated_by": "u-1", "file_kind": 0, "version": 0,
        "version_group": 0, "size": 0, "blob_key": None, "sha256": None,
        "comment": None, "files_count": 0, "folders_count": 0, "folder_type": None,
    }  # fmt: skip
    connection.execute(
        entries.insert(),
        [
            {**common, "id": 10, "entry_type": 1, "parent_id": 0, "root_id": 10,
             "root_type": 5, "folder_type": 5, "path": "/10/",
             "title": "My documents", "title_key": "my documents",
             "files_count": 1},
            {**common, "id": 11, "entry_type": 1, "parent_id": 0, "root_id": 11,
             "root_type": 3, "folder_type": 3, "path": "/11/", "title": "Trash",
             "title_key": "trash"},
            {**common, "id": 12, "entry_type": 2, "parent_id": 10, "root_id": 10,
             "root_type": 5, "path": "/10/12/", "title": "kept.txt",
             "title_key": "kept.txt", "file_kind": 7, "version": 1,
             "version_group": 1, "size": 5, "blob_key": "b" * 32,
             "sha256": "c" * 64, "comment": "Uploaded"},
        ],
    )  # fmt: skip
    connection.execute(
        table(
            "file_versions", "portal_id", "file_id", "version", "version_group",
            "size", "blob_key", "sha256", "comment", "created_by",
            stamps=("created",),
        ).insert(),
        {
            "portal_id": 1, "file_id": 12, "version": 1, "version_group": 1,
            "size": 5, "blob_key": "b" * 32, "sha256": "c" * 64,
            "comment": "Uploaded", "created_by": "u-1", "created": WHEN,
        },
    )  # fmt: skip
    connection.execute(
        table(
            "operations", "id", "portal_id", "user_id", "kind", "status",
            "progress", "processed", "error", "hold", "reported", "request",
            "result", stamps=("created", "updated"),
        ).insert(),
        {
            "id": "op-1", "portal_id": 1, "user_id": "u-1", "kind": 2, "status": 2,
            "progress": 100, "processed": 1, "error": "", "hold": True,
            "reported": False, "request": "{}", "result": "{}", "created": WHEN,
            "updated": WHEN,
        },
    )  # fmt: skip


SEEDS: dict[str, Callable[[sa.Connection], None]] = {"0001": _seed_0001}


def _seed(url: str, revision: str) -> None:
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            SEEDS[revision](connection)
    finally:
        engine.dispose()


def _schema_differences(url: str) -> list[object]:
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


async def _check_seeded_data(url: str, tmp_path: Path) -> None:
    """Read the seeded rows through today's services, as a server would."""
    settings = Settings(data_dir=tmp_path, database_url=url)
    space = Space(settings, Database(url), MemoryBlobStore())
    await space.open(migrate=False)
    try:
        caller = await space.accounts.caller_from_key(1, SECRET)
        assert caller is not None and caller.user.email == "old@example.com"
        my = await space.documents.my_documents(caller)
        page = await space.documents.list_folder(caller, my, Listing())
        assert [(f.title, f.size, f.version) for f in page.files] == [
            ("kept.txt", 5, 1)
        ]
        versions = await space.documents.versions(caller, page.files[0].id)
        assert [v.blob_key for v in versions] == ["b" * 32]
        async with space.db.read() as connection:
            operation = await OperationQueries(connection).get("op-1")
        assert operation is not None
        assert operation.status is OperationStatus.COMPLETED
    finally:
        await space.aclose()


def test_every_revision_has_a_seed_of_data() -> None:
    assert list(SEEDS) == Database.revisions()


def test_upgrade_from_empty_creates_exactly_the_declared_schema(
    database_url: str,
) -> None:
    database = Database(database_url)

    database.upgrade()

    assert database.current_revision() == Database.head_revision()
    assert _schema_differences(database.url) == []


def test_upgrade_at_head_changes_nothing(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()

    database.upgrade()

    assert database.current_revision() == Database.head_revision()


@pytest.mark.parametrize("revision", Database.revisions())
def test_upgrade_from_a_revision_with_data_keeps_the_data(
    database_url: str, revision: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    database.upgrade(revision)
    _seed(database.url, revision)

    database.upgrade()

    assert database.current_revision() == Database.head_revision()
    assert _schema_differences(database.url) == []
    asyncio.run(_check_seeded_data(database.url, tmp_path))


def test_require_head_refuses_an_outdated_schema(database_url: str) -> None:
    from folio.persistence.database import SchemaOutdated

    with pytest.raises(SchemaOutdated, match="folio db upgrade"):
        Database(database_url).require_head()


def _folio(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "folio", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_db_commands_report_and_upgrade_the_schema(
    database_url: str, tmp_path: Path
) -> None:

    env = {
        **os.environ,
        "FOLIO_DATA_DIR": str(tmp_path / "data"),
        "FOLIO_DATABASE_URL": database_url,
    }

    before = _folio("db", "current", env=env)
    upgraded = _folio("db", "upgrade", env=env)
    after = _folio("db", "current", env=env)
    again = _folio("db", "upgrade", env=env)

    head = Database.head_revision()
    assert (before.returncode, before.stdout) == (
        1,
        f"empty (behind; the newest is {head})\n",
    )
    assert upgraded.returncode == 0 and f"to {head}" in upgraded.stdout
    assert (after.returncode, after.stdout) == (0, f"{head} (up to date)\n")
    assert again.stdout == f"The schema is up to date at revision {head}.\n"


def test_serve_without_migrating_refuses_an_empty_database(
    database_url: str, tmp_path: Path
) -> None:

    env = {
        **os.environ,
        "FOLIO_DATA_DIR": str(tmp_path / "data"),
        "FOLIO_DATABASE_URL": database_url,
    }

    refused = _folio("serve", "--no-migrate", "--port", "1", env=env)

    assert refused.returncode == 1
    assert "run `folio db upgrade`" in refused.stderr
    assert Database(database_url).current_revision() is None
