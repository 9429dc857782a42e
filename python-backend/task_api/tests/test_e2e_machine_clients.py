"""End to end, machine clients: a client made with ``npm run clients:create`` gets tokens from the
real auth server, with authlib (a stock OAuth client that knows nothing of authbridge) and with
authbridge's own ``ClientCredentials``, and the task API admits it where its scope allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client

from authbridge import AuthSettings, ClientCredentials, ClientCredentialsError
from task_api import create_app
from task_api.config import TaskApiSettings

from .services import AuthService

pytestmark = pytest.mark.anyio

API = "http://api"
USER_REQUIRED = {"detail": "This route is for signed-in users, not machine clients", "code": "user_required"}


@pytest.fixture(scope="module")
def reporter(auth_service: AuthService) -> dict[str, str]:
    (client,) = auth_service.clients_cli(
        "create", "--name", "python reports", "--scope", "tasks:read:any users:list"
    )
    return client


def _app(auth_url: str, database: Path) -> Any:
    return create_app(
        settings=TaskApiSettings(database_url=f"sqlite:///{database}"),
        auth_settings=lambda: AuthSettings(server_url=auth_url, audience=["task-api"]),
    )


@asynccontextmanager
async def _client(
    auth_url: str,
    database: Path,
    *,
    auth: httpx.Auth | None = None,
    on_request: Callable[[httpx.Request], None] = lambda _request: None,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that reaches the task API in process (at ``http://api``) and the auth server over TCP."""
    app = _app(auth_url, database)

    async def seen(request: httpx.Request) -> None:
        on_request(request)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            mounts={"all://api": httpx.ASGITransport(app=app)}, auth=auth, event_hooks={"request": [seen]}
        ) as client,
    ):
        yield client


