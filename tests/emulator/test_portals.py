"""Portal registration, removal, and which portal a request reaches."""

from __future__ import annotations

import uuid

import httpx

from folio.testing import Emulator, Portal


def _register(emulator: Emulator, name: object, **fields: object) -> httpx.Response:
    body = {
        "portalName": name,
        "firstName": "Ada",
        "lastName": "Owner",
        "email": "ada@example.com",
        "password": "a-password",
        "language": "en",
        **fields,
    }
    return httpx.post(f"{emulator.url}/apisystem/portal/register", json=body)


def _unique() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


def test_register_answers_tenant_with_owner_id_and_domain(emulator: Emulator) -> None:
    # The portal service and portal removal are not in ONLYOFFICE's Files SDK; their
    # answers are checked as raw JSON.
    name = _unique()
    answer = _register(emulator, name.upper())
    assert answer.status_code == 200
    tenant = answer.json()["tenant"]
    assert tenant["portalName"] == name
    assert tenant["domain"] == f"{name}.localhost"
    assert tenant["status"] == "Active"
    assert tenant["language"] == "en-US"
    assert isinstance(tenant["tenantId"], int)
    assert answer.json()["reference"].startswith(f"http://{name}.localhost")

    # The owner named in the answer is the one who logs in to the new portal.
    login = httpx.post(
        f"{emulator.url}/api/2.0/authentication",
        json={"userName": "ada@example.com", "password": "a-password"},
        headers={"Origin": f"http://{name}"},
    )
    assert login.status_code == 200
    me = httpx.get(
        f"{emulator.url}/api/2.0/people/@self",
        headers={"Authorization": login.json()["response"]["token"]},
    ).json()["response"]
    assert (me["id"], me["isOwner"], me["isAdmin"]) == (tenant["ownerId"], True, True)


def test_register_taken_name_is_refused_with_portal_name_exist(
    emulator: Emulator, portal: Portal
) -> None:
    answer = _register(emulator, portal.name)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "portalNameExist",
        "message": "Portal already exists",
        "variants": [portal.name],
    }


def test_register_bad_names_are_refused_with_the_portal_service_codes(
    emulator: Emulator,
) -> None:
    short = _register(emulator, "ab")
    assert (short.status_code, short.json()["error"]) == (400, "tooShortError")
    symbols = _register(emulator, "no spaces!")
    assert (symbols.status_code, symbols.json()["error"]) == (
        400,
        "portalNameIncorrect",
    )
    nameless = _register(emulator, _unique(), firstName="", lastName="")
    assert nameless.json() == {"error": "error", "message": "name is required"}
    before = set(emulator.portal_names())
    assert "ab" not in before and "no spaces!" not in before


def test_register_without_portal_name_gets_a_random_docspace_name(
    emulator: Emulator,
) -> None:
    answer = _register(emulator, "")
    assert answer.status_code == 200
    name = answer.json()["tenant"]["portalName"]
    assert name.startswith("docspace-") and len(name) == len("docspace-") + 6
    assert name in emulator.portal_names()


def test_second_portal_sees_nothing_of_the_first(
    portal: Portal, second_portal: Portal
) -> None:
    with portal.client() as first, second_portal.client() as second:
        made = first.post("/api/2.0/files/@my/file", json={"title": "Secret.docx"})
        file_id = made.json()["response"]["id"]
        first.post("/api/2.0/people", json={"email": "x@example.com", "type": "User"})

        assert second.get("/api/2.0/files/@my").json()["response"]["total"] == 0
        assert second.get(f"/api/2.0/files/file/{file_id}").status_code == 404
        keys = second.get("/api/2.0/keys").json()["response"]
        assert {key["createBy"]["id"] for key in keys} == {second_portal.owner_id}
        assert second.get("/api/2.0/files/fileops").json()["response"] == []

    # The first portal's key means nothing where the second portal is named.
    crossed = httpx.get(
        f"{portal.url}/api/2.0/files/@my",
        headers={"Authorization": f"Bearer {portal.api_key}",
                 "Origin": second_portal.origin},
    )  # fmt: skip
    assert crossed.status_code == 401
    # Nor does the first owner's password (the same e-mail may live in both).
    login = httpx.post(
        f"{portal.url}/api/2.0/authentication",
        json={"userName": portal.owner_email, "password": portal.owner_password},
        headers={"Origin": second_portal.origin},
    )
    assert login.status_code == 401


