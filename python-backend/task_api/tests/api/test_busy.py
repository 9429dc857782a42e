"""A database that cannot hand out its write lock in time is a 503 ``busy`` with Retry-After,
never a 500 and never a hang; the API is back to normal once the lock is released."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from authbridge import AuthSettings
from authbridge.testing import JwksServer, TestKey
from task_api import create_app
from task_api.config import TaskApiSettings

from ..tokens import AUDIENCE, ISSUER, token_for

pytestmark = pytest.mark.anyio


async def test_a_held_sqlite_write_lock_is_503_busy_then_201(
    tmp_path: Path, jwks: JwksServer, key: TestKey
) -> None:
    database = tmp_path / "tasks.sqlite"
    app = create_app(
        settings=TaskApiSettings(database_url=f"sqlite:///{database}", db_busy_timeout_seconds=0.3),
        auth_settings=lambda: AuthSettings(
            jwks_url=jwks.url, revocation_url=jwks.revocation_url, issuer=ISSUER, audience=[AUDIENCE]
        ),
    )
    headers = {"Authorization": f"Bearer {token_for(key, 'alice')}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            holder = sqlite3.connect(database, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                started = time.monotonic()
                response = await client.post("/api/tasks", json={"title": "blocked"}, headers=headers)
                waited = time.monotonic() - started
                # Readers never wait for a writer (WAL).
                read = await client.get("/api/tasks", headers=headers)
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            assert response.status_code == 503
            assert response.json() == {"detail": "The database is busy; retry shortly", "code": "busy"}
            assert response.headers["retry-after"] == "1"
            assert waited < 5
            assert read.status_code == 200
            after = await client.post("/api/tasks", json={"title": "after"}, headers=headers)
            assert after.status_code == 201