async def _discovered_token_endpoint(auth_url: str) -> str:
    async with httpx.AsyncClient() as client:
        metadata = (await client.get(f"{auth_url}/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == auth_url
    endpoint: str = metadata["token_endpoint"]
    return endpoint


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_authlib_gets_a_token_the_task_api_accepts_where_its_scope_allows(
    auth_service: AuthService, reporter: dict[str, str], tmp_path: Path, method: str
) -> None:
    endpoint = await _discovered_token_endpoint(auth_service.url)
    async with AsyncOAuth2Client(
        client_id=reporter["client_id"],
        client_secret=reporter["client_secret"],
        token_endpoint_auth_method=method,
        scope="tasks:read:any",
    ) as oauth:
        token = await oauth.fetch_token(endpoint, grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "tasks:read:any"
    assert jwt.get_unverified_header(token["access_token"])["typ"] == "at+jwt"
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    async with _client(auth_service.url, tmp_path / "tasks.sqlite") as api:
        assert (await api.get(f"{API}/api/admin/tasks", headers=headers)).status_code == 200
        users = await api.get(f"{API}/api/admin/users", headers=headers)
        assert (users.status_code, users.json()["code"]) == (403, "insufficient_permission")
        mine = await api.get(f"{API}/api/tasks", headers=headers)
        assert (mine.status_code, mine.json()) == (403, USER_REQUIRED)


async def test_authlib_sees_invalid_client_for_a_wrong_secret(
    auth_service: AuthService, reporter: dict[str, str]
) -> None:
    endpoint = await _discovered_token_endpoint(auth_service.url)
    async with AsyncOAuth2Client(client_id=reporter["client_id"], client_secret="abcs_wrong") as oauth:
        with pytest.raises(Exception, match="invalid_client"):
            await oauth.fetch_token(endpoint, grant_type="client_credentials")


async def test_client_credentials_discovers_caches_and_fetches_once_for_concurrent_requests(
    auth_service: AuthService, reporter: dict[str, str], tmp_path: Path
) -> None:
    sent: list[str] = []
    auth = ClientCredentials(
        server_url=auth_service.url, client_id=reporter["client_id"], client_secret=reporter["client_secret"]
    )
    async with _client(
        auth_service.url, tmp_path / "t.sqlite", auth=auth, on_request=lambda r: sent.append(r.url.path)
    ) as api:
        answers = await asyncio.gather(*(api.get(f"{API}/api/admin/tasks") for _ in range(20)))
        assert [answer.status_code for answer in answers] == [200] * 20
        assert (await api.get(f"{API}/api/admin/users")).status_code == 200
    assert sent.count("/.well-known/oauth-authorization-server") == 1
    assert sent.count("/api/auth/oauth2/token") == 1
    token = await auth.token()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["client_id"], claims["scope"]) == (reporter["client_id"], "tasks:read:any users:list")


async def test_client_credentials_refreshes_shortly_before_expiry(
    auth_service: AuthService, reporter: dict[str, str]
) -> None:
    clock = [1_000_000.0]
    auth = ClientCredentials(
        token_url=f"{auth_service.url}/api/auth/oauth2/token",
        client_id=reporter["client_id"],
        client_secret=reporter["client_secret"],
        scope="users:list",
        refresh_skew_seconds=60,
        now=lambda: clock[0],
    )
    first = await auth.token()
    clock[0] += 3600 - 61
    assert await auth.token() == first
    clock[0] += 2
    assert await auth.token() != first


async def test_client_credentials_retries_once_with_a_new_token_after_401_invalid_token(
    auth_service: AuthService, reporter: dict[str, str]
) -> None:
    seen: list[str] = []

    async def api(scope: dict[str, Any], receive: Any, send: Any) -> None:
        # An API that refuses the first token it sees as a revoked key would be refused.
        token = dict(scope["headers"]).get(b"authorization", b"").decode().removeprefix("Bearer ")
        seen.append(token)
        status = 401 if len(seen) == 1 else 200
        challenge = (
            [(b"www-authenticate", b'Bearer realm="api", error="invalid_token"')] if status == 401 else []
        )
        await send({"type": "http.response.start", "status": status, "headers": challenge})
        await send({"type": "http.response.body", "body": b"{}"})

    auth = ClientCredentials(
        server_url=auth_service.url, client_id=reporter["client_id"], client_secret=reporter["client_secret"]
    )
    async with httpx.AsyncClient(mounts={"all://api": httpx.ASGITransport(app=api)}, auth=auth) as client:
        response = await client.get(f"{API}/anything")
    assert response.status_code == 200
    assert len(seen) == 2
    assert seen[0] != seen[1]


def test_client_credentials_works_with_a_sync_client(
    auth_service: AuthService, reporter: dict[str, str]
) -> None:
    auth = ClientCredentials(
        server_url=auth_service.url, client_id=reporter["client_id"], client_secret=reporter["client_secret"]
    )
    with httpx.Client(auth=auth) as client:
        response = client.get(f"{auth_service.url}/healthz")
    assert response.status_code == 200
    sent = response.request.headers["authorization"].removeprefix("Bearer ")
    assert jwt.decode(sent, options={"verify_signature": False})["client_id"] == reporter["client_id"]


async def test_a_wrong_secret_is_client_credentials_error_invalid_client_without_the_secret(
    auth_service: AuthService, reporter: dict[str, str]
) -> None:
    wrong = "abcs_" + "x" * 43
    auth = ClientCredentials(
        server_url=auth_service.url, client_id=reporter["client_id"], client_secret=wrong
    )
    with pytest.raises(ClientCredentialsError) as caught:
        await auth.token()
    assert (caught.value.error, caught.value.status) == ("invalid_client", 401)
    assert wrong not in str(caught.value)
    assert wrong not in repr(auth)


async def test_an_unreachable_auth_server_is_client_credentials_error_unreachable() -> None:
    auth = ClientCredentials(
        token_url="http://127.0.0.1:9/token", client_id="client_x", client_secret="abcs_x"
    )
    with pytest.raises(ClientCredentialsError) as caught:
        await auth.token()
    assert caught.value.error == "unreachable"


def test_client_credentials_needs_one_url_and_both_credentials() -> None:
    with pytest.raises(TypeError):
        ClientCredentials(client_id="a", client_secret="b")
    with pytest.raises(TypeError):
        ClientCredentials(server_url="http://x", token_url="http://x/t", client_id="a", client_secret="b")
    with pytest.raises(TypeError):
        ClientCredentials(server_url="http://x", client_id="", client_secret="b")
