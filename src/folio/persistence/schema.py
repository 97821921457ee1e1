"""A quick way to a current schema, for emulators, without the migration machinery.

An emulator starts on a new, empty SQLite database nearly every time, and loading
Alembic to run the migrations costs a noticeable part of its start. A new SQLite
database is therefore created straight from `tables.metadata` and stamped with the
newest revision, and a database already at that revision is left alone; anything
else goes through the migrations as usual. tables.py and the migrations describe
the same schema (a test compares them), so both ways end in the same database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from folio.persistence.database import Database
from folio.persistence.tables import metadata

__all__ = ["head_revision", "schema_is_current"]

_VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


def head_revision() -> str:
    """The newest revision, read from the migration files' headers."""
    revisions, parents = set(), set()
    for path in _VERSIONS.glob("*.py"):
        text = path.read_text()
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down is not None:
            parents.update(re.findall(r'["\']([^"\']+)["\']', down.group(1)))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"The migrations have {len(heads)} heads, not one")
    return heads.pop()


def _driver_leaves_transactions_to_us(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None


def _begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def schema_is_current(db: Database) -> bool:
    """Create a new SQLite database from the schema, or see that one is current.

    Return False when the migrations have work to do (or the database is not
    SQLite); True when the schema is in place.
    """
    if not db.is_sqlite:
        return False
    path = Path(db.url.split("///", 1)[1])
    path.parent.mkdir(parents=True, exist_ok=True)
    head = head_revision()
    engine = sa.create_engine(f"sqlite:///{path}")
    # One transaction for the whole schema: Python's sqlite3 would otherwise run
    # each CREATE on its own, each with its own sync to disk.
    sa.event.listen(engine, "connect", _driver_leaves_transactions_to_us)
    sa.event.listen(engine, "begin", _begin)
    try:
        with engine.begin() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            if not tables:
                metadata.create_all(connection)
                connection.exec_driver_sql(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                )
                connection.exec_driver_sql(
                    "INSERT INTO alembic_version (version_num) VALUES (?)", (head,)
                )
                return True
            if "alembic_version" not in tables:
                return False
            current = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar()
            return bool(current == head)
    finally:
        engine.dispose()
