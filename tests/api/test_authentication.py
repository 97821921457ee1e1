"""POST/GET /api/2.0/authentication, logout, and every credential carrier."""

from __future__ import annotations

import base64

import docspace_api_sdk as sdk
import httpx
import pytest

from helpers import FolioServer, TestUser


def _login(anonymous: httpx.Client, user: TestUser, **extra: object) -> httpx.Response:
    body = {"userName": user.email, "password": user.password, **extra}
    return anonymous.post("/api/2.0/authentication", json=body)


def test_login_returns_token_cookie_and_plain_utc_expiry(
    anonymous: httpx.Client, user: TestUser
) -> None:
    answer = _login(anonymous, user)

    assert answer.status_code == 200
    body = answer.json()
    token = body["response"]["token"]
    assert body["response"]["sms"] is False and body["response"]["tfa"] is False
    assert body["response"]["expires"].endswith("Z")
    assert (body["count"], body["links"][0]["action"], body["statusCode"]) == (
        1,
        "POST",
        200,
    )
    assert answer.cookies["asc_auth_key"] == token


def test_login_twice_issues_different_tokens(
    anonymous: httpx.Client, user: TestUser
) -> None:
    first = _login(anonymous, user).json()["response"]["token"]
    second = _login(anonymous, user).json()["response"]["token"]
    assert first != second


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"userName": "nobody@example.com", "password": "x"}, id="unknown"),
        pytest.param({"password": "x"}, id="no-user-name"),
        pytest.param({}, id="empty-object"),
    ],
)
def test_login_with_bad_credentials_answers_401_user_authentication_failed(
    anonymous: httpx.Client, body: dict[str, str]
) -> None:
    answer = anonymous.post("/api/2.0/authentication", json=body)

    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "User authentication failed"


def test_login_with_wrong_password_answers_401(
    anonymous: httpx.Client, user: TestUser
) -> None:
    answer = anonymous.post(
        "/api/2.0/authentication",
        json={"userName": user.email, "password": "wrong"},
    )
    assert answer.status_code == 401
    assert answer.json()["statusCode"] == 401


def test_login_without_body_answers_401(anonymous: httpx.Client) -> None:
    answer = anonymous.post("/api/2.0/authentication")
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "User authentication failed"


def test_session_token_works_raw_with_bearer_and_as_cookie(
    server: FolioServer, anonymous: httpx.Client, user: TestUser
) -> None:
    token = _login(anonymous, user).json()["response"]["token"]

    for headers, cookies in (
        ({"Authorization": token}, {}),
        ({"Authorization": f"Bearer {token}"}, {}),
        ({}, {"asc_auth_key": token}),
    ):
        with httpx.Client(
            base_url=server.url, headers=headers, cookies=cookies
        ) as http:
            answer = http.get("/api/2.0/people/@self")
            assert answer.status_code == 200
            assert answer.json()["response"]["email"] == user.email


def test_cookie_wins_over_a_bad_header(
    server: FolioServer, anonymous: httpx.Client, user: TestUser
) -> None:
    token = _login(anonymous, user).json()["response"]["token"]
    with httpx.Client(
        base_url=server.url,
        headers={"Authorization": "Bearer not-a-token"},
        cookies={"asc_auth_key": token},
    ) as http:
        assert http.get("/api/2.0/files/@my").status_code == 200


def test_basic_auth_with_email_and_password(
    server: FolioServer, user: TestUser
) -> None:
    pair = base64.b64encode(f"{user.email}:{user.password}".encode()).decode()
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Basic {pair}"}
    ) as http:
        assert http.get("/api/2.0/files/@my").status_code == 200


def test_basic_auth_with_wrong_password_answers_401_with_challenge(
    server: FolioServer, user: TestUser
) -> None:
    pair = base64.b64encode(f"{user.email}:nope".encode()).decode()
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Basic {pair}"}
    ) as http:
        answer = http.get("/api/2.0/files/@my")
    assert answer.status_code == 401
    assert answer.content == b""
    assert answer.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer sk-" + "0" * 64, id="unknown-key"),
        pytest.param("Bearer garbage", id="unknown-token"),
        pytest.param("garbage", id="raw-garbage"),
        pytest.param("Basic !!!", id="malformed-basic"),
    ],
)
def test_invalid_credentials_answer_401_with_empty_body(
    server: FolioServer, header: str
) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": header}) as http:
        answer = http.get("/api/2.0/files/@my")
    assert answer.status_code == 401
    assert answer.content == b""


def test_missing_credentials_answer_401_with_empty_body(
    anonymous: httpx.Client,
) -> None:
    for path in ("/api/2.0/files/@my", "/api/2.0/people/@self", "/api/2.0/keys"):
        answer = anonymous.get(path)
        assert answer.status_code == 401, path
        assert answer.content == b"", path


def test_is_authenticated_tells_true_and_false(
    client: httpx.Client, anonymous: httpx.Client
) -> None:
    assert client.get("/api/2.0/authentication").json()["response"] is True
    assert anonymous.get("/api/2.0/authentication").json()["response"] is False


def test_logout_ends_the_session_token(
    server: FolioServer, anonymous: httpx.Client, user: TestUser
) -> None:
    token = _login(anonymous, user).json()["response"]["token"]
    with httpx.Client(base_url=server.url, headers={"Authorization": token}) as http:
        answer = http.post("/api/2.0/authentication/logout")
        assert answer.status_code == 200
        assert "response" not in answer.json() and answer.json()["count"] == 0
        assert http.get("/api/2.0/files/@my").status_code == 401


def test_logout_without_credentials_answers_200(anonymous: httpx.Client) -> None:
    assert anonymous.post("/api/2.0/authentication/logout").status_code == 200


def test_repeated_failed_logins_from_one_client_are_refused(
    server: FolioServer, anonymous: httpx.Client
) -> None:
    victim = server.new_user()
    statuses = [
        anonymous.post(
            "/api/2.0/authentication",
            json={"userName": victim.email, "password": f"guess-{n}"},
            headers={"X-Test": str(n)},
        ).status_code
        for n in range(8)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [403] * 3

    # Even the right password is refused until the window passes.
    answer = _login(anonymous, victim)
    assert answer.status_code == 403
    assert answer.json()["error"]["message"]


def test_login_through_the_sdk(server: FolioServer, user: TestUser) -> None:
    with sdk.ApiClient(sdk.Configuration(host=server.url)) as api:
        answer = sdk.AuthenticationApi(api).authenticate_me(
            sdk.AuthRequestsDto(user_name=user.email, password=user.password)
        )
        assert answer.response.token
        assert answer.response.tfa is False
        checked = sdk.AuthenticationApi(api).get_is_authentificated()
        assert checked.response is False
