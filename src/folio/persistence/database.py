"""Connections to the metadata database, its pragmas, and its migrations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = ["Database", "SchemaOutdated", "database_url", "sync_url"]

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"

# Held while migrating PostgreSQL, so that nodes starting together migrate in turn.
_MIGRATION_LOCK = 0x666F6C696F  # "folio"


class SchemaOutdated(RuntimeError):
    """The database is not at the schema revision this version of Folio needs."""

    def __init__(self, current: str | None, head: str | None) -> None:
        super().__init__(
            f"The database is at schema revision {current or 'none (empty)'}, "
            f"and this Folio needs {head}: run `folio db upgrade`"
        )
        self.current = current
        self.head = head


def database_url(url: str) -> str:
    """Name the driver Folio uses where a URL leaves it out (`postgresql://…`)."""
    for bare in ("postgres://", "postgresql://", "postgresql+asyncpg://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url.removeprefix(bare)
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    return url


def sync_url(url: str) -> str:
    """Return the URL of the blocking driver for the same database (for migrations).

    psycopg serves both: SQLAlchemy picks its blocking or its asyncio side by engine.
    """
    return url.replace("sqlite+aiosqlite:", "sqlite:")


# Alembic is imported where migrations run, not with this module: loading it costs
# a noticeable part of a start that has nothing to migrate.


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return ScriptDirectory.from_config(config)


class Database:
    """The metadata database: an async engine plus the rules each backend needs.

    SQLite runs in WAL mode so that reads never wait for a write; writes within this
    process are serialised by a lock, since SQLite admits one writer at a time and
    would otherwise answer a second one with "database is locked".
    """

    def __init__(self, url: str, *, fsync: bool = True) -> None:
        url = database_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._fsync = fsync
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("The database is not open: call open() first")
        return self._engine

    def _sync_engine(self) -> sa.Engine:
        engine = sa.create_engine(sync_url(self.url))
        if self.is_sqlite:
            sa.event.listen(engine, "connect", self._on_sqlite_connect)
        return engine

    def _on_sqlite_connect(self, dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL makes every commit durable across power loss, as an acknowledged
        # upload must be; NORMAL is still safe against a crash of the process.
        cursor.execute(f"PRAGMA synchronous={'FULL' if self._fsync else 'NORMAL'}")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    def upgrade(self, revision: str = "head") -> None:
        """Create or migrate the schema to the newest revision (or to `revision`)."""
        if self.is_sqlite:
            Path(self.url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        engine = self._sync_engine()
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # Released at commit; PostgreSQL runs DDL in the transaction, so
                    # a node that waited here finds the schema already at head.
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": _MIGRATION_LOCK},
                    )
                before = MigrationContext.configure(connection).get_current_revision()
                command.upgrade(_alembic_config(connection), revision)
                after = MigrationContext.configure(connection).get_current_revision()
                if after != before:
                    log.info(
                        "event=db.upgraded from=%s to=%s", before or "empty", after
                    )
        finally:
            engine.dispose()

    def require_head(self) -> None:
        """Raise SchemaOutdated unless the schema is at the newest revision."""
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            raise SchemaOutdated(current, head)

    def current_revision(self) -> str | None:
        """Return the schema revision the database is at, or None if it is empty."""
        from alembic.runtime.migration import MigrationContext

        if self.is_sqlite and not Path(self.url.split("///", 1)[1]).exists():
            return None
        engine = self._sync_engine()
        try:
            with engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        finally:
            engine.dispose()

    @staticmethod
    def head_revision() -> str | None:
        return _scripts().get_current_head()

    @staticmethod
    def revisions() -> list[str]:
        """Every schema revision, oldest first."""
        return [script.revision for script in _scripts().walk_revisions()][::-1]

    async def open(self) -> None:
        if self._engine is not None:
            return
        self._engine = create_async_engine(self.url, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            sa.event.listen(
                self._engine.sync_engine, "connect", self._on_sqlite_connect
            )

    async def ping(self) -> None:
        """Run a trivial query; raise if the database cannot be reached."""
        async with self.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    async def aclose(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for queries that change nothing."""
        async with self.engine.connect() as connection:
            yield connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction, committed when the block ends and rolled back on error."""
        if self._write_lock is None:
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self._write_lock, self.engine.begin() as connection:
            yield connection
