"""The admin routes, one test per route and verb, with their 401 / 403 / 404 / 422 twins; an
admin reading another user's list through /api/users/{user_id}/tasks."""

from __future__ import annotations

import httpx
import pytest

from authbridge import MESSAGES

from .conftest import TokenFor

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-0000-0000-000000000000"
ADMIN_PERMISSIONS = ["tasks:read:any", "tasks:write:any", "users:list"]
SCOPE = 'Bearer realm="api", error="insufficient_scope", error_description="{}"'


@pytest.fixture
def as_admin(auth_for: TokenFor) -> TokenFor:
    """Headers of an admin, as the auth server issues them (role and its permissions)."""

    def build(sub: str = "root", **overrides: object) -> dict[str, str]:
        return auth_for(sub, **{"role": "admin", "permissions": ADMIN_PERMISSIONS, **overrides})

    return build


async def seed(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    for owner, title in [("alice", "a1"), ("bob", "b1"), ("alice", "a2")]:
        response = await client.post("/api/tasks", json={"title": title}, headers=auth_for(owner))
        assert response.status_code == 201


async def test_read_all_tasks(client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor) -> None:
    await seed(client, auth_for)
    response = await client.get("/api/admin/tasks", headers=as_admin())
    assert response.status_code == 200
    assert [(t["user_id"], t["title"]) for t in response.json()] == [
        ("alice", "a1"),
        ("bob", "b1"),
        ("alice", "a2"),
    ]
    owned = await client.get("/api/admin/tasks?owner=alice&limit=1&offset=1", headers=as_admin())
    assert [t["title"] for t in owned.json()] == ["a2"]


async def test_read_all_tasks_refused(
    client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor
) -> None:
    plain = await client.get("/api/admin/tasks", headers=auth_for("alice", role="user"))
    assert plain.status_code == 403
    assert plain.headers["www-authenticate"] == SCOPE.format("This action requires a role you do not have")
    assert plain.json() == {
        "detail": "This action requires a role you do not have",
        "code": "insufficient_role",
    }
    no_permission = await client.get("/api/admin/tasks", headers=as_admin(permissions=["users:list"]))
    assert no_permission.status_code == 403
    assert no_permission.json()["code"] == "insufficient_permission"
    assert (await client.get("/api/admin/tasks")).status_code == 401
    malformed = await client.get("/api/admin/tasks", headers=as_admin(role=7))
    assert malformed.status_code == 401
    assert malformed.json()["code"] == "invalid_claims"


async def test_read_all_tasks_invalid_query_after_the_role(
    client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor
) -> None:
    assert (await client.get("/api/admin/tasks?limit=0", headers=as_admin())).status_code == 422
    # The role comes before the request's own validity.
    assert (await client.get("/api/admin/tasks?limit=0", headers=auth_for("alice"))).status_code == 403


async def test_delete_any_task(client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor) -> None:
    created = await client.post("/api/tasks", json={"title": "spam"}, headers=auth_for("bob"))
    task_id = created.json()["id"]
    assert (await client.delete(f"/api/admin/tasks/{task_id}", headers=as_admin())).status_code == 204
    assert (await client.get(f"/api/tasks/{task_id}", headers=auth_for("bob"))).status_code == 404


async def test_delete_any_task_refused(
    client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor
) -> None:
    created = await client.post("/api/tasks", json={"title": "mine"}, headers=auth_for("bob"))
    task_id = created.json()["id"]
    read_only = as_admin(permissions=["tasks:read:any"])
    refused = await client.delete(f"/api/admin/tasks/{task_id}", headers=read_only)
    assert refused.json()["code"] == "insufficient_permission"
    own = await client.delete(f"/api/admin/tasks/{task_id}", headers=auth_for("bob"))
    assert own.json()["code"] == "insufficient_role"
    assert (await client.get(f"/api/tasks/{task_id}", headers=auth_for("bob"))).status_code == 200


async def test_delete_any_task_not_found(client: httpx.AsyncClient, as_admin: TokenFor) -> None:
    response = await client.delete(f"/api/admin/tasks/{MISSING}", headers=as_admin())
    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found", "code": "not_found"}


async def test_read_users(client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor) -> None:
    await seed(client, auth_for)
    response = await client.get("/api/admin/users", headers=as_admin())
    assert response.status_code == 200
    assert response.json() == [{"user_id": "alice", "task_count": 2}, {"user_id": "bob", "task_count": 1}]
    paged = await client.get("/api/admin/users?offset=1", headers=as_admin())
    assert paged.json() == [{"user_id": "bob", "task_count": 1}]
    assert (await client.get("/api/admin/users?limit=101", headers=as_admin())).status_code == 422
    refused = await client.get("/api/admin/users", headers=as_admin(permissions=[]))
    assert refused.json()["code"] == "insufficient_permission"


async def test_admin_reads_any_users_list(
    client: httpx.AsyncClient, auth_for: TokenFor, as_admin: TokenFor
) -> None:
    await seed(client, auth_for)
    response = await client.get("/api/users/alice/tasks", headers=as_admin())
    assert response.status_code == 200
    assert [t["title"] for t in response.json()] == ["a1", "a2"]
    # Reading, not writing: an admin still cannot create in someone else's name.
    planted = await client.post("/api/users/alice/tasks", json={"title": "x"}, headers=as_admin())
    assert planted.status_code == 403
    assert planted.json()["code"] == "forbidden"
    assert (await client.get("/api/users/alice/tasks", headers=auth_for("bob"))).json()["code"] == "forbidden"


async def test_me_shows_roles_and_permissions(client: httpx.AsyncClient, as_admin: TokenFor) -> None:
    response = await client.get("/api/me", headers=as_admin("root"))
    assert response.json()["roles"] == ["admin"]
    assert response.json()["permissions"] == ADMIN_PERMISSIONS


async def test_openapi_documents_the_admin_403(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    responses = schema["paths"]["/api/admin/tasks"]["get"]["responses"]
    enum = responses["403"]["content"]["application/json"]["schema"]["properties"]["code"]["enum"]
    assert enum == ["insufficient_permission", "insufficient_role"]
    # The per-user routes are for people: a machine client's token is the one 403 they document.
    own = schema["paths"]["/api/tasks"]["get"]["responses"]["403"]
    assert own["content"]["application/json"]["schema"]["properties"]["code"]["enum"] == ["user_required"]


async def test_a_client_reads_every_task_and_the_users_with_its_scopes(
    client: httpx.AsyncClient, auth_for: TokenFor, client_for: TokenFor
) -> None:
    await seed(client, auth_for)
    response = await client.get("/api/admin/tasks", headers=client_for("tasks:read:any"))
    assert response.status_code == 200
    assert len(response.json()) == 3
    users = await client.get("/api/admin/users", headers=client_for("users:list"))
    assert users.json() == [{"user_id": "alice", "task_count": 2}, {"user_id": "bob", "task_count": 1}]


async def test_a_client_without_the_routes_scope_is_403_insufficient_permission(
    client: httpx.AsyncClient, client_for: TokenFor
) -> None:
    response = await client.delete(f"/api/admin/tasks/{MISSING}", headers=client_for("tasks:read:any"))
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == SCOPE.format(
        "This action requires a permission you do not have"
    )
    assert response.json()["code"] == "insufficient_permission"


async def test_a_client_deletes_any_task_with_tasks_write_any(
    client: httpx.AsyncClient, auth_for: TokenFor, client_for: TokenFor
) -> None:
    created = await client.post("/api/tasks", json={"title": "doomed"}, headers=auth_for("alice"))
    task_id = created.json()["id"]
    headers = client_for("tasks:write:any")
    assert (await client.delete(f"/api/admin/tasks/{task_id}", headers=headers)).status_code == 204
    assert (await client.delete(f"/api/admin/tasks/{task_id}", headers=headers)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/me"),
        ("GET", "/api/tasks"),
        ("POST", "/api/tasks"),
        ("GET", "/api/users/client_reports/tasks"),
    ],
)
async def test_a_client_on_a_route_for_people_is_403_user_required(
    client: httpx.AsyncClient, client_for: TokenFor, method: str, path: str
) -> None:
    body = {"title": "from a robot"} if method == "POST" else None
    response = await client.request(
        method, path, json=body, headers=client_for("tasks:read:any tasks:write:any")
    )
    assert (response.status_code, "www-authenticate" in response.headers) == (403, False)
    assert response.json() == {"detail": MESSAGES["user_required"], "code": "user_required"}


async def test_a_user_tokens_scope_claim_grants_nothing(
    client: httpx.AsyncClient, auth_for: TokenFor
) -> None:
    response = await client.get("/api/admin/tasks", headers=auth_for("alice", scope="tasks:read:any"))
    assert response.json()["code"] == "insufficient_role"