def test_host_header_chooses_the_portal(portal: Portal, second_portal: Portal) -> None:
    with portal.client() as first:
        first.post("/api/2.0/files/@my/file", json={"title": "Mine.docx"})
    login = httpx.post(
        f"{portal.url}/api/2.0/authentication",
        json={"userName": portal.owner_email, "password": portal.owner_password},
        headers={"Host": f"{portal.name}.localhost:8080"},
    )
    assert login.status_code == 200
    token = login.json()["response"]["token"]
    listing = httpx.get(
        f"{portal.url}/api/2.0/files/@my",
        headers={"Host": f"{portal.name}.localhost", "Authorization": token},
    )
    assert [f["title"] for f in listing.json()["response"]["files"]] == ["Mine.docx"]


def test_origin_header_chooses_the_portal_for_anonymous_calls(
    portal: Portal, second_portal: Portal
) -> None:
    for target in (portal, second_portal):
        login = httpx.post(
            f"{portal.url}/api/2.0/authentication",
            json={"userName": target.owner_email, "password": target.owner_password},
            headers={"Origin": target.origin},
        )
        assert login.status_code == 200


def test_single_portal_serves_requests_that_name_none() -> None:
    with (
        Emulator.start("inprocess") as alone,
        httpx.Client(base_url=alone.url) as plain,
    ):
        only = alone.new_portal()
        login = plain.post(
            "/api/2.0/authentication",
            json={"userName": only.owner_email, "password": only.owner_password},
        )
        assert login.status_code == 200
        plain.cookies.clear()
        assert plain.get("/api/2.0/authentication").json()["response"] is False

        # With a second portal, a request that names none reaches none.
        alone.new_portal()
        lost = plain.get("/api/2.0/authentication")
        assert lost.status_code == 404
        assert lost.json()["error"]["message"] == "Portal not found"


def test_delete_portal_immediately_removes_it_and_frees_its_name(
    emulator: Emulator, portal: Portal
) -> None:
    with portal.client() as owner:
        owner.post("/api/2.0/files/@my/file", json={"title": "Gone.docx"})
        answer = owner.request(
            "DELETE",
            "/api/2.0/portal/deleteportalimmediately",
            json={"reference": f"{portal.name}.localhost"},
        )
        assert answer.status_code == 200
        assert answer.json()["statusCode"] == 200
        assert owner.get("/api/2.0/files/@my").status_code in (401, 404)
    assert portal.name not in emulator.portal_names()
    again = _register(emulator, portal.name)
    assert again.status_code == 200
    key = emulator.create_key(portal.name, "ada@example.com", "a-password")
    owner_id = again.json()["tenant"]["ownerId"]
    Portal(emulator, portal.name, owner_id, "ada@example.com", "", key).delete()


def test_delete_portal_by_someone_not_the_owner_is_refused(
    emulator: Emulator, portal: Portal
) -> None:
    admin = portal.add_user(type="DocSpaceAdmin")
    with portal.client(admin.api_key) as as_admin:
        answer = as_admin.request(
            "DELETE", "/api/2.0/portal/deleteportalimmediately", json={}
        )
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "Access denied"
    assert portal.name in emulator.portal_names()


def test_health_says_emulator_mode(emulator: Emulator) -> None:
    answer = httpx.get(f"{emulator.url}/health")
    assert answer.json() == {"status": "ok", "mode": "emulator"}
