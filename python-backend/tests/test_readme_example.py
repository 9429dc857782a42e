"""The README's "protect your own FastAPI service" snippet, run as written."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from authbridge import AuthSettings
from authbridge.fastapi import CurrentUser, auth_lifespan, install_auth

from .support import AUDIENCE, ISSUER, claims_for, make_token, new_key

pytestmark = pytest.mark.anyio


async def test_readme_fastapi_example() -> None:
    key = new_key("readme")
    settings = AuthSettings(jwks={"keys": [key.jwk]}, issuer=ISSUER, audience=[AUDIENCE])

    app = FastAPI(lifespan=auth_lifespan(lambda: settings))
    install_auth(app)

    @app.get("/api/me")
    async def read_me(user: CurrentUser) -> dict[str, str | None]:
        return {"id": user.id, "email": user.email}

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client,
    ):
        ok = await client.get(
            "/api/me", headers={"Authorization": f"Bearer {make_token(key, claims_for('ada'))}"}
        )
        assert ok.json() == {"id": "ada", "email": "ada@example.test"}
        missing = await client.get("/api/me")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == 'Bearer realm="api"'
