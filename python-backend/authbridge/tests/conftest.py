from __future__ import annotations

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
