"""Rate limiting as DocSpace does it: off by default, 429 with its headers when on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from folio.testing import Emulator, Portal

LIMITS = {
    "FOLIO_RATE_LIMIT": "true",
    "FOLIO_RATE_LIMIT_PER_MINUTE": "10",
    "FOLIO_RATE_LIMIT_SENSITIVE": "3",
    "FOLIO_RATE_LIMIT_WRITES_PER_DAY": "6",
    "FOLIO_RATE_LIMIT_WRITES_IN_FLIGHT": "1",
}


@pytest.fixture(scope="module")
def limited() -> Iterator[Emulator]:
    """An emulator with rate limiting on and small limits."""
    with Emulator.start("inprocess", env=LIMITS) as running:
        yield running


@pytest.fixture
def limited_portal(limited: Emulator) -> Iterator[Portal]:
    # Creating the owner's key costs the owner one request, one write and one
    # call of the sensitive key endpoint.
    portal = limited.new_portal()
    yield portal
    portal.delete()


def _assert_refused(answer: httpx.Response, limit: int) -> None:
    assert answer.status_code == 429
    assert answer.content == b""
    retry_after = int(answer.headers["retry-after"])
    assert retry_after >= 1
    assert answer.headers["x-ratelimit-limit"] == str(limit)
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert (
        abs(int(answer.headers["x-ratelimit-reset"]) - (time.time() + retry_after)) < 3
    )


def test_rate_limiting_is_off_unless_turned_on() -> None:
    settings = {"FOLIO_RATE_LIMIT_PER_MINUTE": "2"}
    with Emulator.start("inprocess", env=settings) as running:
        portal = running.new_portal()
        with portal.client(anonymous=True) as anonymous:
            statuses = {
                anonymous.get("/api/2.0/authentication").status_code for _ in range(6)
            }
    assert statuses == {200}


def test_requests_past_the_minutes_limit_get_429_with_docspaces_headers(
    limited_portal: Portal,
) -> None:
    with limited_portal.client(anonymous=True) as anonymous:
        answers = [anonymous.get("/api/2.0/authentication") for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    _assert_refused(answers[10], 10)
    assert int(answers[10].headers["retry-after"]) <= 60


def test_limits_are_counted_per_user(limited_portal: Portal) -> None:
    with limited_portal.client(anonymous=True) as anonymous:
        for _ in range(10):
            anonymous.get("/api/2.0/authentication")
        assert anonymous.get("/api/2.0/authentication").status_code == 429
    with limited_portal.client() as owner:
        assert owner.get("/api/2.0/people/@self").status_code == 200


def test_creating_keys_is_limited_as_a_sensitive_endpoint(
    limited_portal: Portal,
) -> None:
    with limited_portal.client() as owner:
        made = [owner.post("/api/2.0/keys", json={"name": f"k{i}"}) for i in range(3)]
        assert [a.status_code for a in made] == [200, 200, 429]
        _assert_refused(made[2], 3)
        assert int(made[2].headers["retry-after"]) > 60  # a 15-minute window
        keys = owner.get("/api/2.0/keys").json()["response"]
        assert len(keys) == 3  # the owner's first key and two more, not a fourth


def test_posts_and_puts_past_the_daily_limit_get_429(limited_portal: Portal) -> None:
    with limited_portal.client() as owner:
        made = [
            owner.post("/api/2.0/files/@my/file", json={"title": f"D{i}.docx"})
            for i in range(6)
        ]
        assert [a.status_code for a in made] == [200] * 5 + [429]
        _assert_refused(made[5], 6)
        assert owner.get("/api/2.0/files/@my").json()["response"]["total"] == 5


def test_writes_in_flight_past_the_limit_get_429_while_reads_pass(
    limited_portal: Portal,
) -> None:
    def slow_body() -> Iterator[bytes]:
        yield (
            b'--slow\r\nContent-Disposition: form-data; name="file"; '
            b'filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\nfirst half, '
        )
        time.sleep(1.0)
        yield b"second half\r\n--slow--\r\n"

    with limited_portal.client() as owner:
        results: dict[str, int] = {}

        def upload() -> None:
            with limited_portal.client() as other_connection:
                answer = other_connection.post(
                    "/api/2.0/files/@my/upload",
                    content=slow_body(),
                    headers={"Content-Type": "multipart/form-data; boundary=slow"},
                )
                results["slow"] = answer.status_code

        worker = threading.Thread(target=upload)
        worker.start()
        time.sleep(0.4)
        refused = owner.post("/api/2.0/files/@my/file", json={"title": "Busy.docx"})
        read = owner.get("/api/2.0/people/@self")
        worker.join()
        _assert_refused(refused, 1)
        assert read.status_code == 200
        assert results["slow"] == 200
        after = owner.post("/api/2.0/files/@my/file", json={"title": "Later.docx"})
        assert after.status_code == 200
