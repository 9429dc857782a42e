"""Fixtures of the task API's tests: a test key (authbridge.testing) served by a real JWKS
endpoint on loopback, and tokens signed with it for the app's issuer and audience."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from authbridge.testing import JwksServer, TestKey

from .services import TSX, AuthService, running_auth_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def key() -> TestKey:
    return TestKey("key-1")


@pytest.fixture
def jwks(key: TestKey) -> Iterator[JwksServer]:
    server = JwksServer([key])
    yield server
    server.close()


@pytest.fixture(scope="module")
def auth_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthService]:
    """The real auth server (Node), one per test module."""
    if not TSX.exists():
        pytest.skip("node_modules is missing: run `npm test` from the repository root")
    with running_auth_server(tmp_path_factory.mktemp("auth-data")) as service:
        yield service


def pytest_report_header() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return "PostgreSQL variants: on (TEST_DATABASE_URL is set)"
    return "[skip] TEST_DATABASE_URL is not set: the PostgreSQL variants of the API tests are skipped"
