"""Every failure is an exception of the right class, with DocSpace's message."""

from __future__ import annotations

import json

import pytest
from proxy import Proxy, Reply
from support import FAST, set_quota

import helpers
from folio.client import (
    APIError,
    AuthenticationError,
    BadRequest,
    ClientError,
    Conflict,
    Folio,
    NotFound,
    PermissionDenied,
    ProtocolError,
    QuotaExceeded,
    RateLimited,
    ServerError,
    TransportError,
)


def _docspace_error(status: int, message: str) -> bytes:
    body = {
        "status": 1,
        "statusCode": status,
        "error": {"message": message, "type": None, "stack": None, "hresult": 0},
    }
    return json.dumps(body).encode()


def test_unknown_file_raises_not_found_with_message_status_and_request(
    folio: Folio,
) -> None:
    with pytest.raises(NotFound) as raised:
        folio.get_file(999999999)

    error = raised.value
    assert error.message == "The required file was not found"
    assert (error.status, error.method) == (404, "GET")
    assert error.url is not None and error.url.endswith("/api/2.0/files/file/999999999")
    assert "The required file was not found (404 on GET" in str(error)
    assert isinstance(error, APIError) and isinstance(error, ClientError)


def test_another_users_file_raises_not_found(
    folio: Folio, server: helpers.FolioServer
) -> None:
    file = folio.upload(b"mine", title="private.txt")

    with Folio(server.url, server.new_user().key, retry=FAST) as stranger:
        with pytest.raises(NotFound):
            stranger.get_file(file.id)


def test_wrong_api_key_raises_authentication_error(
    server: helpers.FolioServer,
) -> None:
    with Folio(server.url, "sk-" + "0" * 64, retry=FAST) as client:
        with pytest.raises(AuthenticationError) as raised:
            client.my_documents()

    assert raised.value.status == 401
    assert raised.value.message == "The server did not accept the credentials"


def test_no_credentials_raise_authentication_error(
    server: helpers.FolioServer,
) -> None:
    with Folio(server.url, retry=FAST) as client:
        with pytest.raises(AuthenticationError):
            client.me()


def test_wrong_password_raises_authentication_error_with_docspace_message(
    server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    with Folio(server.url, email=user.email, password="wrong", retry=FAST) as client:
        with pytest.raises(AuthenticationError, match="User authentication failed"):
            client.my_documents()


def test_password_login_and_token_both_authenticate(
    server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    with Folio(server.url, email=user.email, password=user.password) as by_password:
        token = by_password.authenticate()
        assert by_password.me().email == user.email

    with Folio(server.url, token=token.token) as by_token:
        assert by_token.me().id == user.user_id
    assert "token" not in repr(token)


def test_upload_into_trash_raises_permission_denied(folio: Folio) -> None:
    trash = folio.trash().folder

    with pytest.raises(PermissionDenied) as raised:
        folio.upload(b"x", trash, title="nope.txt")

    assert raised.value.status == 403
    assert raised.value.message == "You don't have enough permission to create"


def test_key_without_the_scope_raises_permission_denied(
    folio: Folio, server: helpers.FolioServer
) -> None:
    limited = folio.create_api_key("read only", permissions=["files:read"])

    with Folio(server.url, limited.key, retry=FAST) as client:
        assert client.my_documents().total == 0
        with pytest.raises(PermissionDenied, match="Access denied"):
            client.me()
        with pytest.raises(PermissionDenied):
            client.create("Plan.docx")


def test_page_size_out_of_range_raises_bad_request_naming_the_field(
    folio: Folio,
) -> None:
    with pytest.raises(BadRequest) as raised:
        folio.list(count=0)

    assert raised.value.errors == {
        "Count": ["The field Count must be between 1 and 100."]
    }
    assert raised.value.message == "The field Count must be between 1 and 100."


def test_upload_beyond_the_quota_raises_quota_exceeded(
    folio: Folio, server: helpers.FolioServer, user: helpers.TestUser
) -> None:
    set_quota(server, user, 10)

    with pytest.raises(QuotaExceeded) as raised:
        folio.upload(b"x" * 100, title="heavy.txt")

    assert raised.value.status == 402
    assert "quota" in raised.value.message
    assert folio.my_documents().total == 0


@pytest.mark.parametrize(
    ("status", "cls", "message"),
    [
        pytest.param(409, Conflict, "The file is locked", id="409-conflict"),
        pytest.param(500, ServerError, "Object reference not set", id="500-server"),
        pytest.param(
            502,
            ServerError,
            "The server answered 502 Bad Gateway",
            id="502-html-server",
        ),  # fmt: skip
    ],
)
def test_error_answers_map_to_their_class(
    proxy: Proxy, proxied: Folio, status: int, cls: type[APIError], message: str
) -> None:
    # The server never answers these on purpose; the proxy stands in for it.
    body = b"<html>bad gateway</html>" if status == 502 else _docspace_error(
        status, message
    )  # fmt: skip
    proxy.rule = lambda head: Reply(status, {"Content-Type": "text/html"}, body)

    with pytest.raises(cls) as raised:
        proxied.get_file(1)

    assert raised.value.status == status
    assert raised.value.message == message


def test_rate_limit_that_outlasts_the_retries_raises_rate_limited(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = lambda head: Reply(429, {"Retry-After": "0"})

    with pytest.raises(RateLimited) as raised:
        proxied.my_documents()

    assert raised.value.retry_after == 0
    assert len(proxy.requests("GET", "/api/2.0/files/@my")) == FAST.attempts


def test_answer_that_is_not_json_raises_protocol_error(
    proxy: Proxy, proxied: Folio
) -> None:
    proxy.rule = lambda head: Reply(200, {"Content-Type": "text/html"}, b"<html/>")

    with pytest.raises(ProtocolError, match="not JSON"):
        proxied.my_documents()


def test_unreachable_server_raises_transport_error() -> None:
    port = helpers.free_port()

    with Folio(f"http://127.0.0.1:{port}", "sk-x", retry=FAST) as client:
        with pytest.raises(TransportError, match="Could not connect"):
            client.my_documents()
