"""The task API's SQLite data is its users' tasks: a folder it creates is 0700, the files 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from authbridge import AuthSettings
from authbridge.testing import JwksServer, TestKey
from task_api import create_app
from task_api.config import TaskApiSettings
from task_api.db import make_engine

from ..tokens import AUDIENCE, ISSUER, token_for

pytestmark = pytest.mark.anyio


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_first_start_creates_the_folder_0700_and_the_database_files_0600(
    tmp_path: Path, jwks: JwksServer, key: TestKey
) -> None:
    database = tmp_path / "data" / "tasks.sqlite"
    app = create_app(
        settings=TaskApiSettings(database_url=f"sqlite:///{database}"),
        auth_settings=lambda: AuthSettings(
            jwks_url=jwks.url, revocation_url=jwks.revocation_url, issuer=ISSUER, audience=[AUDIENCE]
        ),
    )
    headers = {"Authorization": f"Bearer {token_for(key, 'alice')}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (
                await client.post("/api/tasks", json={"title": "written"}, headers=headers)
            ).status_code == 201
            assert _mode(database.parent) == 0o700
            for file in (
                database,
                database.with_name("tasks.sqlite-wal"),
                database.with_name("tasks.sqlite-shm"),
            ):
                assert _mode(file) == 0o600, file


def test_a_readable_database_left_by_an_older_version_loses_group_and_other_access(tmp_path: Path) -> None:
    database = tmp_path / "tasks.sqlite"
    database.touch()
    database.chmod(0o644)
    tmp_path.chmod(0o755)
    make_engine(TaskApiSettings(database_url=f"sqlite:///{database}")).dispose()
    assert _mode(database) == 0o600
    # A folder that already existed (the working directory, perhaps) is left alone.
    assert _mode(tmp_path) == 0o755
