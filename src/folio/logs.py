"""How a Folio process writes its logs: key=value lines, or one JSON object a line.

Modules log events as `event=<name> key=value …` through `logging.getLogger
(__name__)`; this module alone decides what a line looks like, at the entry point
(`configure`). Every line written while a request is handled carries its request
id, so the lines of one request can be found across a node's log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "TextFormatter", "configure", "request_id"]

#: The id of the request being handled, if any (set by the API's middleware).
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "folio_request_id", default=None
)


def _fields(message: str) -> dict[str, str] | None:
    """Split an `event=… key=value …` message into its fields; None if it is prose."""
    if not message.startswith("event="):
        return None
    fields = {}
    for pair in message.split(" "):
        name, sep, value = pair.partition("=")
        if not sep:
            return None
        fields[name] = value
    return fields


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-01-02T03:04:05.678Z INFO folio.access event=… request_id=…`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        line = f"{stamp.replace('+00:00', 'Z')} {record.levelname} {record.name} "
        line += record.getMessage()
        found = getattr(record, "request_id", None)
        if found and "request_id=" not in line:
            line += f" request_id={found}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, the event's fields, request id."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = _fields(message)
        if fields is None:
            entry["message"] = message
        else:
            entry.update(fields)
        found = getattr(record, "request_id", None)
        if found and "request_id" not in entry:
            entry["request_id"] = found
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(*, json_lines: bool = False, level: int = logging.INFO) -> None:
    """Send every log line to stderr in the chosen format (for `folio serve`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries' own chatter at INFO ("Found credentials…", "Context impl …") is
    # noise in a server's log; the database logs its own event for a migration.
    for noisy in ("botocore", "boto3", "s3transfer", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
