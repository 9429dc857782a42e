"""The task routes, one test per route and verb, with their 403 / 404 / 422 twins and
isolation between users."""

from __future__ import annotations

import httpx
import pytest

from .conftest import TokenFor

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-0000-0000-000000000000"


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    response = await client.post("/api/tasks", json={"title": "Task", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_create_task(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.post(
        "/api/tasks",
        json={"title": "  Write docs  ", "description": "all of them"},
        headers=auth_for("alice"),
    )
    assert response.status_code == 201
    task = response.json()
    assert set(task) == {"id", "user_id", "title", "description", "completed", "created_at", "updated_at"}
    assert task["user_id"] == "alice"
    assert task["title"] == "Write docs"
    assert task["description"] == "all of them"
    assert task["completed"] is False
    assert task["created_at"].endswith("Z")
    assert len(task["created_at"]) == 24


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": 5},
        {"title": "ok", "description": "d" * 2001},
        {"title": "ok", "completed": "yes"},
        {"title": "ok", "user_id": "mallory"},
        {"title": "ok", "id": "chosen"},
    ],
)
async def test_create_task_invalid(
    client: httpx.AsyncClient, auth_for: TokenFor, body: dict[str, object]
) -> None:
    response = await client.post("/api/tasks", json=body, headers=auth_for("alice"))
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


async def test_create_task_boundaries(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"), title="x" * 200, description="d" * 2000, completed=True)
    assert task["completed"] is True
    assert task["description"] == "d" * 2000


async def test_read_tasks_lists_only_the_callers_tasks_oldest_first(
    client: httpx.AsyncClient, auth_for: TokenFor
) -> None:
    alice, bob = auth_for("alice"), auth_for("bob")
    first = await create(client, alice, title="first")
    second = await create(client, alice, title="second")
    await create(client, bob, title="bob's")
    response = await client.get("/api/tasks", headers=alice)
    assert response.status_code == 200
    assert [t["id"] for t in response.json()] == [first["id"], second["id"]]
    assert [t["title"] for t in (await client.get("/api/tasks", headers=bob)).json()] == ["bob's"]
    assert (await client.get("/api/tasks", headers=auth_for("carol"))).json() == []


async def test_read_tasks_filters_and_pages(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    alice = auth_for("alice")
    for i in range(5):
        await create(client, alice, title=f"t{i}", completed=i % 2 == 0)
    done = (await client.get("/api/tasks?completed=true", headers=alice)).json()
    assert [t["title"] for t in done] == ["t0", "t2", "t4"]
    page = (await client.get("/api/tasks?limit=2&offset=1", headers=alice)).json()
    assert [t["title"] for t in page] == ["t1", "t2"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=abc", "completed=maybe"])
async def test_read_tasks_invalid_query(client: httpx.AsyncClient, auth_for: TokenFor, query: str) -> None:
    response = await client.get(f"/api/tasks?{query}", headers=auth_for("alice"))
    assert response.status_code == 422


async def test_read_task(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"))
    response = await client.get(f"/api/tasks/{task['id']}", headers=auth_for("alice"))
    assert response.status_code == 200
    assert response.json() == task


async def test_read_task_forbidden(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"))
    response = await client.get(f"/api/tasks/{task['id']}", headers=auth_for("bob"))
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have access to this resource", "code": "forbidden"}
    assert "www-authenticate" not in response.headers


async def test_read_task_not_found(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.get(f"/api/tasks/{MISSING}", headers=auth_for("alice"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found", "code": "not_found"}


async def test_update_task(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"), description="old")
    response = await client.patch(
        f"/api/tasks/{task['id']}", json={"completed": True, "description": None}, headers=auth_for("alice")
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["completed"] is True
    assert updated["description"] is None
    assert updated["title"] == task["title"]
    assert updated["updated_at"] >= task["updated_at"]


@pytest.mark.parametrize("body", [{"title": None}, {"completed": None}, {"user_id": "bob"}, {"title": ""}])
async def test_update_task_invalid(
    client: httpx.AsyncClient, auth_for: TokenFor, body: dict[str, object]
) -> None:
    task = await create(client, auth_for("alice"))
    response = await client.patch(f"/api/tasks/{task['id']}", json=body, headers=auth_for("alice"))
    assert response.status_code == 422
    stored = (await client.get(f"/api/tasks/{task['id']}", headers=auth_for("alice"))).json()
    assert stored == task


async def test_update_task_forbidden(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"))
    response = await client.patch(
        f"/api/tasks/{task['id']}", json={"title": "mine now"}, headers=auth_for("bob")
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert (await client.get(f"/api/tasks/{task['id']}", headers=auth_for("alice"))).json()["title"] == "Task"


async def test_update_task_not_found(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.patch(f"/api/tasks/{MISSING}", json={"title": "x"}, headers=auth_for("alice"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_delete_task(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"))
    response = await client.delete(f"/api/tasks/{task['id']}", headers=auth_for("alice"))
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/api/tasks/{task['id']}", headers=auth_for("alice"))).status_code == 404


async def test_delete_task_forbidden(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    task = await create(client, auth_for("alice"))
    response = await client.delete(f"/api/tasks/{task['id']}", headers=auth_for("bob"))
    assert response.status_code == 403
    assert (await client.get(f"/api/tasks/{task['id']}", headers=auth_for("alice"))).status_code == 200


async def test_delete_task_not_found(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.delete(f"/api/tasks/{MISSING}", headers=auth_for("alice"))
    assert response.status_code == 404


async def test_read_user_tasks(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    await create(client, auth_for("alice"), title="a1")
    response = await client.get("/api/users/alice/tasks", headers=auth_for("alice"))
    assert response.status_code == 200
    assert [t["title"] for t in response.json()] == ["a1"]


async def test_read_user_tasks_forbidden(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    await create(client, auth_for("alice"), title="a1")
    response = await client.get("/api/users/alice/tasks", headers=auth_for("bob"))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_create_user_task(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.post(
        "/api/users/alice/tasks", json={"title": "via user"}, headers=auth_for("alice")
    )
    assert response.status_code == 201
    assert response.json()["user_id"] == "alice"


async def test_create_user_task_forbidden(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.post("/api/users/alice/tasks", json={"title": "planted"}, headers=auth_for("bob"))
    assert response.status_code == 403
    assert (await client.get("/api/tasks", headers=auth_for("alice"))).json() == []


async def test_create_user_task_invalid(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.post(
        "/api/users/alice/tasks", json={"title": "x", "user_id": "alice"}, headers=auth_for("alice")
    )
    assert response.status_code == 422
