"""Where the client commands keep the server and key: a file only the user reads.

The file is `$XDG_CONFIG_HOME/folio/config.json` (by default under
`~/.config`), written with mode 0600. Unfinished uploads keep their state under
`$XDG_STATE_HOME/folio/uploads` so that the same command can resume them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

__all__ = [
    "Login",
    "config_path",
    "load_login",
    "save_login",
    "upload_state_path",
    "write_state",
]


@dataclasses.dataclass(frozen=True)
class Login:
    url: str
    key: str


def _base(variable: str, default: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / default


def config_path() -> Path:
    return _base("XDG_CONFIG_HOME", ".config") / "folio" / "config.json"


def load_login() -> Login | None:
    """The stored URL and key; None when there are none or the file is unreadable."""
    path = config_path()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    url, key = data.get("url"), data.get("key")
    if isinstance(url, str) and isinstance(key, str) and url and key:
        return Login(url, key)
    return None


def _write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def save_login(login: Login) -> Path:
    """Store the URL and key, readable by the user alone; return the file."""
    path = config_path()
    _write_private(path, json.dumps({"url": login.url, "key": login.key}, indent=2))
    return path


def upload_state_path(url: str, folder_id: int, source: Path) -> Path:
    """Where the state of an upload of `source` into a folder is kept."""
    stat = source.stat()
    identity = f"{url}|{folder_id}|{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return _base("XDG_STATE_HOME", ".local/state") / "folio" / "uploads" / digest


def write_state(path: Path, text: str) -> None:
    """Keep an upload's state (it names a session of the user's): owner only."""
    _write_private(path, text)
