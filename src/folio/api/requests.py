"""Reading requests as DocSpace does: names in any case, numbers quoted or not."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from folio.errors import (
    FileNotFound,
    FolderNotFound,
    UnsupportedMediaType,
    ValidationFailed,
)

__all__ = [
    "Query",
    "entry_id",
    "id_list",
    "json_body",
    "optional_bool",
    "optional_int",
]

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class Query:
    """A request's query string with names matched case-insensitively."""

    def __init__(self, request: Request) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            self._values.setdefault(name.lower().removesuffix("[]"), []).append(value)

    def get(self, name: str) -> str | None:
        values = self._values.get(name.lower())
        return values[-1] if values else None

    def get_all(self, name: str) -> list[str]:
        return self._values.get(name.lower(), [])

    def int(self, name: str, default: int | None = None) -> int | None:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ValidationFailed(
                {name: [f"The value '{raw}' is not valid."]}
            ) from None

    def bool(self, name: str, default: bool = False) -> bool:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        return _parse_bool(raw, name)


def _parse_bool(raw: str, name: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationFailed({name: [f"The value '{raw}' is not valid."]})


def entry_id(raw: str, *, folder: bool) -> int:
    """Parse an id from a path; anything that is not one names nothing."""
    if raw.isdigit() and len(raw) <= 10 and 0 < int(raw) < 2**31:
        return int(raw)
    raise FolderNotFound() if folder else FileNotFound()


class Body(Mapping[str, Any]):
    """A JSON object body with its property names matched case-insensitively."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = {key.lower(): value for key, value in values.items()}

    def __getitem__(self, key: str) -> Any:
        return self._values[key.lower()]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values


async def json_body(request: Request, *, required: bool = True) -> Body:
    """Read a JSON object body; refuse what DocSpace's model binding refuses."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if not raw.strip():
        if required:
            if not content_type:
                raise UnsupportedMediaType()
            raise ValidationFailed({"": ["A non-empty request body is required."]})
        return Body({})
    if "json" not in content_type.lower() and content_type:
        raise UnsupportedMediaType()
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            {"$": [f"The JSON value could not be converted: {exc}"]}
        ) from None
    if not isinstance(value, dict):
        raise ValidationFailed({"$": ["The JSON value must be an object."]})
    return Body(value)


def optional_bool(body: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _parse_bool(value, name)
    raise ValidationFailed(
        {name: ["The JSON value could not be converted to Boolean."]}
    )


def optional_int(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationFailed(
            {name: ["The JSON value could not be converted to Int32."]}
        )
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValidationFailed({name: ["The JSON value could not be converted to Int32."]})


def id_list(body: Mapping[str, Any], name: str, *, folder: bool) -> list[int]:
    """Ids from a JSON array of numbers or numeric strings."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(
            {name: ["The JSON value could not be converted to a list."]}
        )
    ids = []
    for item in value:
        if isinstance(item, bool):
            raise ValidationFailed({name: ["The JSON value could not be converted."]})
        text = str(item)
        ids.append(entry_id(text, folder=folder))
    return list(dict.fromkeys(ids))
