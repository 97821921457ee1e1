"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portals")),
        sa.UniqueConstraint("name", name=op.f("uq_portals_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "orphan_candidates",
        sa.Column("blob_key", sa.String(length=80), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("blob_key", name=op.f("pk_orphan_candidates")),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_run", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_jobs")),
    )
    op.create_table(
        "upload_chunks",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "number", name=op.f("pk_upload_chunks")),
    )
    op.create_table(
        "file_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_group", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blob_key", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.id"],
            name=op.f("fk_file_versions_portal_id_portals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_versions")),
        sa.UniqueConstraint(
            "file_id", "version", name=op.f("uq_file_versions_file_id_version")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("file_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_file_versions_blob_key"), ["blob_key"], unique=False
        )

    op.create_table(
        "login_failures",
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.id"],
            name=op.f("fk_login_failures_portal_id_portals"),
        ),
        sa.PrimaryKeyConstraint("portal_id", "client", name=op.f("pk_login_failures")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("email_key", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=False),
        sa.Column("last_name", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_owner", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("my_folder_id", sa.Integer(), nullable=False),
        sa.Column("trash_folder_id", sa.Integer(), nullable=False),
        sa.Column("used_space", sa.BigInteger(), nullable=False),
        sa.Column("quota_limit", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.SmallInteger(), nullable=False),
        sa.Column("sort_by", sa.String(length=32), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_users_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint(
            "portal_id", "email_key", name=op.f("uq_users_portal_id_email_key")
        ),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("postfix", sa.String(length=4), nullable=False),
        sa.Column("permissions", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_api_keys_portal_id_portals")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "auth_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_auth_tokens_portal_id_portals")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_tokens")),
    )
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_tokens_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("entry_type", sa.SmallInteger(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("root_id", sa.Integer(), nullable=False),
        sa.Column("root_type", sa.SmallInteger(), nullable=False),
        sa.Column("folder_type", sa.SmallInteger(), nullable=True),
        sa.Column(
            "path",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=False),
        sa.Column("file_kind", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_group", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blob_key", sa.String(length=80), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("locked_by", sa.String(length=36), nullable=True),
        sa.Column("files_count", sa.Integer(), nullable=False),
        sa.Column("folders_count", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Integer(), nullable=True),
        sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_entries_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_entries_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entries_children_created",
            ["parent_id", "entry_type", "created"],
            unique=False,
        )
        batch_op.create_index(
            "ix_entries_children_size",
            ["parent_id", "entry_type", "size"],
            unique=False,
        )
        batch_op.create_index(
            "ix_entries_children_title",
            ["parent_id", "entry_type", "title_key"],
            unique=False,
        )
        batch_op.create_index(
            "ix_entries_children_updated",
            ["parent_id", "entry_type", "updated"],
            unique=False,
        )
        batch_op.create_index(
            "ix_entries_owner_root", ["owner_id", "parent_id"], unique=False
        )
        batch_op.create_index("ix_entries_path", ["root_id", "path"], unique=False)

    op.create_table(
        "favorites",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_favorites_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "entry_id", name=op.f("pk_favorites")),
    )
    with op.batch_alter_table("favorites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_favorites_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "operations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_operations_portal_id_portals")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_operations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
    )
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.create_index("ix_operations_status", ["status"], unique=False)
        batch_op.create_index(
            "ix_operations_user_status", ["user_id", "status"], unique=False
        )

    op.create_table(
        "recent_files",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("opened", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recent_files_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "entry_id", name=op.f("pk_recent_files")),
    )
    with op.batch_alter_table("recent_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recent_files_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "upload_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunk_size", sa.BigInteger(), nullable=False),
        sa.Column("create_new", sa.Boolean(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("storage_ref", sa.Text(), nullable=False),
        sa.Column("result_file_id", sa.Integer(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.id"],
            name=op.f("fk_upload_sessions_portal_id_portals"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_upload_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_sessions")),
    )
    with op.batch_alter_table("upload_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_upload_sessions_expires"), ["expires"], unique=False
        )

    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_settings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "name", name=op.f("pk_user_settings")),
    )
    op.create_table(
        "portal_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.id"],
            name=op.f("fk_portal_snapshots_portal_id_portals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_snapshots")),
        sa.UniqueConstraint(
            "portal_id", "name", name=op.f("uq_portal_snapshots_portal_id_name")
        ),
    )
    op.create_table(
        "snapshot_blobs",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("blob_key", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["portal_snapshots.id"],
            name=op.f("fk_snapshot_blobs_snapshot_id_portal_snapshots"),
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "blob_key", name=op.f("pk_snapshot_blobs")
        ),
    )
    with op.batch_alter_table("snapshot_blobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_snapshot_blobs_blob_key"), ["blob_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("snapshot_blobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshot_blobs_blob_key"))

    op.drop_table("snapshot_blobs")
    op.drop_table("portal_snapshots")
    op.drop_table("user_settings")
    with op.batch_alter_table("upload_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_sessions_expires"))

    op.drop_table("upload_sessions")
    with op.batch_alter_table("recent_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recent_files_entry_id"))

    op.drop_table("recent_files")
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_index("ix_operations_user_status")
        batch_op.drop_index("ix_operations_status")

    op.drop_table("operations")
    with op.batch_alter_table("favorites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_favorites_entry_id"))

    op.drop_table("favorites")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_path")
        batch_op.drop_index("ix_entries_owner_root")
        batch_op.drop_index("ix_entries_children_updated")
        batch_op.drop_index("ix_entries_children_title")
        batch_op.drop_index("ix_entries_children_size")
        batch_op.drop_index("ix_entries_children_created")

    op.drop_table("entries")
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_tokens_user_id"))

    op.drop_table("auth_tokens")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("login_failures")
    with op.batch_alter_table("file_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_versions_blob_key"))

    op.drop_table("file_versions")
    op.drop_table("upload_chunks")
    op.drop_table("scheduled_jobs")
    op.drop_table("orphan_candidates")
    op.drop_table("portals")
