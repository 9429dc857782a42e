"""Test support: token builders by intent (on authbridge.testing's keys and JWKS server) and a clock."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from authbridge.testing import JwksServer, TestKey, configure_env, serve_jwks
from authbridge.testing import _b64json as b64json
from authbridge.testing import _b64url as b64url

ISSUER = "https://auth.authbridge.test"
AUDIENCE = "task-api"


SigningKey = TestKey


def new_key(kid: str | None = None) -> SigningKey:
    return SigningKey(kid or f"kid-{uuid.uuid4().hex[:12]}")


def claims_for(sub: Any = "user-1", now: float | None = None, **overrides: Any) -> dict[str, Any]:
    now = time.time() if now is None else now
    claims: dict[str, Any] = {
        "sub": sub,
        "email": f"{sub}@example.test",
        "name": f"User {sub}",
        "email_verified": True,
        "iat": int(now),
        "exp": int(now) + 900,
        "iss": ISSUER,
        "aud": AUDIENCE,
        # As the auth server issues them: the session the token belongs to (CONTRACT §8).
        "sid": f"session-{sub}",
    }
    if sub is DROP:
        claims.pop("sub")
    for name, value in overrides.items():
        if value is DROP:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


DROP: Any = object()


def make_token(
    key: SigningKey,
    claims: dict[str, Any] | None = None,
    *,
    header: dict[str, Any] | None = None,
    kid: Any = ...,
    alg: Any = "EdDSA",
    signature: bytes | None = None,
) -> str:
    """A compact JWS; `header` entries override the defaults, `DROP` removes one."""
    head: dict[str, Any] = {"alg": alg, "kid": key.kid if kid is ... else kid}
    for name, value in (header or {}).items():
        if value is DROP:
            head.pop(name, None)
        else:
            head[name] = value
    if head.get("kid") is None and "kid" in head and kid is None:
        head.pop("kid")
    signing_input = f"{b64json(head)}.{b64json(claims if claims is not None else claims_for())}"
    sig = key.private.sign(signing_input.encode()) if signature is None else signature
    return f"{signing_input}.{b64url(sig)}"


@contextmanager
def jwks_server(keys: list[SigningKey]) -> Iterator[JwksServer]:
    with serve_jwks(*keys) as server:
        yield server


class FakeClock:
    """Monotonic and wall clock a test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def env_test_key(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> TestKey:
    """A test key whose JWKS, issuer and audience are in ``AUTH_*`` (as ``configure_env`` writes
    them), in an empty working directory so no ``.env`` is read."""
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    env: dict[str, str] = {}
    test_key = configure_env(environ=env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return test_key
