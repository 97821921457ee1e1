"""An emulator's quick schema creation ends in the database the migrations make."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from folio.persistence.database import Database
from folio.persistence.schema import head_revision, schema_is_current
from folio.persistence.tables import metadata


def _schema(path: Path) -> tuple[list[object], dict[str, str], str | None]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), metadata
            )
            tables = {
                row.name: " ".join(row.sql.split())
                for row in connection.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                )
            }
            version = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar()
    finally:
        engine.dispose()
    return differences, tables, version


def test_head_revision_read_from_files_is_alembics() -> None:
    assert head_revision() == Database.head_revision()


def test_new_database_from_the_schema_matches_the_migrated_one(tmp_path: Path) -> None:
    quick = Database(f"sqlite+aiosqlite:///{tmp_path / 'quick.db'}")
    assert schema_is_current(quick) is True
    migrated = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
    migrated.upgrade()

    quick_diff, quick_tables, quick_version = _schema(tmp_path / "quick.db")
    slow_diff, slow_tables, slow_version = _schema(tmp_path / "migrated.db")
    assert quick_diff == [] and slow_diff == []
    assert quick_version == slow_version == head_revision()
    assert set(quick_tables) == set(slow_tables)
    for name in ("portals", "entries", "file_versions"):
        assert "AUTOINCREMENT" in quick_tables[name]
        assert "AUTOINCREMENT" in slow_tables[name]


def test_database_at_the_head_is_current_and_an_older_one_is_not(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    db.upgrade()
    assert schema_is_current(db) is True
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
    engine.dispose()
    assert schema_is_current(db) is False
