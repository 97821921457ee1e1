"""DocSpace's formats for sizes and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from folio.api.wire import api_date, content_length


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (512, "512 bytes"),
        (1023, "1,023 bytes"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (6564, "6.41 KB"),
        (1048575, "1,024 KB"),
        (1048576, "1 MB"),
        (26214400, "25 MB"),
        (5 * 1024**4, "5 TB"),
        (3 * 1024**5, "3,072 TB"),
    ],
)
def test_content_length_matches_docspace(size: int, text: str) -> None:
    assert content_length(size) == text


def test_api_date_has_seven_fraction_digits_and_z() -> None:
    moment = datetime(2025, 6, 15, 10, 30, 0, 123456, tzinfo=UTC)
    assert api_date(moment) == "2025-06-15T10:30:00.1234560Z"


def test_api_date_converts_other_zones_to_utc() -> None:
    moscow = timezone(timedelta(hours=3))
    moment = datetime(2025, 6, 15, 13, 30, tzinfo=moscow)
    assert api_date(moment) == "2025-06-15T10:30:00.0000000Z"
