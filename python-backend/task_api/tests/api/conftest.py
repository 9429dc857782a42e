"""The task API through httpx against the app (lifespan run), on SQLite and, when
TEST_DATABASE_URL is set, on a throw-away PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from authbridge import AuthSettings
from authbridge.testing import JwksServer, TestKey
from task_api import create_app
from task_api.config import TaskApiSettings

from ..tokens import AUDIENCE, ISSUER, client_token_for, token_for

DATABASES = ["sqlite", "postgres"]


def _postgres_database() -> Iterator[str]:
    import psycopg

    admin = os.environ["TEST_DATABASE_URL"]
    name = f"authbridge_py_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"create database {name}")
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        if not os.environ.get("TEST_DATABASE_URL"):
            pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL variant skipped")
        yield from _postgres_database()
    else:
        yield f"sqlite:///{tmp_path / 'tasks.sqlite'}"


@pytest.fixture
async def client(jwks: JwksServer, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings=TaskApiSettings(database_url=database_url, cors_origins=["http://app.test"]),
        auth_settings=lambda: AuthSettings(
            jwks_url=jwks.url, revocation_url=jwks.revocation_url, issuer=ISSUER, audience=[AUDIENCE]
        ),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


TokenFor = Callable[..., dict[str, str]]


@pytest.fixture
def client_for(key: TestKey) -> TokenFor:
    """Authorization headers of a machine client granted ``scope``."""

    def build(scope: str, **overrides: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {client_token_for(key, 'client_reports', scope, **overrides)}"}

    return build


@pytest.fixture
def auth_for(key: TestKey) -> TokenFor:
    """Authorization headers for a user id; claim overrides build expired or foreign tokens."""

    def build(sub: str, **overrides: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(key, sub, **overrides)}"}

    return build
