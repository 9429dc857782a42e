from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from authbridge.testing import TestKey, configure_env

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


@pytest.fixture
def auth_env(monkeypatch: pytest.MonkeyPatch) -> TestKey:
    """AUTH_JWKS, AUTH_ISSUER and AUTH_AUDIENCE of a throw-away key (and ``make_token``'s defaults),
    nothing else of the machine's environment that would change an app's settings."""
    for name in (
        "AUTH_SERVER_URL",
        "AUTH_JWKS_URL",
        "AUTH_REVOCATION_URL",
        "AUTH_REVOCATION_LIST",
        "MAX_BODY_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)
    key = TestKey()
    monkeypatch.setenv("AUTH_JWKS", json.dumps(key.jwks))
    monkeypatch.setenv("AUTH_ISSUER", "https://auth.test")
    monkeypatch.setenv("AUTH_AUDIENCE", "api")
    configure_env(key, issuer="https://auth.test", audience="api", environ={})
    return key
