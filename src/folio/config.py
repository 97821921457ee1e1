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
    log_json: bool = False

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
        ):
            key = "FOLIO_" + name.upper()
            if env.get(key):
                values[name] = int(env[key])
        if "FOLIO_FSYNC" in env:
            values["fsync"] = _flag(env["FOLIO_FSYNC"])
        if "FOLIO_LOG_JSON" in env:
            values["log_json"] = _flag(env["FOLIO_LOG_JSON"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(str(values["data_dir"]))
        return cls(**values)  # type: ignore[arg-type]
