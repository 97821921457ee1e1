"""Retries: 429 with Retry-After, gateway errors and broken connections."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from proxy import Action, CutRequest, CutResponse, Forward, Head, Proxy, Reply

import helpers
from folio.client import Folio, RateLimited, Retry, ServerError, TransportError


def _first(
    times: int, action: Action, method: str, path: str
) -> Callable[[Head], Action]:
    """A rule that answers the first `times` matching requests with `action`."""
    left = [times]

    def rule(head: Head) -> Action:
        if head.method == method and head.path.startswith(path) and left[0] > 0:
            left[0] -= 1
            return action
        return Forward()

    return rule


def test_429_is_retried_after_the_servers_retry_after(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = _first(
        1, Reply(429, {"Retry-After": "1"}), "GET", "/api/2.0/files/@my"
    )

    started = time.monotonic()
    listing = proxied.my_documents()
    waited = time.monotonic() - started

    assert listing.folder.title == "My documents"
    assert waited >= 1.0
    assert len(proxy.requests("GET", "/api/2.0/files/@my")) == 2


def test_429_on_an_upload_is_retried_since_nothing_was_stored(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = _first(2, Reply(429, {"Retry-After": "0"}), "POST", "/api/2.0/files")

    file = proxied.upload(b"once", title="once.txt")

    assert len(proxy.requests("POST")) == 3
    assert [f.id for f in proxied.my_documents().files] == [file.id]


def test_retry_after_beyond_the_policys_limit_is_not_waited_for(
    proxy: Proxy, user: helpers.TestUser
) -> None:
    proxy.rule = lambda head: Reply(429, {"Retry-After": "86400"})

    with Folio(proxy.url, user.key, retry=Retry(max_retry_after=60)) as client:
        started = time.monotonic()
        with pytest.raises(RateLimited) as raised:
            client.my_documents()

    assert raised.value.retry_after == 86400
    assert time.monotonic() - started < 5
    assert len(proxy.seen) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_on_a_read_are_retried(
    proxy: Proxy, proxied: Folio, status: int
) -> None:
    proxy.rule = _first(2, Reply(status), "GET", "/api/2.0/files/@my")

    assert proxied.my_documents().total == 0
    assert len(proxy.requests("GET", "/api/2.0/files/@my")) == 3


def test_gateway_error_on_an_upload_is_not_retried(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = _first(1, Reply(503), "POST", "/api/2.0/files")

    with pytest.raises(ServerError):
        proxied.upload(b"maybe", title="maybe.txt")

    assert len(proxy.requests("POST")) == 1


def test_connection_cut_during_a_reads_answer_is_retried(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = _first(1, CutResponse(after=10), "GET", "/api/2.0/files/@my")

    assert proxied.my_documents().total == 0
    assert len(proxy.requests("GET", "/api/2.0/files/@my")) == 2


def test_connection_cut_during_an_upload_is_not_retried(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = _first(1, CutRequest(after=10), "POST", "/api/2.0/files")

    with pytest.raises(TransportError, match="broke off|failed"):
        proxied.upload(b"y" * 100_000, title="cut.txt")

    assert len(proxy.requests("POST")) == 1
    assert proxied.my_documents().total == 0


def test_retries_give_up_after_the_policys_attempts(
    proxy: Proxy, user: helpers.TestUser
) -> None:
    proxy.rule = lambda head: CutResponse(after=0)

    with Folio(proxy.url, user.key, retry=Retry(attempts=3, backoff=0.01)) as client:
        with pytest.raises(TransportError):
            client.my_documents()

    assert len(proxy.seen) == 3
