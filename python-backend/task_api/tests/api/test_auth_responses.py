"""CONTRACT §3 on the wire: status, exact WWW-Authenticate, JSON body, Retry-After."""

from __future__ import annotations

import time

import httpx
import pytest

from authbridge.testing import JwksServer, TestKey

from ..tokens import token_for
from .conftest import TokenFor

pytestmark = pytest.mark.anyio

INVALID = 'Bearer realm="api", error="invalid_token", error_description="{}"'
PROTECTED = [
    ("GET", "/api/me"),
    ("GET", "/api/tasks"),
    ("POST", "/api/tasks"),
    ("GET", "/api/tasks/00000000-0000-0000-0000-000000000000"),
    ("PATCH", "/api/tasks/00000000-0000-0000-0000-000000000000"),
    ("DELETE", "/api/tasks/00000000-0000-0000-0000-000000000000"),
    ("GET", "/api/users/someone/tasks"),
    ("POST", "/api/users/someone/tasks"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_missing_token_is_401_on_every_protected_route(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(
        method, path, json={"title": "x"} if method in ("POST", "PATCH") else None
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Missing bearer token", "code": "missing_token"}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_expired_token_is_401_on_every_protected_route(
    client: httpx.AsyncClient, auth_for: TokenFor, method: str, path: str
) -> None:
    headers = auth_for("alice", exp=int(time.time()) - 60)
    response = await client.request(
        method, path, headers=headers, json={"title": "x"} if method != "GET" else None
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID.format("The token has expired")
    assert response.json() == {"detail": "The token has expired", "code": "token_expired"}


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("Basic YWxpY2U6c2VjcmV0", "missing_token"),
        ("Bearer not.a.jwt", "malformed_token"),
        ("Bearer a b", "malformed_token"),
    ],
)
async def test_bad_credentials(client: httpx.AsyncClient, authorization: str, code: str) -> None:
    response = await client.get("/api/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json()["code"] == code
    expected = 'Bearer realm="api"' if code == "missing_token" else INVALID.format(response.json()["detail"])
    assert response.headers["www-authenticate"] == expected


async def test_tokens_in_query_or_cookie_are_never_read(client: httpx.AsyncClient, key: TestKey) -> None:
    token = token_for(key, "alice")
    response = await client.get(f"/api/me?access_token={token}", headers={"Cookie": f"token={token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "missing_token"


async def test_two_authorization_headers_are_malformed(client: httpx.AsyncClient, key: TestKey) -> None:
    token = token_for(key, "alice")
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    response = await client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_token"


async def test_jwks_outage_with_unknown_kid_is_503_with_retry_after(
    client: httpx.AsyncClient, jwks: JwksServer
) -> None:
    jwks.status = 500
    stranger = token_for(TestKey("rotated-in"), "alice")
    response = await client.get("/api/me", headers={"Authorization": f"Bearer {stranger}"})
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert "www-authenticate" not in response.headers
    assert response.json() == {
        "detail": "The signing keys cannot be fetched right now",
        "code": "jwks_unavailable",
    }


async def test_authentication_is_decided_before_validation(
    client: httpx.AsyncClient, auth_for: TokenFor
) -> None:
    no_token = await client.post(
        "/api/tasks", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert no_token.status_code == 401
    assert no_token.json()["code"] == "missing_token"
    expired = auth_for("alice", exp=1)
    bad_body = await client.post("/api/tasks", json={"title": ""}, headers=expired)
    assert bad_body.status_code == 401
    assert bad_body.json()["code"] == "token_expired"
    bad_query = await client.get("/api/tasks?limit=1000")
    assert bad_query.status_code == 401
    valid = await client.post(
        "/api/tasks", content=b"{not json", headers={**auth_for("alice"), "content-type": "application/json"}
    )
    assert valid.status_code == 422


async def test_health_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_me_returns_the_caller(client: httpx.AsyncClient, auth_for: TokenFor) -> None:
    response = await client.get("/api/me", headers=auth_for("alice"))
    assert response.status_code == 200
    assert response.json() == {
        "id": "alice",
        "email": "alice@example.test",
        "name": "alice",
        "roles": [],
        "permissions": [],
    }


async def test_cors_preflight_allows_authorization(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/tasks",
        headers={
            "origin": "http://app.test",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://app.test"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    evil = await client.options(
        "/api/tasks", headers={"origin": "http://evil.test", "access-control-request-method": "GET"}
    )
    assert "access-control-allow-origin" not in evil.headers


async def test_openapi_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    assert schema["paths"]["/api/tasks"]["get"]["security"]
