"""Members with DocSpace's roles, and what each may do with personal documents."""

from __future__ import annotations

import docspace_api_sdk as sdk
import httpx
import pytest
from emulator_sdk import sdk_client

from folio.testing import Portal


@pytest.mark.parametrize(
    ("member_type", "flags"),
    [
        pytest.param(
            sdk.EmployeeType.DOCSPACEADMIN,
            (True, False, False, False, True),
            id="docspace-admin",
        ),
        pytest.param(
            sdk.EmployeeType.ROOMADMIN,
            (False, True, False, False, True),
            id="room-admin",
        ),
        pytest.param(
            sdk.EmployeeType.USER, (False, False, True, False, True), id="user"
        ),
        pytest.param(
            sdk.EmployeeType.GUEST, (False, False, False, True, False), id="guest"
        ),
    ],
)
def test_owner_adds_member_of_each_type_through_the_sdk(
    portal: Portal, member_type: sdk.EmployeeType, flags: tuple[bool, ...]
) -> None:
    with sdk_client(portal) as api_client:
        added = sdk.ProfilesApi(api_client).add_member(
            sdk.MemberRequestDto(
                email=f"{member_type.value.lower()}@example.com",
                password="member-password",
                first_name="Mia",
                last_name="Member",
                type=member_type,
            )
        )
    profile = added.response
    assert profile.email == f"{member_type.value.lower()}@example.com"
    assert profile.display_name == "Mia Member"
    assert (
        profile.is_admin,
        profile.is_room_admin,
        profile.is_collaborator,
        profile.is_visitor,
        profile.has_personal_folder,
    ) == flags
    assert profile.is_owner is False


def test_added_member_logs_in_and_sees_an_empty_my_documents(portal: Portal) -> None:
    member = portal.add_user(type="User")
    with portal.client(anonymous=True) as anonymous:
        login = anonymous.post(
            "/api/2.0/authentication",
            json={"userName": member.email, "password": member.password},
        )
        assert login.status_code == 200
    with portal.client(member.api_key) as as_member:
        me = as_member.get("/api/2.0/people/@self").json()["response"]
        assert me["id"] == member.id
        listing = as_member.get("/api/2.0/files/@my")
        assert listing.status_code == 200
        assert listing.json()["response"]["total"] == 0


def test_add_member_through_people_active(portal: Portal) -> None:
    # The SDK has no method for this route, so the raw answer is checked.
    with portal.client() as owner:
        answer = owner.post(
            "/api/2.0/people/active",
            json={"email": "guest@example.com", "password": "pw", "type": "Guest"},
        )
    assert answer.status_code == 200
    assert answer.json()["response"]["isVisitor"] is True


def test_guest_has_no_my_documents_and_may_not_create_keys(portal: Portal) -> None:
    guest = portal.add_user(type="Guest", password="guest-password")
    with portal.client(anonymous=True) as anonymous:
        token = anonymous.post(
            "/api/2.0/authentication",
            json={"userName": guest.email, "password": "guest-password"},
        ).json()["response"]["token"]
    with portal.client(anonymous=True, headers={"Authorization": token}) as as_guest:
        assert as_guest.get("/api/2.0/files/@my").status_code == 404
        made = as_guest.post("/api/2.0/files/@my/file", json={"title": "No.docx"})
        assert made.status_code == 404
        key = as_guest.post("/api/2.0/keys", json={"name": "mine"})
        assert key.status_code == 403
        assert key.json()["error"]["message"] == "Access denied"


@pytest.mark.parametrize(
    ("adder", "added", "allowed"),
    [
        pytest.param("DocSpaceAdmin", "DocSpaceAdmin", False, id="admin-adds-admin"),
        pytest.param("DocSpaceAdmin", "RoomAdmin", True, id="admin-adds-room-admin"),
        pytest.param("RoomAdmin", "User", True, id="room-admin-adds-user"),
        pytest.param("RoomAdmin", "RoomAdmin", False, id="room-admin-adds-room-admin"),
        pytest.param("User", "Guest", False, id="user-adds-guest"),
    ],
)
def test_members_add_only_the_types_their_role_allows(
    portal: Portal, adder: str, added: str, allowed: bool
) -> None:
    member = portal.add_user(type=adder)
    with portal.client(member.api_key) as as_member:
        answer = as_member.post(
            "/api/2.0/people",
            json={"email": "new@example.com", "password": "pw", "type": added},
        )
    if allowed:
        assert answer.status_code == 200
        assert answer.json()["response"]["email"] == "new@example.com"
    else:
        assert answer.status_code == 403
        assert answer.json()["error"]["message"] == "Access denied"
        with portal.client() as owner:
            again = owner.post(
                "/api/2.0/people",
                json={"email": "new@example.com", "password": "pw", "type": "User"},
            )
        assert again.status_code == 200  # nothing was added by the refusal


def test_adding_a_taken_email_is_refused(portal: Portal) -> None:
    with portal.client() as owner:
        owner.post("/api/2.0/people", json={"email": "twice@example.com"})
        again = owner.post("/api/2.0/people", json={"email": "TWICE@example.com"})
    assert again.status_code == 400
    assert again.json()["error"]["message"] == (
        "User with this email is already registered"
    )


def test_members_do_not_see_each_others_documents(portal: Portal) -> None:
    first = portal.add_user(type="User")
    admin = portal.add_user(type="DocSpaceAdmin")
    with portal.client(first.api_key) as as_first:
        file_id = as_first.post(
            "/api/2.0/files/@my/file", json={"title": "Private.docx"}
        ).json()["response"]["id"]
    for key in (admin.api_key, portal.api_key):
        with portal.client(key) as other:
            answer = other.get(f"/api/2.0/files/file/{file_id}")
            assert answer.status_code == 404
            assert (
                answer.json()["error"]["message"] == "The required file was not found"
            )


def test_admins_list_every_key_of_the_portal_and_users_their_own(
    portal: Portal,
) -> None:
    user = portal.add_user(type="User")
    admin = portal.add_user(type="DocSpaceAdmin")

    def owners_of_keys(key: str | None) -> set[str]:
        with portal.client(key) as http:
            return {
                k["createBy"]["id"]
                for k in http.get("/api/2.0/keys").json()["response"]
            }

    assert owners_of_keys(user.api_key) == {user.id}
    assert owners_of_keys(admin.api_key) == {portal.owner_id, user.id, admin.id}
    assert owners_of_keys(None) == {portal.owner_id, user.id, admin.id}


def test_key_without_accounts_scope_may_not_add_members(portal: Portal) -> None:
    with portal.client() as owner:
        limited = owner.post(
            "/api/2.0/keys", json={"name": "files", "permissions": ["files:write"]}
        ).json()["response"]["key"]
    with portal.client(limited) as as_limited:
        answer = as_limited.post("/api/2.0/people", json={"email": "n@example.com"})
    assert answer.status_code == 403
    assert answer.content == b"" or answer.json()["statusCode"] == 403


def test_anonymous_may_not_add_members(portal: Portal) -> None:
    answer = httpx.post(
        f"{portal.url}/api/2.0/people",
        json={"email": "n@example.com"},
        headers={"Origin": portal.origin},
    )
    assert answer.status_code == 401
    assert answer.content == b""
