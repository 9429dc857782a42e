from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .support import JwksServer, SigningKey, new_key


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def key() -> SigningKey:
    return new_key("key-1")


@pytest.fixture
def jwks(key: SigningKey) -> Iterator[JwksServer]:
    server = JwksServer([key])
    yield server
    server.close()


def pytest_report_header() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return "PostgreSQL variants: on (TEST_DATABASE_URL is set)"
    return "[skip] TEST_DATABASE_URL is not set: the PostgreSQL variants of the API tests are skipped"
