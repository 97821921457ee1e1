"""One settings object, read from FOLIO_* variables; the CLI's flags override it."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["Settings"]

MIB = 1024 * 1024


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a Folio process can be told. The embedded default needs none."""

    data_dir: Path = Path("folio-data")
    #: SQLAlchemy URL of the metadata database; SQLite in the data folder if unset.
    database_url: str | None = None
    #: Where content goes; a folder in the data folder if unset.
    storage_url: str | None = None
    #: The origin clients reach this server at, for absolute URLs in responses.
    #: When unset, each response uses the origin its request came to.
    public_url: str | None = None
    #: Largest file a single-request upload may carry (DocSpace's default).
    max_upload_size: int = 100 * MIB
    #: Size of the chunks of a chunked upload session (DocSpace's default).
    chunk_size: int = 10 * MIB
    #: Seconds between two sweeps of expired upload sessions.
    upload_sweep_interval: int = 600
    #: Whether an acknowledged upload is fsync'd first. Off only for throwaway data.
    fsync: bool = True
    #: Failed logins one client may make in `login_window` seconds before refusal.
    login_attempts: int = 5
    login_window: int = 60
    #: How long a session token from POST /authentication lives, in days.
    token_days: int = 365
    #: How often, in seconds, Trash is searched for items past the owner's
    #: auto-cleanup time.
    trash_cleanup_interval: int = 3600
    #: Write logs as one JSON object a line instead of key=value text.
    log_json: bool = False
    #: Emulator mode: many portals, registration, reset/snapshot/seed endpoints,
    #: fault injection, and cheap password hashing. Never for real data.
    emulator: bool = False
    #: The domain portals live under in emulator mode: "<portalName>.<domain>".
    emulator_domain: str = "localhost"
    #: Rate limiting as DocSpace does it (emulator mode only; off as in DocSpace).
    rate_limit: bool = False
    #: Requests one user may make in a sliding minute.
    rate_limit_per_minute: int = 1500
    #: Requests one user may have in flight at once: reads, and everything else.
    rate_limit_reads_in_flight: int = 50
    rate_limit_writes_in_flight: int = 15
    #: POST and PUT requests one user may make in a day (UTC).
    rate_limit_writes_per_day: int = 10_000
    #: Calls of a sensitive endpoint (creating API keys) per user in 15 minutes.
    rate_limit_sensitive: int = 5
    #: Bring the database schema up to date when serving; off, refuse a stale one.
    migrate: bool = True
    #: Answer downloads with a redirect to a short-lived pre-signed URL of the
    #: object store (S3 only), for stores that clients can reach themselves.
    presigned_downloads: bool = False
    #: How long a pre-signed download URL stays valid, in seconds.
    presign_seconds: int = 300
    #: How long a node's claim on running work (an operation, a periodic job) holds
    #: without renewal, in seconds. The node renews it while it works; when it
    #: lapses, the node is taken for dead and another one takes over.
    lease_seconds: int = 60
    #: How often the sweep of orphaned content runs (on one node), in seconds.
    sweep_interval: int = 3600
    #: How long content must stay unreferenced before the sweep removes it.
    sweep_grace: int = 3600
    #: Age after which an unfinished write or multipart upload counts as abandoned.
    stale_upload_age: int = 7 * 24 * 3600

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "folio.db"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.sqlite_path.resolve()}"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> Settings:
        """Read FOLIO_* variables; keyword overrides that are not None win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if "FOLIO_DATA_DIR" in env:
            values["data_dir"] = Path(env["FOLIO_DATA_DIR"])
        for name in ("database_url", "storage_url", "public_url"):
            key = "FOLIO_" + name.upper()
            if env.get(key):
                values[name] = env[key]
        for name in (
            "max_upload_size",
            "chunk_size",
            "upload_sweep_interval",
            "login_attempts",
            "login_window",
            "token_days",
            "rate_limit_per_minute",
            "rate_limit_reads_in_flight",
            "rate_limit_writes_in_flight",
            "rate_limit_writes_per_day",
            "rate_limit_sensitive",
            "presign_seconds",
            "lease_seconds",
            "sweep_interval",
            "sweep_grace",
            "stale_upload_age",
            "trash_cleanup_interval",
        ):
            key = "FOLIO_" + name.upper()
            if env.get(key):
                values[name] = int(env[key])
        if "FOLIO_FSYNC" in env:
            values["fsync"] = _flag(env["FOLIO_FSYNC"])
        for name in ("log_json", "migrate", "presigned_downloads"):
            key = "FOLIO_" + name.upper()
            if key in env:
                values[name] = _flag(env[key])
        for name in ("emulator", "rate_limit"):
            key = "FOLIO_" + name.upper()
            if key in env:
                values[name] = _flag(env[key])
        if env.get("FOLIO_EMULATOR_DOMAIN"):
            values["emulator_domain"] = env["FOLIO_EMULATOR_DOMAIN"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(str(values["data_dir"]))
        return cls(**values)  # type: ignore[arg-type]
