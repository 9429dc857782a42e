"""``require_user(other_credentials=...)``: a route that accepts a bearer token or another
credential (an API key header here), decided before the body is read, in the contract's answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

from authbridge import AuthError, ErrorCode, Principal, principal_from_claims
from authbridge.fastapi import install_auth, require_user
from authbridge.testing import TestKey, make_token

pytestmark = pytest.mark.anyio

KEYS = {"key-of-robot": "robot-1"}
asked: list[str] = []


async def api_key(request: Request) -> Principal | None:
    key = request.headers.get("x-api-key")
    asked.append("api_key")
    if key is None:
        return None
    owner = KEYS.get(key)
    if owner is None:
        raise AuthError(ErrorCode.INVALID_SIGNATURE)
    return principal_from_claims({"sub": owner, "name": "robot"})


async def never(_request: Request) -> Principal | None:
    asked.append("never")
    return None


Caller = Annotated[Principal, Depends(require_user(other_credentials=[never, api_key]))]


class Body(BaseModel):
    title: str


@pytest.fixture
def client(auth_env: TestKey) -> httpx.AsyncClient:
    app = FastAPI()
    install_auth(app, max_body_bytes=1024)

    @app.post("/items")
    async def create(caller: Caller, body: Body) -> dict[str, str]:
        return {"caller": caller.id, "title": body.title}

    asked.clear()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('ada')}"}


async def test_a_bearer_token_is_the_caller(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"title": "t"}, headers=bearer())
    assert response.status_code == 200
    assert response.json() == {"caller": "ada", "title": "t"}
    assert asked == []


async def test_without_a_bearer_token_the_other_credentials_are_asked_in_order(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/items", json={"title": "t"}, headers={"X-API-Key": "key-of-robot"})
    assert response.status_code == 200
    assert response.json()["caller"] == "robot-1"
    assert asked == ["never", "api_key"]


async def test_a_bad_bearer_token_is_a_401_even_with_a_good_api_key(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/items", json={"title": "t"}, headers={"Authorization": "Bearer nope", "X-API-Key": "key-of-robot"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_token"
    assert asked == []


async def test_a_wrong_api_key_is_the_error_its_credential_raises(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"title": "t"}, headers={"X-API-Key": "stolen"})
    assert response.status_code == 401
    assert response.json() == {"detail": "The token signature is invalid", "code": "invalid_signature"}
    assert response.headers["www-authenticate"].startswith('Bearer realm="api", error="invalid_token"')


async def test_no_credential_at_all_is_missing_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"title": "t"})
    assert response.status_code == 401
    assert response.json()["code"] == "missing_token"
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'


async def test_authentication_comes_before_the_body(client: httpx.AsyncClient) -> None:
    # An oversize and an invalid body: the credential decides first (401, not 413 or 422).
    too_big = await client.post("/items", content=b"x" * 10_000, headers={"X-API-Key": "stolen"})
    assert too_big.status_code == 401
    invalid = await client.post("/items", content=b"{not json", headers={"content-type": "application/json"})
    assert invalid.status_code == 401
    assert invalid.json()["code"] == "missing_token"
    allowed = await client.post("/items", content=b"x" * 10_000, headers={"X-API-Key": "key-of-robot"})
    assert allowed.status_code == 413


def test_the_documented_raise_passes_ruff_em101(tmp_path: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    good = tmp_path / "good.py"
    good.write_text(
        "from authbridge import AuthError, ErrorCode\n\n"
        "def f() -> None:\n    raise AuthError(ErrorCode.FORBIDDEN)\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text('from authbridge import AuthError\n\ndef f() -> None:\n    raise AuthError("forbidden")\n')
    run = lambda path: subprocess.run(  # noqa: E731
        [str(ruff), "check", "--isolated", "--select", "EM", str(path)], capture_output=True, text=True
    )
    assert run(good).returncode == 0
    flagged = run(bad)
    assert flagged.returncode == 1
    assert "EM101" in flagged.stdout
    assert AuthError(ErrorCode.FORBIDDEN).code == "forbidden"
    assert type(AuthError(ErrorCode.FORBIDDEN).code) is str
