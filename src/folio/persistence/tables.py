"""The schema. Every row belongs to a portal; every entry to a user within it.

Change it only together with a new migration in migrations/versions/.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

__all__ = [
    "api_keys",
    "auth_tokens",
    "entries",
    "favorites",
    "file_versions",
    "login_failures",
    "metadata",
    "operations",
    "portal_snapshots",
    "orphan_candidates",
    "portals",
    "recent_files",
    "scheduled_jobs",
    "snapshot_blobs",
    "upload_chunks",
    "upload_sessions",
    "user_settings",
    "users",
]

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Timestamp(sa.types.TypeDecorator[datetime]):
    """A moment in UTC. SQLite keeps no zone, so values come back marked UTC here;
    PostgreSQL answers in its session's time zone, so they are turned to UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: sa.Dialect
    ) -> datetime | None:
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: datetime | None, dialect: sa.Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Tables whose integer ids clients hold (portals, entries, versions) never reuse an
# id: SQLite would otherwise hand out the id of the last deleted row again, and a
# stale id of a deleted file must never name somebody's new one (nor collide with a
# portal snapshot being restored).

# Materialized paths ("/12/40/41/") are searched by range, which needs byte order.
PathText = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")

portals = sa.Table(
    "portals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("created", Timestamp(), nullable=False),
    sqlite_autoincrement=True,
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("email_key", sa.String(255), nullable=False),
    sa.Column("first_name", sa.String(255), nullable=False, default=""),
    sa.Column("last_name", sa.String(255), nullable=False, default=""),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("is_owner", sa.Boolean, nullable=False, default=False),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("my_folder_id", sa.Integer, nullable=False, default=0),
    sa.Column("trash_folder_id", sa.Integer, nullable=False, default=0),
    sa.Column("used_space", sa.BigInteger, nullable=False, default=0),
    sa.Column("quota_limit", sa.BigInteger, nullable=False, default=-1),
    # DocSpace's roles: 0 owner, 1 DocSpace admin, 2 room admin, 3 user, 4 guest.
    sa.Column("role", sa.SmallInteger, nullable=False, default=3),
    sa.Column("sort_by", sa.String(32)),
    sa.Column("sort_order", sa.Integer),
    sa.UniqueConstraint("portal_id", "email_key"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("postfix", sa.String(4), nullable=False),
    sa.Column("permissions", sa.Text, nullable=False, default=""),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("expires_at", Timestamp()),
    sa.Column("last_used", Timestamp()),
    sa.Column("is_active", sa.Boolean, nullable=False, default=True),
)

auth_tokens = sa.Table(
    "auth_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("expires_at", Timestamp(), nullable=False),
)

# Failed logins per client, kept in the database so that every node sees them.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("portal_id", sa.ForeignKey("portals.id"), primary_key=True),
    sa.Column("client", sa.String(255), primary_key=True),
    sa.Column("window_start", Timestamp(), nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
)

entries = sa.Table(
    "entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("owner_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("entry_type", sa.SmallInteger, nullable=False),
    # 0 for the section roots (My documents, Trash).
    sa.Column("parent_id", sa.Integer, nullable=False),
    sa.Column("root_id", sa.Integer, nullable=False),
    sa.Column("root_type", sa.SmallInteger, nullable=False),
    sa.Column("folder_type", sa.SmallInteger),
    # Ids from the section root down to and including this entry: "/12/40/41/".
    sa.Column("path", PathText, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    # casefolded title: collisions, search and A-Z order ignore case.
    sa.Column("title_key", sa.Text, nullable=False),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("updated", Timestamp(), nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.Column("updated_by", sa.String(36), nullable=False),
    # Files only: the FileType code of the title, for filters and the Type order.
    sa.Column("file_kind", sa.SmallInteger, nullable=False, default=0),
    sa.Column("version", sa.Integer, nullable=False, default=0),
    sa.Column("version_group", sa.Integer, nullable=False, default=0),
    sa.Column("size", sa.BigInteger, nullable=False, default=0),
    sa.Column("blob_key", sa.String(80)),
    sa.Column("sha256", sa.String(64)),
    sa.Column("comment", sa.Text),
    sa.Column("locked_by", sa.String(36)),
    sa.Column("files_count", sa.Integer, nullable=False, default=0),
    sa.Column("folders_count", sa.Integer, nullable=False, default=0),
    sa.Column("origin_id", sa.Integer),
    sa.Column("trashed_at", Timestamp()),
    # Listing pages and collision checks read one folder's children in one order.
    sa.Index("ix_entries_children_title", "parent_id", "entry_type", "title_key"),
    sa.Index("ix_entries_children_updated", "parent_id", "entry_type", "updated"),
    sa.Index("ix_entries_children_created", "parent_id", "entry_type", "created"),
    sa.Index("ix_entries_children_size", "parent_id", "entry_type", "size"),
    sa.Index("ix_entries_path", "root_id", "path"),
    sa.Index("ix_entries_owner_root", "owner_id", "parent_id"),
    sqlite_autoincrement=True,
)

file_versions = sa.Table(
    "file_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("file_id", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("version_group", sa.Integer, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("blob_key", sa.String(80), nullable=False, index=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.UniqueConstraint("file_id", "version"),
    sqlite_autoincrement=True,
)

operations = sa.Table(
    "operations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("progress", sa.SmallInteger, nullable=False, default=0),
    sa.Column("processed", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text, nullable=False, default=""),
    # DocSpace's "hold result": report the finished operation once more, then drop it.
    sa.Column("hold", sa.Boolean, nullable=False),
    sa.Column("reported", sa.Boolean, nullable=False, default=False),
    # What to do (ids, flags) and what came of it (resulting entry ids), as JSON.
    sa.Column("request", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=False, default="{}"),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("updated", Timestamp(), nullable=False),
    # The node running the operation, and until when its claim holds: the node
    # renews it while it works, so an expired lease means the node died.
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("lease_until", Timestamp()),
    sa.Index("ix_operations_user_status", "user_id", "status"),
    sa.Index("ix_operations_status", "status"),
)

# Per-user settings by name (auto-cleanup of Trash, display toggles), as JSON values.
user_settings = sa.Table(
    "user_settings",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

favorites = sa.Table(
    "favorites",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("entry_id", sa.Integer, primary_key=True, index=True),
    sa.Column("created", Timestamp(), nullable=False),
)

recent_files = sa.Table(
    "recent_files",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("entry_id", sa.Integer, primary_key=True, index=True),
    sa.Column("opened", Timestamp(), nullable=False),
)

# Chunked uploads in progress. Chunks are written into storage as they arrive
# (`storage_ref` is the store's handle: a temporary file, an S3 multipart upload id).
upload_sessions = sa.Table(
    "upload_sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("folder_id", sa.Integer, nullable=False),
    # Set for an edit session, which replaces this file's content.
    sa.Column("file_id", sa.Integer),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    # Chunk n is stored at offset (n - 1) * chunk_size: fixed when the session
    # starts, so that a change of the setting cannot move chunks already stored.
    sa.Column("chunk_size", sa.BigInteger, nullable=False),
    sa.Column("create_new", sa.Boolean, nullable=False, default=False),
    # 0 open, 1 completed, 2 aborted.
    sa.Column("state", sa.SmallInteger, nullable=False, default=0),
    sa.Column("storage_ref", sa.Text, nullable=False, default=""),
    sa.Column("result_file_id", sa.Integer),
    sa.Column("created", Timestamp(), nullable=False),
    sa.Column("expires", Timestamp(), nullable=False, index=True),
)

upload_chunks = sa.Table(
    "upload_chunks",
    metadata,
    sa.Column("session_id", sa.String(32), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("offset", sa.BigInteger, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    # What the store returned for the chunk (an S3 part's ETag), if anything.
    sa.Column("etag", sa.Text, nullable=False, default=""),
)

# Periodic background work (Trash cleanup, session expiry, sweeps), claimed by one
# node at a time through `claimed_until`.
scheduled_jobs = sa.Table(
    "scheduled_jobs",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("next_run", Timestamp(), nullable=False),
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("claimed_until", Timestamp()),
)

# Saved states of a portal (emulator mode), and the content each one refers to. A
# snapshot holds no copy of content: blobs are immutable, so it keeps their keys,
# and content a snapshot refers to counts as live. These tables are not themselves
# part of a portal's state (`info["portal_state"]` is False): resetting or restoring
# a portal leaves its snapshots alone.
portal_snapshots = sa.Table(
    "portal_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("portal_id", sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("created", Timestamp(), nullable=False),
    # Every row of the portal's state, as zlib-compressed JSON.
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("portal_id", "name"),
    info={"portal_state": False},
)

snapshot_blobs = sa.Table(
    "snapshot_blobs",
    metadata,
    sa.Column("snapshot_id", sa.ForeignKey("portal_snapshots.id"), primary_key=True),
    sa.Column("blob_key", sa.String(80), primary_key=True, index=True),
    info={"portal_state": False},
)

# Content that no version referred to when the sweep last looked. The sweep deletes
# content only once it has stayed unreferenced for a grace period, so content stored
# a moment before its metadata commits (on any node) is never taken for an orphan.
orphan_candidates = sa.Table(
    "orphan_candidates",
    metadata,
    sa.Column("blob_key", sa.String(80), primary_key=True),
    sa.Column("first_seen", Timestamp(), nullable=False),
    sa.Column("last_seen", Timestamp(), nullable=False),
)
