"""End to end: the real Better Auth server signs a user up and issues a JWT; the task API
verifies it through the server's JWKS over HTTP."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from authbridge import AuthSettings
from task_api import create_app
from task_api.config import TaskApiSettings

from .services import AuthService

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def auth_server(auth_service: AuthService) -> str:
    return auth_service.url


@asynccontextmanager
async def _api_client(auth_server: str, database: Path, audience: str) -> AsyncIterator[httpx.AsyncClient]:
    """The task API (lifespan run) verifying through the real server's JWKS."""
    app = create_app(
        settings=TaskApiSettings(database_url=f"sqlite:///{database}"),
        auth_settings=lambda: AuthSettings(
            jwks_url=f"{auth_server}/.well-known/jwks.json",
            revocation_url=f"{auth_server}/api/auth/revocations",
            issuer=auth_server,
            audience=[audience],
        ),
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api") as client,
    ):
        yield client


@pytest.fixture
async def api(auth_server: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with _api_client(auth_server, tmp_path / "tasks.sqlite", "task-api") as client:
        yield client


async def _sign_up_and_get_jwt(auth_server: str, name: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=auth_server) as auth:
        email = f"{name}-{time.time_ns()}@example.test"
        signed_up = await auth.post(
            "/api/auth/sign-up/email",
            json={"email": email, "password": f"{name}-correct-horse-battery", "name": name},
            headers={"origin": auth_server},
        )
        assert signed_up.status_code == 200, signed_up.text
        # The signed session token, as the bearer plugin requires it.
        session = signed_up.headers["set-auth-token"]
        user_id = signed_up.json()["user"]["id"]
        token = await auth.get("/api/auth/token", headers={"authorization": f"Bearer {session}"})
        assert token.status_code == 200
        return user_id, token.json()["token"]


async def test_sign_up_fetch_a_token_and_call_the_api(auth_server: str, api: httpx.AsyncClient) -> None:
    user_id, jwt = await _sign_up_and_get_jwt(auth_server, "ada")
    headers = {"Authorization": f"Bearer {jwt}"}
    me = await api.get("/api/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["id"] == user_id
    assert me.json()["name"] == "ada"
    created = await api.post("/api/tasks", json={"title": "from a real token"}, headers=headers)
    assert created.status_code == 201
    assert created.json()["user_id"] == user_id

    other_id, other_jwt = await _sign_up_and_get_jwt(auth_server, "grace")
    other = {"Authorization": f"Bearer {other_jwt}"}
    assert (await api.get("/api/tasks", headers=other)).json() == []
    forbidden = await api.get(f"/api/tasks/{created.json()['id']}", headers=other)
    assert forbidden.status_code == 403
    assert other_id != user_id


async def test_a_token_for_another_audience_is_refused(auth_server: str, tmp_path: Path) -> None:
    _, jwt = await _sign_up_and_get_jwt(auth_server, "linus")
    async with _api_client(auth_server, tmp_path / "other.sqlite", "billing-api") as client:
        response = await client.get("/api/me", headers={"Authorization": f"Bearer {jwt}"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_audience"
